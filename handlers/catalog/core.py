"""Vietnamese texts of the conversation. Placeholders use str.format names."""

# --- general -----------------------------------------------------------------------------------------
CHOOSE_BY_NUMBER = "Gõ số thứ tự (ví dụ: 1) hoặc gõ đúng chữ của lựa chọn."
OR_TYPE = "Có thể gõ: "
QUESTION_NOT_DELIVERED = "Câu hỏi trước của bot chưa đến được đồng chí. Xin đồng chí trả lời câu hỏi này:"
STALE_CHOICE = "Lựa chọn này đã hết hạn. Xin đồng chí chọn lại ở bước hiện tại:"
INVALID_CHOICE = "Chưa rõ lựa chọn của đồng chí. Xin chọn một trong các mục dưới đây:"
CANCELLED = "Đã hủy thao tác. Những gì đã lưu trước đó vẫn được giữ nguyên."
NOTHING_TO_CANCEL = "Không có thao tác nào đang dở."
INTERNAL_ERROR = (
    "Xin lỗi đồng chí, bot gặp sự cố khi xử lý tin nhắn này. Dữ liệu đã lưu không bị ảnh hưởng. "
    "Xin đồng chí thử lại sau ít phút."
)
NOT_TEXT = "Bot hiện chỉ đọc được tin nhắn chữ. Xin đồng chí gõ nội dung hoặc số thứ tự lựa chọn."
BACK = "Quay lại"
CANCEL = "Hủy"
SKIP = "Bỏ qua"

# --- linking and consent -------------------------------------------------------------------------------
STRANGER = (
    "Xin chào đồng chí. Bot «Học tập và làm theo» chỉ dành cho đảng viên đã được chi bộ mời.\n"
    "Để bắt đầu, xin đồng chí gõ mã mời (8 ký tự) do bí thư chi bộ hoặc văn phòng cấp ủy cung cấp, "
    "hoặc bấm vào đường dẫn mời."
)
CODE_UNKNOWN = (
    "Mã mời «{code}» không đúng hoặc đã được dùng. Xin đồng chí kiểm tra lại, "
    "hoặc liên hệ bí thư chi bộ để nhận mã mới."
)
CODE_EXPIRED = (
    "Mã mời «{code}» đã hết hạn. Xin đồng chí liên hệ bí thư chi bộ hoặc văn phòng cấp ủy để nhận mã mới."
)
CODE_OTHER_PLATFORM = (
    "Mã mời «{code}» chỉ dùng được trên {platform}. Xin đồng chí gõ mã này cho bot trên {platform}, "
    "hoặc liên hệ bí thư chi bộ để nhận mã phù hợp."
)
CODE_TOO_MANY_TRIES = (
    "Đồng chí đã nhập sai mã mời nhiều lần. Để bảo vệ dữ liệu, bot tạm ngừng nhận mã từ tài khoản này "
    "trong 1 giờ. Xin liên hệ bí thư chi bộ để kiểm tra lại mã."
)
LINKED = "Xin chào đồng chí {name} ({cell}). Tài khoản này đã được liên kết với hồ sơ của đồng chí."
ALREADY_LINKED = "Tài khoản này đã được liên kết với đồng chí {name}. Mã mời không cần dùng thêm."
CONSENT_NOTICE = (
    "Trước khi sử dụng, xin đồng chí đọc thông báo về dữ liệu cá nhân "
    "(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15):\n\n"
    "• Bot lưu: họ tên, chức vụ, chi bộ, vai trò, số điện thoại (nếu có trong danh sách); "
    "các nội dung đăng ký làm theo, tiến độ và ghi chú "
    "của đồng chí; tài khoản nhắn tin đã liên kết và thời điểm sử dụng.\n"
    "• Mục đích: theo dõi việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh theo "
    "Chỉ thị 05-CT/TW; tổng hợp cho chi ủy và cấp ủy cấp trên.\n"
    "• Ai được xem: đồng chí, bí thư/phó bí thư chi bộ của đồng chí và cấp ủy cấp trên trực tiếp quản lý.\n"
    "• Dữ liệu lưu trên máy chủ của cấp ủy, không chia sẻ cho bên thứ ba. Không lưu số CCCD, số thẻ đảng viên.\n"
    "• Đồng chí có quyền xem, xuất, xóa dữ liệu của mình và rút lại sự đồng ý bất cứ lúc nào: "
    "gõ /dulieu để xem toàn bộ dữ liệu bot lưu về mình và rút lại sự đồng ý; muốn nhận bản xuất dữ liệu, "
    "liên hệ bí thư chi bộ hoặc người quản trị bot của cấp ủy.\n\n"
    "Đồng chí có đồng ý để bot lưu và xử lý các dữ liệu trên không?"
)
CONSENT_YES = "Tôi đồng ý"
CONSENT_NO = "Tôi không đồng ý"
CONSENT_GIVEN = "Cảm ơn đồng chí. Sự đồng ý đã được ghi nhận lúc {time}."
CONSENT_DECLINED = (
    "Bot đã ghi nhận đồng chí không đồng ý. Bot sẽ không lưu thêm thông tin nào của đồng chí.\n"
    "Nếu đổi ý, đồng chí chỉ cần gõ /start để xem lại thông báo."
)
CONSENT_STILL_DECLINED = (
    "Đồng chí chưa đồng ý với thông báo về dữ liệu cá nhân nên bot chưa thể giúp việc gì. "
    "Gõ /start để xem lại thông báo."
)
CONSENT_REQUIRED = "Để sử dụng bot, đồng chí cần đồng ý với thông báo về dữ liệu cá nhân dưới đây."

