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

# --- /web in the chat ---------------------------------------------------------------------------------------
WEB_FOR_LEADERS = (
    "Trang web tổng hợp dành cho bí thư, phó bí thư chi bộ và cán bộ cấp ủy. "
    "Đồng chí vẫn theo dõi việc của mình trong bot như thường: /camket, /capnhat."
)
WEB_NOT_CONFIGURED = "Trang web tổng hợp chưa được bật trên máy chủ này. Xin đồng chí báo quản trị viên."
WEB_LINK = (
    "Đường dẫn đăng nhập trang web tổng hợp của đồng chí:\n{url}\n\n"
    "Đường dẫn chỉ dùng được một lần, trong {minutes} phút, và chỉ dành cho đồng chí: xin đừng chuyển cho người khác. "
    "Phiên làm việc trên trình duyệt kéo dài 8 giờ; bấm «Đăng xuất» khi dùng xong."
)
LOGIN_TOO_MANY = "Có quá nhiều đường dẫn đăng nhập sai từ địa chỉ này. Xin thử lại sau một giờ."
LOGIN_INVALID = (
    "Đường dẫn đăng nhập không hợp lệ, đã dùng hoặc đã hết hạn. Xin đồng chí gửi /web trong bot để nhận đường dẫn mới."
)
MEMBER_UNKNOWN = "Không có đảng viên mã {code}. / No member with code {code}."
SESSIONS_NONE = "Không có phiên đăng nhập web nào đang mở. / No open web session."
SESSION_LINE = "{code}  {role}  từ {created}  đến {expires}"
SESSIONS_REVOKED = "Đã đóng {count} phiên đăng nhập web của {code}. / Closed {count} web session(s) of {code}."

# --- the dashboard's pages --------------------------------------------------------------------------------
SITE_TITLE = "Tổng hợp học tập và làm theo"
LOGIN_TITLE = "Đăng nhập trang tổng hợp"
LOGIN_PROMPT = "Bấm nút dưới đây để vào trang tổng hợp. Đường dẫn này chỉ dùng được một lần."
LOGIN_BUTTON = "Vào trang tổng hợp"
LOGIN_REFUSED_TITLE = "Không đăng nhập được"
LOGGED_OUT_TITLE = "Đã đăng xuất"
LOGGED_OUT = "Đồng chí đã đăng xuất. Để vào lại, gửi /web trong bot để nhận đường dẫn mới."
NEED_LOGIN_TITLE = "Cần đăng nhập"
NEED_LOGIN = "Phiên làm việc đã hết hoặc chưa đăng nhập. Xin đồng chí gửi /web trong bot để nhận đường dẫn đăng nhập."
NOT_FOUND_TITLE = "Không tìm thấy"
NOT_FOUND = "Không tìm thấy trang này, hoặc đơn vị không thuộc phạm vi đồng chí theo dõi."
BAD_INPUT_TITLE = "Thông tin chưa đúng"
LOGOUT = "Đăng xuất"
VIEWER = "{name} ({role})"

PERIOD_LEGEND = "Kỳ tổng hợp"
PERIOD_FROM = "Từ ngày"
PERIOD_TO = "Đến ngày"
PERIOD_SHOW = "Xem"
PERIOD_DATE_HINT = "dd/mm/yyyy"
PERIOD_BAD_DATES = "Xin nhập cả hai ngày theo dạng dd/mm/yyyy."
FIGURES_AT = "Số liệu đến ngày {date}."

COL_UNIT = "Đơn vị"
COL_MEMBERS = "Đảng viên"
COL_LINKED = "Đã kết nối"
COL_REGISTERED = "Đã đăng ký"
COL_COLLECTIVE = "Tập thể"
COL_MODELS = "Mô hình"
COL_UPDATED = "Cập nhật"
COL_COMPLETED = "Hoàn thành"
COL_BEHIND = "Chậm tiến độ"
COL_UNREACHABLE = "Không liên lạc được"
COL_STUDIED = "Đã học chuyên đề"
TOTAL = "Tổng cộng ({count} đơn vị)"
NO_CHILDREN = "Đơn vị này chưa có đơn vị trực thuộc."
SORT_HINT = "Bấm tên cột để sắp xếp."

TREND_TITLE = "Diễn biến năm {year}"
TREND_REGISTERED = "Đăng ký (% đảng viên)"
TREND_UPDATED = "Cập nhật (% đã đăng ký)"
TREND_COMPLETED = "Hoàn thành (% đã đăng ký)"
TREND_MONTH = "T{month}"
TREND_CAPTION = "Tỷ lệ theo từng tháng năm {year} của {unit}"

DOWNLOADS = "Tải về"
DOWNLOAD_EXCEL = "Báo cáo Excel (như /baocao)"
DOWNLOAD_CHART = "Biểu đồ diễn biến (PNG)"

PENDING_TITLE = "Bản đăng ký chờ duyệt"
PENDING_NOTE = "Chỉ xem. Việc duyệt thực hiện trong bot bằng lệnh /duyet."
PENDING_NONE = "Không có bản đăng ký nào chờ duyệt."
PENDING_MORE = "Và {count} bản khác (xem trong bot bằng /duyet)."

CELL_MEMBERS = "Đảng viên và nội dung đăng ký"
COL_MEMBER = "Đảng viên"
COL_DEED = "Nội dung làm theo"
COL_DEADLINE = "Hạn"
COL_PERCENT = "Tiến độ"
COL_LAST_UPDATE = "Cập nhật lần cuối"
COL_STATUS = "Trạng thái"
COL_PHOTO = "Ảnh minh chứng"
PHOTO_YES = "Có"
PHOTO_NO = "—"
NEVER = "chưa cập nhật"
NO_COMMITMENTS = "(chưa đăng ký)"
STATUS_NAMES = {"pending": "Chờ duyệt", "approved": "Đã duyệt", "returned": "Trả lại để sửa"}
STATUS_DONE = "Hoàn thành"
STATUS_LATE = "Chậm tiến độ"
NOT_REGISTERED = "Chưa đăng ký ({count})"
NOT_UPDATED = "Chưa cập nhật trong kỳ ({count})"
UNREACHABLE = "Không liên lạc được qua bot ({count})"
OUT_OF_SCOPE = "Không tính vào tỷ lệ ({count})"
OUT_EXEMPT = "miễn sinh hoạt, công tác"
OUT_PAUSED = "tạm dừng đến {date}"
OUT_OTHER = "không tính trong kỳ"
NOBODY = "Không có."
COLLECTIVES = "Nội dung tập thể và mô hình"
KIND_NAMES = {"collective": "Tập thể", "model": "Mô hình"}
STUDY_TITLE = "Học tập chuyên đề"
STUDY_SESSION = "{date}: {topic} ({count} người tham gia)"
STUDY_NONE = "Chưa có buổi học tập nào trong năm."
BREADCRUMB = "Đường dẫn"
COL_KIND = "Loại"
POLLER_ALREADY_RUNNING = (
    "Một tiến trình `lamtheo run` khác đang nhận tin (polling) cho bot này trên cùng cơ sở dữ liệu: chỉ được "
    "một tiến trình polling. Muốn chạy nhiều tiến trình, dùng `lamtheo run --webhook` sau một reverse proxy. "
    "/ Another `lamtheo run` is already polling this bot on this database: run one poller only, or several "
    "`lamtheo run --webhook` instances behind a reverse proxy."
)
