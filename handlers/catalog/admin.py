"""Vietnamese texts of the operator's command line (lamtheo ...). Technical words stay bilingual."""

MEMBER_UNKNOWN = "Không tìm thấy đảng viên có mã «{code}»."
UNIT_UNKNOWN = "Không tìm thấy đơn vị «{name}»."
UNIT_AMBIGUOUS = "Có {count} đơn vị cùng tên «{name}». Xin dùng --member hoặc đổi tên cho rõ."
YEAR_INVALID = "Năm {year} không hợp lệ."
THEME_SET = "Đã đặt chuyên đề năm {year}: «{title}»."
THEME_NONE = "Chưa đặt chuyên đề cho năm {year}."
INVITE_HEADER = "Mã mời (mỗi mã chỉ dùng được một lần):"
INVITE_LINE = "{member_code}\t{full_name}\t{unit}\t{code}\t{link}{linked}"
INVITE_LINKED = "\t(đã liên kết: {platforms})"
INVITE_NO_USERNAME = (
    "Chưa biết tên bot Telegram (đặt TELEGRAM_BOT_TOKEN hoặc TELEGRAM_BOT_USERNAME) nên chỉ in mã; "
    "đảng viên gõ mã này cho bot. / Bot username unknown: printing codes only."
)
INVITE_COUNT = "{count} mã mời."
NO_TOKEN = (
    "Chưa có TELEGRAM_BOT_TOKEN. Để chạy bot trên Telegram:\n"
    "  1. Mở Telegram, tìm @BotFather, gửi /newbot và làm theo hướng dẫn.\n"
    "  2. Chép mã token BotFather gửi lại vào tệp .env: TELEGRAM_BOT_TOKEN=123456:ABC...\n"
    "  3. Chạy lại: make run\n"
    "No TELEGRAM_BOT_TOKEN set. To run on Telegram: talk to @BotFather, send /newbot, put the token in .env as\n"
    "TELEGRAM_BOT_TOKEN=..., then run `make run` again."
)
DEMO_START = (
    "Đang chạy thử trong cửa sổ dòng lệnh với dữ liệu mẫu ({path}).\n"
    "Running a terminal demo on sample data. Bạn đang là: {name} — {role}, {unit}.\n"
    "Gõ /trogiup để xem lệnh, /huy để hủy, Ctrl+D để thoát. Thử /as DV002 để đổi sang bí thư chi bộ."
)
CONSOLE_AS = "Bạn đang là: {name} — {role}, {unit}."
CONSOLE_BYE = "Tạm biệt đồng chí."
CONSOLE_PROMPT = "> "
SETTINGS_ERROR = "Cấu hình không hợp lệ / invalid setting {name}: {problem}"
ROSTER_ERRORS = "Các dòng có lỗi (các dòng khác vẫn được nhập):"
DB_UPGRADED = "Cơ sở dữ liệu đã được nâng cấp lên phiên bản mới nhất. / Database is at the latest revision."
RUNNING = "Bot đang chạy trên Telegram (@{username}). Nhấn Ctrl+C để dừng. / Bot is running."