# --- menu and help ---------------------------------------------------------------------------------------
MENU_PROMPT = "Đồng chí muốn làm gì?"
MENU_REGISTER = "Đăng ký nội dung làm theo"
MENU_PROGRESS = "Cập nhật tiến độ"
MENU_PLEDGES = "Xem các nội dung đã đăng ký"
MENU_SUMMARY = "Tổng hợp tình hình"
MENU_REVIEW = "Duyệt đăng ký"
MENU_REPORT = "Báo cáo (Excel, Word)"
MENU_ANNOUNCE = "Gửi thông báo"
MENU_HELP = "Hướng dẫn"
HELP_MEMBER = (
    "Các lệnh đồng chí có thể dùng (gõ lệnh hoặc chọn trong danh sách):\n"
    "/dangky — đăng ký nội dung làm theo\n"
    "/capnhat — cập nhật tiến độ thực hiện\n"
    "/camket — xem, sửa hoặc rút lại nội dung đã đăng ký\n"
    "/hoctap — xác nhận đã tham gia học tập chuyên đề năm\n"
    "/hoatdong — xem hội thi, tọa đàm, cuộc thi viết của chi bộ\n"
    "/bieuduong — xem các quyết định biểu dương, khen thưởng đồng chí đã nhận\n"
    "/tudanhgia — tự đánh giá cuối năm, xem bản tổng kết để kiểm điểm\n"
    "/dulieu — xem dữ liệu bot lưu về đồng chí, rút lại sự đồng ý\n"
    "/lichhop — xem lịch sinh hoạt chi bộ\n"
    "/nhacnho — cài đặt nhắc việc (giờ nhắc, giờ yên lặng, tạm dừng)\n"
    "/kenh — chọn nơi nhận lời nhắc, thông báo (khi dùng cả Zalo và Telegram)\n"
    "/huy — hủy thao tác đang làm\n"
    "/trogiup — xem hướng dẫn này"
)
HELP_SECRETARY = (
    "\n\nDành cho bí thư, phó bí thư chi bộ:"
    "\n/tonghop — tổng hợp tình hình chi bộ tháng này (chọn tiếp quý, năm hoặc khoảng ngày khác)"
    "\n/tonghop ky — chọn kỳ tổng hợp trước: tháng, quý, năm hoặc khoảng ngày"
    "\n/baocao — báo cáo Excel theo kỳ, hoặc bản dự thảo báo cáo Word để trình ký"
    "\n/duyet — duyệt hoặc trả lại bản đăng ký của đảng viên"
    "\n/hoctap — ghi buổi học tập chuyên đề và người tham gia"
    "\n/hoatdong — ghi hội thi, tọa đàm, cuộc thi viết và số người tham gia"
    "\n/bieuduong — đề nghị biểu dương, khen thưởng đảng viên hoặc tập thể chi bộ, theo dõi kết quả"
    "\n/lichhop — đặt ngày sinh hoạt chi bộ hằng tháng (bot nhắc đảng viên trước buổi sinh hoạt)"
    "\n/thongbao — gửi thông báo tới các đảng viên trong chi bộ"
    "\n/tudanhgia — xem kết quả tự đánh giá cuối năm của chi bộ"
    "\n/nhacnho — tạm dừng nhắc việc cho một đảng viên (ốm đau, đi vắng)"
    "\n/web — nhận đường dẫn đăng nhập trang web tổng hợp (xem trên máy tính, tải báo cáo)"
)
HELP_COMMITTEE = (
    "\n\nDành cho cấp ủy:"
    "\n/tonghop — tổng hợp các đơn vị trực thuộc tháng này, có biểu đồ (xem chi tiết từng đơn vị, "
    "chọn quý, năm hoặc khoảng ngày khác)"
    "\n/tonghop ky — chọn kỳ tổng hợp trước: tháng, quý, năm hoặc khoảng ngày"
    "\n/baocao — báo cáo Excel theo kỳ, hoặc bản dự thảo báo cáo Word để trình ký"
    "\n/duyet — duyệt bản đăng ký trong các chi bộ trực thuộc"
    "\n/thongbao — gửi thông báo tới các chi bộ trực thuộc"
    "\n/lichhop — xem lịch sinh hoạt của các chi bộ trực thuộc"
    "\n/hoctap — xem tình hình học tập chuyên đề của các chi bộ"
    "\n/hoatdong — xem các chi bộ đã tổ chức hội thi, tọa đàm, cuộc thi viết"
    "\n/bieuduong — xem xét đề nghị biểu dương, khen thưởng: biểu dương, khen thưởng, đề nghị cấp trên, trả lại"
    "\n/tudanhgia — xem kết quả tự đánh giá cuối năm của các chi bộ"
    "\n/web — nhận đường dẫn đăng nhập trang web tổng hợp (toàn bộ các đơn vị, xem chi tiết, tải báo cáo)"
)
# Telegram's command menu (name, description): members' commands first, then leaders'.
COMMAND_MENU = [
    ("dangky", "Đăng ký nội dung làm theo"),
    ("capnhat", "Cập nhật tiến độ"),
    ("camket", "Xem, sửa nội dung đã đăng ký"),
    ("nhacnho", "Cài đặt nhắc việc"),
    ("lichhop", "Lịch sinh hoạt chi bộ"),
    ("hoctap", "Học tập chuyên đề năm"),
    ("tudanhgia", "Tự đánh giá cuối năm"),
    ("dulieu", "Dữ liệu cá nhân bot lưu"),
    ("kenh", "Chọn nơi nhận tin (Zalo, Telegram)"),
    ("tonghop", "Tổng hợp tình hình (bí thư, cấp ủy)"),
    ("duyet", "Duyệt bản đăng ký (bí thư, cấp ủy)"),
    ("baocao", "Báo cáo Excel, Word (bí thư, cấp ủy)"),
    ("thongbao", "Gửi thông báo (bí thư, cấp ủy)"),
    ("bieuduong", "Biểu dương, khen thưởng"),
    ("hoatdong", "Hội thi, tọa đàm, cuộc thi viết"),
    ("web", "Trang web tổng hợp (bí thư, cấp ủy)"),
    ("trogiup", "Hướng dẫn"),
    ("huy", "Hủy thao tác đang làm"),
]
HELP_ROLE = "\n\nVai trò của đồng chí: {role}."
ROLE_NAMES = {
    "member": "đảng viên",
    "secretary": "bí thư chi bộ",
    "deputy": "phó bí thư chi bộ",
    "committee": "cấp ủy",
}

