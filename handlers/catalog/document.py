"""Vietnamese texts of the report the committee signs (DOCX, Hướng dẫn 36-HD/VPTW) and of the Excel sheets of
exemplars, commendations and activities. Placeholders use str.format names."""

# --- Excel: the sheets of exemplars, commendations and activities ---------------------------------------------------
SHEET_HONOURS = "Số liệu điển hình"
SHEET_COMMENDATIONS = "Điển hình, khen thưởng"
SHEET_ACTIVITIES = "Hội thi, tọa đàm"
XL_HONOURS_TITLE = "ĐIỂN HÌNH, KHEN THƯỞNG, MÔ HÌNH NHÂN RỘNG, HỘI THI, TỌA ĐÀM — {unit}"
XL_HONOURS_HEADERS = (
    "STT",
    "Đơn vị",
    "Tập thể đăng ký xây dựng điển hình",
    "Cá nhân đăng ký xây dựng điển hình",
    "Tập thể được đề nghị biểu dương, khen thưởng",
    "Cá nhân được đề nghị biểu dương, khen thưởng",
    "Tập thể đã được biểu dương, khen thưởng",
    "Cá nhân đã được biểu dương, khen thưởng",
    "Tập thể đề nghị cấp trên",
    "Cá nhân đề nghị cấp trên",
    "Mô hình",
    "Mô hình nhân rộng",
    "Chi bộ đã tổ chức hội thi, tọa đàm / tổng số",
    "Số hội thi, tọa đàm, cuộc thi viết",
    "Số người tham gia",
)
XL_COMMENDATIONS_TITLE = "DANH SÁCH ĐỀ NGHỊ VÀ QUYẾT ĐỊNH BIỂU DƯƠNG, KHEN THƯỞNG — {unit}"
XL_COMMENDATIONS_HEADERS = (
    "STT",
    "Chi bộ",
    "Tập thể, cá nhân được đề nghị",
    "Loại",
    "Gắn với nội dung, mô hình",
    "Thành tích",
    "Người đề nghị",
    "Ngày đề nghị",
    "Tình trạng",
    "Hình thức",
    "Số quyết định",
    "Ngày quyết định",
    "Cấp quyết định",
)
XL_NOMINEE_KIND = {"individual": "Cá nhân", "collective": "Tập thể"}
XL_STATE = {
    "pending": "Đang chờ {level} xem xét",
    "commended": "Đã quyết định",
    "returned": "Bị trả lại: {comment}",
}
XL_ACTIVITIES_TITLE = "HỘI THI, TỌA ĐÀM, CUỘC THI VIẾT — {unit}"
XL_ACTIVITIES_HEADERS = ("STT", "Chi bộ", "Loại", "Tên hoạt động", "Ngày tổ chức", "Số người tham gia")
XL_NONE = "(Chưa có trong kỳ báo cáo)"
XL_ACTIVITIES_TOTAL = "Cộng: {count} hoạt động"

# --- /baocao and `lamtheo report`: which report ------------------------------------------------------------------------
ASK_FORMAT = "Đồng chí cần báo cáo nào?"
FORMAT_XLSX = "Báo cáo Excel (số liệu)"
FORMAT_DOCX = "Báo cáo Word (dự thảo để trình ký)"
FORMAT_WORDS = {"word": "docx", "docx": "docx", "excel": "xlsx", "xlsx": "xlsx"}  # typed after /baocao (folded)
DOCX_READY = (
    "Lưu ý: đây là bản dự thảo, lời văn do bot soạn từ số liệu. Xin đồng chí biên tập lại, bổ sung số văn bản, "
    "nhận xét, phương hướng trước khi trình ký.\n"
    "Dự thảo báo cáo {unit}, {period}: tệp Word đính kèm."
)
CLI_DOCX_WRITTEN = (
    "Lưu ý: đây là bản dự thảo, lời văn do bot soạn từ số liệu; người soạn thảo biên tập lại, bổ sung số văn bản, "
    "nhận xét, phương hướng trước khi trình ký. / A draft: edit the prose before it is signed.\n"
    "Đã ghi dự thảo báo cáo {unit}, {period} vào {path}."
)

