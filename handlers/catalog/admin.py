"""Vietnamese texts of the operator's command line (lamtheo ...). Technical words stay bilingual."""

MEMBER_UNKNOWN = "Không tìm thấy đảng viên có mã «{code}»."
UNIT_UNKNOWN = "Không tìm thấy đơn vị «{name}»."
UNIT_AMBIGUOUS = "Có {count} đơn vị cùng tên «{name}». Xin dùng --member hoặc đổi tên cho rõ."
YEAR_INVALID = "Năm {year} không hợp lệ."
THEME_SET = "Đã đặt chuyên đề năm {year}: «{title}»."
THEME_NONE = "Chưa đặt chuyên đề cho năm {year}."
INVITE_HEADER = "Mã mời (mỗi mã chỉ dùng được một lần):"
INVITE_LINE = "{member_code}\t{full_name}\t{unit}\t{code}\t{expires}\t{link}{linked}"
INVITE_LINKED = "\t(đã liên kết: {platforms})"
INVITE_EXPIRES = "hết hạn {at}"
INVITE_FOR_PLATFORM = "chỉ dùng trên {platform}"
INVITE_SKIPPED_LINE = "{member_code}\t{full_name}\t{unit}\t{skipped}"
INVITE_SKIPPED = "đã liên kết {platforms}: không cấp mã (--relink để cấp lại, --platform để thêm nền tảng)"
INVITE_PLATFORM_UNKNOWN = "Nền tảng «{platform}» không dùng mã mời (chỉ telegram hoặc zalo)."
INVITE_NO_USERNAME = (
    "Chưa biết tên bot Telegram (đặt TELEGRAM_BOT_TOKEN hoặc TELEGRAM_BOT_USERNAME) nên chỉ in mã; "
    "đảng viên gõ mã này cho bot. / Bot username unknown: printing codes only."
)
INVITE_COUNT = "{count} mã mời; {skipped} đảng viên đã liên kết được bỏ qua."
ACCOUNTS_HEADER = "Tài khoản nhắn tin của {code} — {name} (mã số, nền tảng, tài khoản, liên kết lúc, dùng gần nhất):"
ACCOUNT_LINE = "#{id}\t{platform}\t{masked}\t{linked}\t{seen}\t{state}"
ACCOUNT_REACHABLE = "nhận được tin"
ACCOUNT_BLOCKED = "đã chặn bot từ {at}"
ACCOUNTS_NONE = "Chưa liên kết tài khoản nào."
ACCOUNTS_HINT = "Gỡ một tài khoản: lamtheo member unlink {code} --account <mã số>"
ACCOUNT_UNKNOWN = "Đảng viên {code} không có tài khoản #{id}. Xem danh sách: lamtheo member accounts {code}"
ACCOUNT_UNLINKED = (
    "Đã gỡ tài khoản #{id} ({platform} {masked}) khỏi {code}; đã báo cho {told} tài khoản còn lại của đồng chí."
)
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
    "Running a terminal demo on sample data. Đang dùng thử với tư cách: {name} — {role}, {unit}.\n"
    "Gõ /trogiup để xem lệnh, /huy để hủy, Ctrl+D để thoát. Thử /as DV002 để đổi sang bí thư chi bộ, "
    "/as DV025 sang cấp ủy xã; /tonghop, /baocao, /bieuduong cho thấy một năm mẫu. "
    "Muốn làm lại từ đầu: lamtheo demo reset."
)
DEMO_RESET = (
    "Đã tạo lại dữ liệu chạy thử ({path}): danh sách mẫu và một năm học tập, làm theo. Chạy make run để dùng thử.\n"
    "The demo database was started over with a sample year; run `make run`."
)
CONSOLE_AS = "Đang dùng với tư cách: {name} — {role}, {unit}."
CONSOLE_BYE = "Tạm biệt đồng chí."
CONSOLE_PROMPT = "> "
SETTINGS_ERROR = "Cấu hình không hợp lệ / invalid setting {name}: {problem}"
SECRET_TOO_SHORT = (
    "cần ít nhất {length} ký tự, không có khoảng trắng, ví dụ tạo bằng: "
    'python -c "import secrets; print(secrets.token_urlsafe(32))" '
    "/ needs at least {length} characters without spaces"
)
ROSTER_ERRORS = "Các dòng có lỗi (các dòng khác vẫn được nhập):"
DB_UPGRADED = "Cơ sở dữ liệu đã được nâng cấp lên phiên bản mới nhất. / Database is at the latest revision."
DB_BACKED_UP = "Đã sao lưu cơ sở dữ liệu vào {path}. / Backup written to {path}."
DB_RESTORED = (
    "Đã khôi phục cơ sở dữ liệu từ {path}. Chạy lại bot để xử lý các cập nhật còn chờ. / Restored from {path}."
)
DB_BACKUP_FAILED = {
    "tool_missing": "Không tìm thấy chương trình {detail} (gói postgresql-client). / {detail} is not installed.",
    "not_empty": (
        "Cơ sở dữ liệu đích đã có dữ liệu: chỉ khôi phục vào một cơ sở dữ liệu trống (tạo mới, hoặc xoá rồi tạo lại). "
        "/ The target database is not empty."
    ),
    "wrong_kind": (
        "Tệp này không phải bản sao lưu của loại cơ sở dữ liệu đang dùng (SQLite hoặc PostgreSQL). "
        "/ Not a backup of this kind of database."
    ),
    "not_found": "Không tìm thấy tệp hoặc cơ sở dữ liệu. / File or database not found.",
    "tool_failed": "Sao lưu hoặc khôi phục không thành công: {detail} / Backup or restore failed: {detail}",
}
RUNNING = "Bot đang chạy trên Telegram. Nhấn Ctrl+C để dừng. / The bot is running on Telegram; Ctrl+C stops it."
DEMO_THEME = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về xây dựng chi bộ vững mạnh (chuyên đề mẫu để chạy thử)"
DEMO_NEEDS_TERMINAL = "Bản chạy thử cần một cửa sổ dòng lệnh (terminal). / The demo needs an interactive terminal."
IMPORT_PROGRESS = "Đang nhập"
DRY_RUN_CHANGES = "Những thay đổi sẽ được ghi:"