# --- register ---------------------------------------------------------------------------------------------
THEME_OF_YEAR = "Chuyên đề năm {year}: «{title}»."
ASK_CONTENT = (
    "Bước 1/3 — Nội dung làm theo: đồng chí sẽ làm việc cụ thể gì? "
    "(Ví dụ: «Vận động 5 hộ trong thôn phân loại rác tại nguồn»)"
)
ASK_MEASURES = "Bước 2/3 — Giải pháp thực hiện: đồng chí sẽ thực hiện bằng cách nào?"
ASK_DEADLINE = "Bước 3/3 — Thời hạn hoàn thành: chọn một mốc, hoặc gõ ngày theo dạng dd/mm/yyyy."
DEADLINE_QUARTER = "Cuối quý này ({date})"
DEADLINE_YEAR = "Cuối năm ({date})"
CONFIRM_REGISTRATION = (
    "Xin đồng chí kiểm tra lại bản đăng ký:\n\n"
    "Nội dung làm theo: {content}\n"
    "Giải pháp thực hiện: {measures}\n"
    "Thời hạn: {deadline}\n\n"
    "Đồng chí xác nhận đăng ký?"
)
CONFIRM = "Xác nhận"
EDIT_CONTENT = "Sửa nội dung"
EDIT_MEASURES = "Sửa giải pháp"
EDIT_DEADLINE = "Sửa thời hạn"
REGISTERED = (
    "Đã lưu bản đăng ký số {number} của đồng chí năm {year}. Chi ủy sẽ xem xét và duyệt bản đăng ký "
    "(xem trạng thái bằng lệnh /camket). Khi có kết quả, gõ /capnhat để cập nhật tiến độ."
)

