"""Vietnamese texts of the web server: file-link pages and the operator's `lamtheo webhook` / `run --webhook`."""

# --- pages a member sees when opening a file link ---------------------------------------------------------
FILE_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
    '<body style="font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em">'
    "<h1>{title}</h1><p>{text}</p></body></html>"
)
FILE_EXPIRED_TITLE = "Đường dẫn đã hết hạn"
FILE_EXPIRED = "Đường dẫn tải tệp này đã hết hạn. Xin đồng chí yêu cầu lại báo cáo trong bot để nhận đường dẫn mới."
FILE_FORBIDDEN_TITLE = "Không mở được tệp"
FILE_FORBIDDEN = (
    "Đường dẫn không hợp lệ hoặc không dành cho đồng chí. Xin đồng chí dùng đúng đường dẫn bot đã gửi cho mình."
)
FILE_NOT_FOUND_TITLE = "Không tìm thấy tệp"
FILE_NOT_FOUND = "Không tìm thấy tệp này (có thể đã được xóa khi hết hạn). Xin đồng chí yêu cầu lại trong bot."

# --- the operator's command line ------------------------------------------------------------------------
WEBHOOK_NEEDS_SETTINGS = (
    "Chế độ webhook cần WEBHOOK_BASE_URL (địa chỉ https công khai) và WEBHOOK_SECRET trong .env. "
    "/ Webhook mode needs WEBHOOK_BASE_URL (public https URL) and WEBHOOK_SECRET."
)
WEBHOOK_NO_PLATFORM = (
    "Chưa cấu hình nền tảng nào (TELEGRAM_BOT_TOKEN hoặc ZALO_BOT_TOKEN). "
    "/ No platform configured (TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN)."
)
WEBHOOK_PLATFORM_MISSING = "Chưa cấu hình {platform} (thiếu token). / {platform} is not configured (no token)."
WEBHOOK_SET = "{platform}: đã đặt webhook {url}"
WEBHOOK_DELETED = "{platform}: đã xóa webhook."
WEBHOOK_INFO = "{platform}: webhook {url}; đang chờ: {pending}; lỗi gần nhất: {error}"
WEBHOOK_INFO_NONE = "(chưa đặt)"
WEBHOOK_INFO_NO_ERROR = "không có"
WEBHOOK_FAILED = "{platform}: thao tác webhook không thành công ({reason})."
WEBHOOK_RUNNING = (
    "Bot đang chạy ở chế độ webhook trên {listen}:{port} ({platforms}). Nhấn Ctrl+C để dừng. "
    "/ The bot is serving webhooks; Ctrl+C stops it."
)
POLLER_ALREADY_RUNNING = (
    "Một tiến trình `lamtheo run` khác đang nhận tin (polling) cho bot này trên cùng cơ sở dữ liệu: chỉ được "
    "một tiến trình polling. Muốn chạy nhiều tiến trình, dùng `lamtheo run --webhook` sau một reverse proxy. "
    "/ Another `lamtheo run` is already polling this bot on this database: run one poller only, or several "
    "`lamtheo run --webhook` instances behind a reverse proxy."
)
