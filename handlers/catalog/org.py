"""Vietnamese texts of organisation changes (operator CLI) and of personal data (/dulieu, export)."""

# --- naming a unit ----------------------------------------------------------------------------------------
UNIT_UNKNOWN = "Không tìm thấy đơn vị «{name}»."
UNIT_AMBIGUOUS = (
    "Có {count} đơn vị cùng tên «{name}»:\n{lines}\n"
    "Xin ghi rõ theo dạng «Đơn vị cấp trên / Tên đơn vị» hoặc dùng mã số (id) của đơn vị."
)
UNIT_CANDIDATE = "  id {id}: {label}{inactive}"
UNIT_INACTIVE_MARK = " (đã ngừng hoạt động)"
KIND_NAMES = {"cell": "chi bộ", "committee": "đảng bộ"}

# --- refusals -------------------------------------------------------------------------------------------
UNIT_INACTIVE = "Đơn vị «{name}» đã ngừng hoạt động (đã sáp nhập hoặc giải thể trước đó), không thể thay đổi thêm."
SAME_UNIT = "Đơn vị cần thay đổi và đơn vị đích là một («{name}»)."
TARGET_INSIDE = "Không thể đưa «{unit}» vào chính nó hoặc vào một đơn vị trực thuộc nó («{target}»)."
KIND_MISMATCH = (
    "«{unit}» là {kind}, còn «{target}» là {target_kind}: chỉ sáp nhập hoặc giải thể chi bộ vào chi bộ, "
    "đảng bộ vào đảng bộ."
)
PARENT_NOT_COMMITTEE = "«{target}» là chi bộ; chỉ có thể chuyển đơn vị về trực thuộc một đảng bộ."
ALREADY_THERE = "«{unit}» đã trực thuộc «{target}», không có gì thay đổi."
NAME_TAKEN = "«{target}» đã có đơn vị trực thuộc tên «{name}». Xin đổi tên một trong hai đơn vị trước."

# --- what changes ----------------------------------------------------------------------------------------
ACTION_NAMES = {"merge": "Sáp nhập", "move": "Chuyển", "dissolve": "Giải thể"}
CHANGE_DRY_RUN = "Chạy thử (--dry-run): chưa ghi gì vào cơ sở dữ liệu. / Dry run: nothing written."
CHANGE_HEADER = "{action} «{unit}» → «{target}»"
CHANGE_DONE = "Đã ghi thay đổi. / Change saved."
CHANGE_MEMBERS = "Đảng viên chuyển sang «{target}» ({count}):"
CHANGE_MEMBER_LINE = "  {code}\t{name}"
CHANGE_UNITS = "Đơn vị trực thuộc chuyển về «{target}» ({count}):"
CHANGE_UNIT_LINE = "  {label}"
CHANGE_PATHS = "Đường dẫn (path) được viết lại ({count}):"
CHANGE_PATH_LINE = "  {label}: {old} → {new}"
CHANGE_SCOPES = "Phạm vi quản lý (bí thư, phó bí thư, cấp ủy) chuyển sang «{target}» ({count}):"
CHANGE_COMMITMENTS = "Đăng ký tập thể và mô hình chuyển sang «{target}»: {count}"
CHANGE_MEMBERS_WITH_UNIT = "Đảng viên đi cùng đơn vị (không đổi chi bộ): {count}"
CHANGE_DEACTIVATED = "«{unit}» ngừng hoạt động (vẫn giữ trong lịch sử để báo cáo các kỳ trước đúng như cũ)."
CHANGE_SCHEDULE_OFF = "Lịch sinh hoạt của «{unit}» được tắt."
CHANGE_NONE = "  (không có)"
CHANGE_ROSTER_HINT = (
    "Lưu ý: sửa cột Chi bộ / Đảng bộ trong tệp danh sách đảng viên cho khớp trước khi nhập lại (import-roster). "
    "/ Update the roster file before importing it again."
)

# --- personal data: the operator ---------------------------------------------------------------------------
MEMBER_UNKNOWN = "Không tìm thấy đảng viên có mã «{code}»."
EXPORT_WRITTEN = "Đã xuất dữ liệu của {code} ra tệp {path}."
ANONYMISED = "Đã xóa dữ liệu cá nhân của {code}; mã ẩn danh mới: {token}. Số liệu cũ vẫn được tính ẩn danh."
ALREADY_ANONYMISED = "Dữ liệu cá nhân của đảng viên này đã được xóa trước đó ({token})."