# --- validation ---------------------------------------------------------------------------------------------
TEXT_EMPTY = "Nội dung không được để trống. Xin đồng chí gõ lại."
TEXT_TOO_SHORT = "Nội dung quá ngắn (ít nhất {minimum} ký tự). Xin đồng chí ghi cụ thể hơn."
TEXT_TOO_LONG = "Nội dung quá dài ({length} ký tự, tối đa {maximum}). Xin đồng chí rút gọn rồi gửi lại."
DATE_FORMAT = "Chưa đọc được ngày. Xin đồng chí gõ theo dạng ngày/tháng/năm, ví dụ 31/12/2026, hoặc gõ «cuối năm»."
DATE_INVALID = "Ngày {text} không có trên lịch. Xin đồng chí kiểm tra lại."
DATE_PAST = "Thời hạn phải từ hôm nay ({today}) trở đi."
DATE_TOO_FAR = "Thời hạn không được quá {limit}."
PERCENT_FORMAT = "Xin đồng chí gõ một số nguyên từ 0 đến 100 (ví dụ: 60), hoặc chọn một mức bên dưới."
PERCENT_RANGE = "Tiến độ phải từ 0 đến 100%. Đồng chí vừa gõ {value}."

# --- progress ---------------------------------------------------------------------------------------------
NO_COMMITMENTS = "Đồng chí chưa có nội dung làm theo nào. Gõ /dangky để đăng ký."
CHOOSE_COMMITMENT = "Đồng chí cập nhật tiến độ cho nội dung nào?"
ASK_PERCENT = "Nội dung: {content}\nTiến độ hiện tại: {percent}%.\nĐến nay đồng chí đã thực hiện được bao nhiêu phần trăm? (Gõ một số từ 0 đến 100.)"
ASK_NOTE = "Đồng chí có muốn ghi chú kết quả cụ thể không? (Gõ ghi chú, hoặc chọn «Bỏ qua».)"
PROGRESS_SAVED = "Đã ghi nhận tiến độ {percent}% cho nội dung «{content}» lúc {time}."
PROGRESS_DONE = "Chúc mừng đồng chí đã hoàn thành nội dung này!"

