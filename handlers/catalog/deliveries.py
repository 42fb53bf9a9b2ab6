"""Texts of messages the bot starts itself (reminders, announcements): delivery notes and /thongbao."""

# Appended when a message with choices reaches a member who is in the middle of something else.
BUSY_HINT = (
    "\n\n(Đồng chí đang làm dở một thao tác khác nên tin nhắn này không kèm lựa chọn. "
    "Khi xong, gõ {command} để trả lời.)"
)

# /thongbao
ANNOUNCE_FORBIDDEN = (
    "Chức năng gửi thông báo dành cho bí thư, phó bí thư chi bộ và cán bộ cấp ủy. "
    "Đồng chí vẫn nhận được các thông báo của chi bộ qua bot này."
)
ANNOUNCE_CHOOSE_UNIT = "Đồng chí gửi thông báo tới đơn vị nào?"
ANNOUNCE_ASK_TEXT = (
    "Gửi thông báo tới: {unit} ({count} đảng viên).\n"
    "Xin gõ nội dung thông báo (tối đa {maximum} ký tự). Nội dung được gửi nguyên văn."
)
ANNOUNCE_PREVIEW = (
    "Xem trước thông báo gửi tới {unit}:\n"
    "──────────\n"
    "{text}\n"
    "──────────\n"
    "Số người nhận: {count} đảng viên ({reachable} đang liên lạc được qua bot).\n"
    "Đồng chí xác nhận gửi?"
)
ANNOUNCE_SEND = "Gửi thông báo"
ANNOUNCE_EDIT = "Sửa nội dung"
ANNOUNCE_QUEUED = (
    "Đã xếp {queued} tin vào hàng gửi (thông báo số {number}). Bot gửi dần theo giới hạn của nền tảng; "
    "tin rơi vào giờ nghỉ của người nhận sẽ được gửi sau. Gõ /thongbao để xem kết quả gửi."
)
ANNOUNCE_NOBODY = "Đơn vị này chưa có đảng viên nào để nhận thông báo."
ANNOUNCE_HEADER = "Thông báo của {unit} (đồng chí {sender}):\n\n{text}"
ANNOUNCE_RECENT_HEADER = "Các thông báo gần đây của đồng chí:"
ANNOUNCE_RECENT_LINE = (
    "Số {number} · {date} · {unit}: «{excerpt}»\n"
    "   đã gửi {sent} · chặn bot {blocked} · lỗi {failed} · chưa rõ {unknown} · đang chờ {pending}"
    " · không gửi được {skipped} · gửi lại {resent}"
)
ANNOUNCE_RECENT_NONE = "Đồng chí chưa gửi thông báo nào."
ANNOUNCE_NEW = "Soạn thông báo mới"
ANNOUNCE_DONE = "Xong"
ANNOUNCE_WHAT_NEXT = "Đồng chí muốn soạn thông báo mới?"
ANNOUNCE_UNIT_GONE = "Đơn vị này không thuộc phạm vi của đồng chí."