# --- personal data: /dulieu ------------------------------------------------------------------------------------
MYDATA_PAGE = "Dữ liệu bot đang lưu về đồng chí — trang {page}/{pages}"
MYDATA_PROFILE = "I. Hồ sơ"
MYDATA_CODE = "Mã đảng viên: {value}"
MYDATA_NAME = "Họ và tên: {value}"
MYDATA_POSITION = "Chức vụ: {value}"
MYDATA_ROLE = "Vai trò: {value}"
MYDATA_CELL = "Chi bộ: {value}"
MYDATA_SCOPE = "Đơn vị quản lý: {value}"
MYDATA_PHONE = "Số điện thoại: {value}"
MYDATA_EXEMPT = "Miễn sinh hoạt: {value}"
MYDATA_ADDED = "Có trong danh sách từ: {value}"
MYDATA_NONE = "không có"
MYDATA_YES = "có"
MYDATA_NO = "không"
MYDATA_CONSENT = "II. Sự đồng ý về dữ liệu cá nhân"
MYDATA_CONSENT_LINE = "• {action} — {time} (thông báo phiên bản {version})"
CONSENT_ACTIONS = {"given": "Đồng ý", "declined": "Không đồng ý", "withdrawn": "Rút lại sự đồng ý"}
MYDATA_ACCOUNTS = "III. Tài khoản nhắn tin đã liên kết"
MYDATA_ACCOUNT_LINE = "• {platform} — liên kết {linked}, dùng lần cuối {seen}"
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "Dòng lệnh (máy của người quản trị)"}
MYDATA_COMMITMENTS = "IV. Nội dung làm theo đã đăng ký ({count})"
MYDATA_COMMITMENT = "{number}. [{year}, {kind}] {content}"
MYDATA_MEASURES = "   Giải pháp: {value}"
MYDATA_COMMITMENT_STATE = "   Thời hạn {deadline} · Tiến độ {percent}% · {status} · {review}"
MYDATA_REVIEW_COMMENT = "   Ý kiến chi ủy: {value}"
MYDATA_PROGRESS = "   • {time}: {percent}%{note}"
MYDATA_EVIDENCE = "   Ảnh minh chứng đã gửi: {count}"
MYDATA_ASSESSMENT = "   Tự đánh giá ({time}): {result}{cause}{remedy}"
MYDATA_CAUSE = " · Nguyên nhân: {value}"
MYDATA_REMEDY = " · Biện pháp: {value}"
KIND_LABELS = {"individual": "cá nhân", "collective": "tập thể", "model": "mô hình"}
STATUS_LABELS = {"active": "đang thực hiện", "withdrawn": "đã rút lại"}
REVIEW_LABELS = {"pending": "chờ chi ủy duyệt", "approved": "đã duyệt", "returned": "trả lại để sửa"}
RESULT_LABELS = {"done": "hoàn thành", "partial": "hoàn thành một phần", "not_done": "chưa hoàn thành"}
MYDATA_STUDY = "V. Học tập chuyên đề"
MYDATA_STUDY_LINE = "• {date} — {title}{confirmed}"
MYDATA_STUDY_CONFIRMED = " (đồng chí đã xác nhận)"
MYDATA_REMINDERS = "VI. Nhắc nhở"
MYDATA_REMIND_HOUR = "Giờ nhắc: {value}"
MYDATA_REMIND_DEFAULT = "mặc định"
MYDATA_QUIET = "Giờ yên lặng: {start} giờ – {end} giờ"
MYDATA_PAUSED = "Tạm dừng nhắc đến: {value}"
MYDATA_PREFERRED = "Nhận tin qua: {value}"
MYDATA_PREFERRED_LAST = "nền tảng dùng gần nhất"
MYDATA_RESPONSES = "Các lần trả lời lời nhắc: {count}"
MYDATA_MOVES = "VII. Chuyển sinh hoạt"
MYDATA_MOVE_LINE = "• {date}: {source} → {target}"
MYDATA_EMPTY = "  (không có)"
MYDATA_CHOICE_NEXT = "Trang sau"
MYDATA_CHOICE_PREVIOUS = "Trang trước"
MYDATA_CHOICE_WITHDRAW = "Rút lại sự đồng ý"
MYDATA_CHOICE_CLOSE = "Đóng"
MYDATA_PROMPT = "Đồng chí có thể xem trang khác, hoặc rút lại sự đồng ý cho bot lưu dữ liệu."
WITHDRAW_WARNING = (
    "Nếu rút lại sự đồng ý:\n"
    "• Họ tên, mã đảng viên, chức vụ, số điện thoại của đồng chí bị xóa, thay bằng mã ẩn danh «{token}».\n"
    "• Nội dung và giải pháp các bản đăng ký cá nhân, ghi chú tiến độ, ảnh minh chứng, nguyên nhân và biện pháp "
    "trong tự đánh giá bị xóa.\n"
    "• Ở mọi nơi khác có ghi họ tên, số điện thoại hoặc mã của đồng chí (ý kiến duyệt, thông báo, tên buổi học tập, "
    "đề nghị biểu dương, tin nhắn chờ gửi), các thông tin đó cũng được thay bằng «{token}».\n"
    "• Tài khoản nhắn tin bị hủy liên kết; bot sẽ không còn nhận ra đồng chí.\n"
    "• Các con số (đã đăng ký, tiến độ %, đã học tập chuyên đề) vẫn được tính vào báo cáo chung của chi bộ "
    "dưới dạng ẩn danh, không kèm tên.\n"
    "• Không thể hoàn tác. Muốn dùng lại bot, đồng chí cần xin mã mời mới từ bí thư chi bộ.\n\n"
    "Đồng chí chắc chắn muốn rút lại sự đồng ý?"
)
WITHDRAW_CONFIRM = "Xác nhận rút lại"
WITHDRAW_KEEP = "Không, giữ nguyên"
WITHDRAW_KEPT = "Đã giữ nguyên, dữ liệu của đồng chí không thay đổi."
WITHDRAW_DONE = (
    "Đã rút lại sự đồng ý và xóa dữ liệu cá nhân của đồng chí lúc {time}. "
    "Tài khoản này không còn liên kết với bot. Cảm ơn đồng chí."
)
ANONYMOUS_TEXT = "(đã xóa theo yêu cầu của đảng viên)"