# --- the report the committee signs (DOCX, Hướng dẫn 36-HD/VPTW) -------------------------------------------------------
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
STAR = "*"
NUMBER = "Số:        -BC/{symbol}"
PLACE_DATE = "{place}, ngày {day:02d} tháng {month:02d} năm {year}"
PLACE_UNKNOWN = "……………"
TITLE = "BÁO CÁO"
SUBTITLE = "kết quả thực hiện Chỉ thị 05-CT/TW của Bộ Chính trị"
SUBTITLE_PERIOD = "{period}"
RULE = "-----"
OPENING = (
    "Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, "
    "đạo đức, phong cách Hồ Chí Minh{theme}, {issuer} báo cáo kết quả thực hiện {period} (số liệu đến ngày {end}) "
    "như sau:"
)
OPENING_THEME = " và chuyên đề năm {year} «{title}»"
PART_RESULTS = "I. KẾT QUẢ THỰC HIỆN"
PART_LIMITS = "II. HẠN CHẾ"
PART_NEXT = "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"
HEAD_STUDY = "1. Học tập chuyên đề"
HEAD_REGISTER = "2. Đăng ký và thực hiện nội dung làm theo"
HEAD_MODELS = "3. Xây dựng điển hình, mô hình học tập và làm theo"
HEAD_ACTIVITIES = "4. Hội thi, tọa đàm, cuộc thi viết"
HEAD_COMMEND = "5. Biểu dương, khen thưởng"
STUDY_CELLS = (
    "{cells_studied}/{cells} chi bộ đã tổ chức học tập chuyên đề cho {studied} đảng viên, đạt {studied_pct} số "
    "đảng viên trong diện theo dõi ({members} đồng chí)."
)
STUDY_CELL = "Chi bộ đã tổ chức học tập chuyên đề cho {studied}/{members} đảng viên, đạt {studied_pct}."
STUDY_CELL_NONE = "Trong kỳ, chi bộ chưa ghi nhận buổi học tập chuyên đề nào ({members} đảng viên trong diện theo dõi)."
REGISTER = (
    "Có {registered}/{members} đảng viên đăng ký nội dung làm theo, đạt {registered_pct}; {collective} tập thể "
    "chi bộ đăng ký nội dung làm theo của tập thể. Trong kỳ, {updated} đồng chí cập nhật kết quả thực hiện "
    "({updated_pct} số đã đăng ký); {completed} đồng chí đã hoàn thành toàn bộ nội dung đăng ký ({completed_pct}); "
    "còn {behind} nội dung chậm tiến độ."
)
LINKED = "{linked}/{members} đảng viên đã dùng bot để đăng ký và cập nhật kết quả làm theo."
EXEMPLARS = (
    "{exemplar_collective} tập thể, {exemplar_individual} cá nhân đăng ký xây dựng tập thể, cá nhân điển hình "
    "trong học tập, làm theo gương Bác."
)
MODELS = (
    "Toàn {unit} triển khai {models} mô hình học tập, làm theo gương Bác, trong đó {replications} mô hình "
    "nhân rộng từ mô hình của đơn vị khác."
)
MODELS_LIST = "Các mô hình:"
MODEL_ITEM = "Mô hình «{name}» ({cell})"
MODEL_ITEM_FOLLOWS = "Mô hình «{name}» ({cell}), nhân rộng từ mô hình {source}"
MORE_ITEMS = "… và {count} mô hình khác (xem danh sách kèm theo trong báo cáo Excel)."
ACTIVITIES_UNITS = (
    "{units_held}/{units} đơn vị trực thuộc ({cells_active}/{cells} chi bộ) đã tổ chức hội thi, tọa đàm, cuộc thi "
    "viết với tổng số {participants} người tham gia ({activities} hoạt động)."
)
ACTIVITIES_CELLS = (
    "{cells_active}/{cells} chi bộ đã tổ chức hội thi, tọa đàm, cuộc thi viết với tổng số {participants} người "
    "tham gia ({activities} hoạt động)."
)
ACTIVITIES_CELL = "Chi bộ đã tổ chức {activities} hội thi, tọa đàm, cuộc thi viết với tổng số {participants} người tham gia."
ACTIVITIES_NONE = "Trong kỳ chưa tổ chức hội thi, tọa đàm, cuộc thi viết."
ACTIVITY_ITEM = "{kind} «{title}» ({cell}, ngày {date}): {participants} người tham gia"
COMMEND = (
    "Đã biểu dương, khen thưởng {commended_collective} tập thể và {commended_individual} cá nhân; đề nghị cấp trên "
    "biểu dương, khen thưởng {upward_collective} tập thể và {upward_individual} cá nhân."
)
COMMENDED_LIST = "Các tập thể, cá nhân được biểu dương, khen thưởng:"
COMMENDED_ITEM = "{nominee} ({cell}): {form} theo Quyết định số {number} ngày {date} của {level} — {account}"
LIMIT_NOT_REGISTERED = "còn {count} đảng viên chưa đăng ký nội dung làm theo"
LIMIT_NOT_UPDATED = "{count} đồng chí đã đăng ký nhưng chưa cập nhật kết quả trong kỳ"
LIMIT_BEHIND = "{count} nội dung chậm tiến độ"
LIMIT_NOT_STUDIED = "{count} chi bộ chưa tổ chức học tập chuyên đề"
LIMIT_UNREACHABLE = "{count} đảng viên không liên lạc được qua bot"
LIMITS = "Bên cạnh kết quả đạt được, {items}."
LIMITS_NONE = "Số liệu trong kỳ không cho thấy hạn chế nổi bật; cấp ủy bổ sung nhận xét của mình."
NEXT_STEPS = (
    "Tiếp tục đôn đốc đảng viên cập nhật kết quả làm theo trước mỗi kỳ sinh hoạt chi bộ, khắc phục tình trạng "
    "đăng ký còn hình thức.",
    "Chú trọng phát hiện, biểu dương, nhân rộng các điển hình tiên tiến, mô hình hay trong học tập và làm theo "
    "tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    "Gắn kết quả học tập và làm theo với việc đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên cuối năm.",
)
RECIPIENTS = "Nơi nhận:"
RECIPIENT_PARENT = "- {parent} (để báo cáo),"
RECIPIENT_CHILDREN = "- Các chi bộ, đảng bộ trực thuộc,"
RECIPIENT_FILE = "- Lưu {office}."
OFFICE_OF = "Văn phòng {issuer}"
ON_BEHALF = "T/M {body}"
SECRETARY = "BÍ THƯ"

RECIPIENT_FILE_CELL = "- Lưu chi bộ."
# How a unit's name becomes the committee that issues and signs (first words of the name, folded; the committee's
# name in place of them; "T/M …"; the document symbol). The first rule that matches wins.
ISSUERS = (
    ("dang bo tinh", "Tỉnh ủy", "BAN THƯỜNG VỤ", "TU"),
    ("dang bo thanh pho", "Thành ủy", "BAN THƯỜNG VỤ", "TU"),
    ("dang bo", "Đảng ủy", "ĐẢNG ỦY", "ĐU"),
    ("chi bo", "Chi bộ", "CHI BỘ", "CB"),
)
ISSUER_OTHER = ("CẤP ỦY", "CU")
# Words before a place's name in a committee's name ("Đảng bộ xã Thanh Sơn": Thanh Sơn), folded, longest first.
PLACE_PREFIXES = (
    "dang bo thanh pho",
    "dang bo thi tran",
    "dang bo dac khu",
    "dang bo phuong",
    "dang bo tinh",
    "dang bo xa",
    "dang bo",
    "chi bo",
)