# --- pledges ---------------------------------------------------------------------------------------------
PLEDGES_HEADER = "Các nội dung làm theo của đồng chí:"
PLEDGE_LINE = "{number}. {content}\n   Thời hạn {deadline} · Tiến độ {percent}% · {status}"
PLEDGE_STATUS_DONE = "đã hoàn thành"
PLEDGE_STATUS_ONGOING = "đang thực hiện"
PLEDGE_STATUS_LATE = "quá hạn"
PLEDGE_LAST_UPDATE = "cập nhật {date}"
PLEDGE_NEVER_UPDATED = "chưa cập nhật"
PLEDGES_CHOOSE = "Chọn một nội dung để xem chi tiết, sửa hoặc rút lại."
PLEDGE_DETAIL = (
    "Nội dung làm theo: {content}\nGiải pháp thực hiện: {measures}\nThời hạn: {deadline}\n"
    "Tiến độ: {percent}% ({updated})"
)
REGISTER_MORE = "Đăng ký thêm"
WITHDRAW = "Rút lại nội dung này"
ASK_NEW_CONTENT = "Xin gõ nội dung làm theo mới:"
ASK_NEW_MEASURES = "Xin gõ giải pháp thực hiện mới:"
ASK_NEW_DEADLINE = "Xin chọn hoặc gõ thời hạn mới (dd/mm/yyyy):"
SAVED_CHANGE = "Đã lưu thay đổi."
CONFIRM_WITHDRAW = "Đồng chí chắc chắn muốn rút lại nội dung «{content}»? Tiến độ đã ghi vẫn được lưu trong lịch sử."
WITHDRAW_YES = "Rút lại"
WITHDRAWN = "Đã rút lại nội dung «{content}»."
COMMITMENT_GONE = "Nội dung này không còn (đã rút lại hoặc không thuộc về đồng chí)."

# --- summary ---------------------------------------------------------------------------------------------
SUMMARY_FORBIDDEN = (
    "Chức năng tổng hợp dành cho bí thư, phó bí thư chi bộ và cấp ủy. "
    "Đồng chí có thể xem nội dung của mình bằng lệnh /camket."
)
CELL_SUMMARY = (
    "Tổng hợp {cell} — ngày {date}\n"
    "Đảng viên trong diện theo dõi: {members}\n"
    "Đã liên kết với bot: {linked}/{members}\n"
    "Đã đăng ký làm theo năm {year}: {registered}/{members} ({registered_pct})\n"
    "Cập nhật trong {days} ngày qua: {updated}/{members} ({updated_pct})\n"
    "Nội dung đã hoàn thành: {completed}/{commitments} ({completed_pct})"
)
CELL_NOT_REGISTERED = "Chưa đăng ký ({count}): {names}"
CELL_NOT_UPDATED = "Chưa cập nhật trong {days} ngày ({count}): {names}"
CELL_ALL_REGISTERED = "Tất cả đảng viên trong diện đã đăng ký."

# A long list a page at a time (handlers/flows/picker.py)
PAGE_PREV = "« Trang trước"
PAGE_NEXT = "Trang sau »"
FILTER_CLEAR = "Bỏ lọc, xem tất cả"
PAGE_INFO = "(Trang {page}/{pages}; gõ một phần tên để lọc, không cần dấu.)"
FILTER_INFO = "(Lọc theo «{query}»: {count} kết quả, trang {page}/{pages}.)"
FILTER_NONE = "(Không có mục nào khớp với «{query}». Gõ từ khác, hoặc chọn «Bỏ lọc, xem tất cả».)"
