"""Vietnamese texts for Zalo, the choice of where the bot's messages go (/kenh) and photos as evidence."""

# --- files on Zalo (no documents there: a signed link instead) ---------------------------------------------
FILE_LINK = "Tệp «{filename}»: {url}\n(Đường dẫn chỉ dành cho đồng chí và sẽ hết hạn sau một thời gian.)"
FILE_UNAVAILABLE = (
    "Tệp «{filename}» chưa gửi được qua Zalo. Xin đồng chí mở bot trên Telegram để nhận tệp, "
    "hoặc liên hệ người quản trị bot."
)

# --- /kenh: where the bot's own messages go ------------------------------------------------------------------
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "cửa sổ dòng lệnh"}
NEW_DEVICE_NOTICE = (
    "Lưu ý: lúc {time}, một thiết bị mới ({platform}) vừa được liên kết với tài khoản của đồng chí trên bot. "
    "Từ nay, lời nhắc và thông báo của bot gửi về nơi đồng chí dùng gần nhất (gõ /kenh để chọn).\n"
    "Nếu không phải đồng chí liên kết, xin báo ngay bí thư chi bộ để gỡ thiết bị đó."
)
DEVICE_UNLINKED_NOTICE = (
    "Lưu ý: lúc {time}, một thiết bị ({platform}) đã được gỡ khỏi tài khoản của đồng chí trên bot; "
    "thiết bị đó không còn nhận tin và không dùng được bot thay đồng chí nữa.\n"
    "Nếu đồng chí không đề nghị việc này, xin báo bí thư chi bộ."
)
CHANNEL_LAST_USED = "Nơi tôi dùng gần nhất"
CHANNEL_CURRENT_LAST = "nơi đồng chí dùng gần nhất"
CHANNEL_ASK = "Đồng chí muốn nhận lời nhắc và thông báo của bot ở đâu?\nHiện tại: {current}.\nĐã liên kết: {linked}."
CHANNEL_ONLY_ONE = (
    "Đồng chí mới liên kết bot trên {linked}, nên mọi lời nhắc và thông báo đều gửi về đó.\n"
    "Muốn nhận tin ở nền tảng khác (Zalo hoặc Telegram), xin đồng chí nhận mã mời mới từ bí thư chi bộ "
    "rồi gõ mã đó cho bot trên nền tảng ấy."
)
CHANNEL_SAVED = "Đã lưu: lời nhắc và thông báo của bot sẽ gửi về {where}."
MENU_CHANNEL = "Chọn nơi nhận tin"
HELP_CHANNEL = "\n/kenh — chọn nơi nhận lời nhắc, thông báo (khi đồng chí dùng cả Zalo và Telegram)"

# --- photos as evidence of progress ----------------------------------------------------------------------------
PHOTO_RECEIVED = "Đã nhận ảnh minh chứng. Ảnh sẽ được đính kèm khi đồng chí lưu tiến độ."
PHOTO_RECEIVED_START = "Đã nhận ảnh minh chứng. Xin đồng chí cập nhật tiến độ để đính kèm ảnh này."
PHOTO_TOO_MANY = "Mỗi lần cập nhật tiến độ chỉ đính kèm được tối đa {limit} ảnh. Ảnh vừa gửi chưa được lưu."
PHOTO_NOT_SAVED = "Ảnh vừa gửi chưa được lưu vì đồng chí chưa có nội dung làm theo nào để đính kèm."
PHOTOS_ATTACHED = "Đã đính kèm {count} ảnh minh chứng."

# --- the operator's console ---------------------------------------------------------------------------------
RUNNING_ZALO = "Bot đang chạy trên Zalo. Nhấn Ctrl+C để dừng. / The bot is running on Zalo; Ctrl+C stops it."
NO_ZALO_TOKEN = (
    "Chưa có ZALO_BOT_TOKEN. Để chạy bot trên Zalo: tạo bot tại https://bot.zaloplatforms.com, chép mã token "
    "vào tệp .env: ZALO_BOT_TOKEN=... / No ZALO_BOT_TOKEN set: create a Zalo bot and put its token in .env."
)
