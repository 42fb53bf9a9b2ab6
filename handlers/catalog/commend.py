"""Vietnamese texts of exemplars (điển hình), commendations (/bieuduong), replicated models (nhân rộng mô hình),
activities (/hoatdong: hội thi, tọa đàm, cuộc thi viết) and their figures in roll-ups. Placeholders use str.format."""

# --- exemplar registration (in /dangky) ---------------------------------------------------------------------------
ASK_EXEMPLAR_INDIVIDUAL = (
    "Câu hỏi thêm: đồng chí có đăng ký phấn đấu trở thành cá nhân điển hình trong học tập và làm theo "
    "tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {year} không?"
)
ASK_EXEMPLAR_COLLECTIVE = (
    "Câu hỏi thêm: {cell} có đăng ký xây dựng tập thể điển hình trong học tập và làm theo "
    "tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {year} không?"
)
EXEMPLAR_YES = "Có, đăng ký xây dựng điển hình"
EXEMPLAR_NO = "Không"
CONFIRM_EXEMPLAR_INDIVIDUAL = "\nĐăng ký xây dựng cá nhân điển hình năm {year}: có"
CONFIRM_EXEMPLAR_COLLECTIVE = "\nĐăng ký xây dựng tập thể điển hình năm {year}: có"
EXEMPLAR_SAVED_INDIVIDUAL = "Đồng chí đã đăng ký xây dựng cá nhân điển hình năm {year}."
EXEMPLAR_SAVED_COLLECTIVE = "{cell} đã đăng ký xây dựng tập thể điển hình năm {year}."

# --- replicated models (in /dangky, a model of the cell) ---------------------------------------------------------
ASK_REPLICATION = (
    "Mô hình này có nhân rộng từ mô hình của đơn vị khác không? Chọn mô hình gốc trong danh sách, "
    "gõ một phần tên mô hình hoặc tên chi bộ để lọc, hoặc chọn «Không, mô hình riêng của chi bộ»."
)
REPLICATION_NONE = "Không, mô hình riêng của chi bộ"
REPLICATION_TYPED = "Mô hình gốc ngoài danh sách: «{name}»"
MODEL_OPTION = "{name} — {cell}"
CONFIRM_REPLICATES = "\nNhân rộng từ mô hình: {source}"
SOURCE_IN_BOT = "«{name}» ({cell})"
SOURCE_TYPED = "«{name}»"
SOURCE_GONE = "Mô hình gốc này không còn (đã rút lại). Xin đồng chí chọn lại."

# --- commendations (/bieuduong) -------------------------------------------------------------------------------------
FORM_LABELS = {"praise": "biểu dương", "reward": "khen thưởng"}
COMMEND_FORBIDDEN = (
    "Việc đề nghị biểu dương, khen thưởng do bí thư, phó bí thư chi bộ đề xuất và cấp ủy cấp trên quyết định."
)
MY_COMMENDATIONS_HEADER = "Đồng chí đã được biểu dương, khen thưởng:"
MY_COMMENDATION_LINE = "• {form} theo Quyết định số {number} ngày {date} ({level}){item}"
MY_COMMENDATION_ITEM = " — {item}"
CELL_LIST_HEADER = "Đề nghị biểu dương, khen thưởng của {cell} năm {year}:"
CELL_LIST_NONE = "{cell} chưa có đề nghị biểu dương, khen thưởng nào năm {year}."
CELL_LIST_LINE = "{number}. {nominee} — {state}"
STATE_PENDING = "đang chờ {level} xem xét"
STATE_COMMENDED = "đã được {form} (Quyết định số {number} ngày {date})"
STATE_RETURNED = "bị trả lại: {comment}"
STATE_WITHDRAWN = "đã rút"
NOMINEE_CELL = "Tập thể {cell}"
NOMINEE_MEMBER = "Đồng chí {name}"
CHOOSE = "Đồng chí muốn làm gì?"
NEW_PROPOSAL = "Đề nghị mới"
OPEN_RETURNED = "Sửa đề nghị bị trả lại: {nominee}"
DONE = "Xong"
ASK_NOMINEE = (
    "Đề nghị biểu dương, khen thưởng ai? Chọn tập thể chi bộ hoặc một đảng viên của chi bộ "
    "(gõ một phần tên để lọc)."
)
SELF_NOMINATION = "Đồng chí không tự đề nghị cho bản thân; xin nhờ đồng chí khác trong chi ủy đề xuất."
NOMINEE_GONE = "Đảng viên này không còn sinh hoạt ở chi bộ của đồng chí."
ASK_ITEM = "Đề nghị này gắn với nội dung làm theo hay mô hình nào? (Không bắt buộc.)"
ITEM_NONE = "Không gắn với nội dung cụ thể"
ITEM_GONE = "Nội dung này không còn hoặc không thuộc về người được đề nghị. Xin đồng chí chọn lại."
ASK_ACCOUNT = (
    "Tóm tắt thành tích: đã làm được việc gì, kết quả ra sao? (Ví dụ: «Vận động 12 hộ hiến đất mở rộng "
    "đường thôn, hoàn thành trước thời hạn 2 tháng».)"
)
CONFIRM_PROPOSAL = (
    "Xin đồng chí kiểm tra lại đề nghị:\n\n"
    "Đề nghị biểu dương, khen thưởng: {nominee}\n"
    "{item}"
    "Thành tích: {account}\n"
    "Gửi tới: {level}\n\n"
    "Gửi đề nghị?"
)
CONFIRM_ITEM = "Gắn với: {item}\n"
SEND = "Gửi đề nghị"
EDIT_ACCOUNT = "Sửa thành tích"
PROPOSED = "Đã gửi đề nghị biểu dương, khen thưởng {nominee} tới {level}. Kết quả sẽ được báo lại qua bot."
NO_LEVEL = "Chi bộ chưa có cấp ủy cấp trên trong danh sách tổ chức nên chưa gửi được đề nghị."
RETURNED_DETAIL = (
    "Đề nghị biểu dương, khen thưởng {nominee} bị {level} trả lại với ý kiến: {comment}\n\nThành tích đã ghi: {account}"
)
RESUBMIT = "Sửa thành tích và gửi lại"
WITHDRAW = "Rút đề nghị"
ASK_NEW_ACCOUNT = "Xin đồng chí gõ thành tích đã sửa, bổ sung:"
RESUBMITTED = "Đã gửi lại đề nghị biểu dương, khen thưởng {nominee} tới {level}."
WITHDRAWN = "Đã rút đề nghị biểu dương, khen thưởng {nominee}."
NOT_RETURNED = "Đề nghị này không ở trạng thái bị trả lại."

# committee staff
WAITING_HEADER = "Đề nghị chờ {unit} quyết định ({count}):"
WAITING_NONE = "Không có đề nghị nào chờ {unit} quyết định."
WAITING_LINE = "{number}. {nominee} ({cell}) — đề nghị ngày {date}"
LOWER_PENDING = "Đang chờ cấp dưới xem xét: {count} đề nghị."
YEAR_DONE = (
    "Năm {year}: đã biểu dương, khen thưởng {collective} tập thể và {individual} cá nhân; "
    "đề nghị cấp trên {up_collective} tập thể và {up_individual} cá nhân."
)
CHOOSE_PROPOSAL = "Chọn đề nghị cần xem xét."
DETAIL = (
    "Đề nghị biểu dương, khen thưởng: {nominee}\n"
    "Chi bộ: {cell}\n"
    "Người đề nghị: {proposer}, ngày {date}\n"
    "{item}"
    "Thành tích: {account}\n\n"
    "Quá trình:\n{history}"
)
HISTORY_LINE = "• {time} — {who} ({unit}): {action}{note}"
HISTORY_NOTE = ": «{note}»"
ACTION_LABELS = {
    "proposed": "đề nghị",
    "resubmitted": "sửa và gửi lại",
    "forwarded": "đề nghị {to} xem xét",
    "returned": "trả lại cho {to}",
    "commended": "quyết định {form}, số {number} ngày {date}",
    "withdrawn": "rút đề nghị",
}
DECIDE_PRAISE = "Quyết định biểu dương"  # not "Biểu dương" alone: typed, that is the command
DECIDE_REWARD = "Quyết định khen thưởng"
DECIDE_FORWARD = "Đề nghị cấp trên ({parent})"
DECIDE_RETURN = "Trả lại, kèm ý kiến"
ASK_DECISION_NUMBER = "Số quyết định {form} (ví dụ: 125-QĐ/ĐU):"
DECISION_NUMBER_INVALID = "Số quyết định cần có chữ số, ví dụ 125-QĐ/ĐU, tối đa {maximum} ký tự. Xin đồng chí gõ lại."
ASK_DECISION_DATE = "Ngày ký quyết định (gõ dd/mm/yyyy), hoặc chọn «Hôm nay»:"
TODAY = "Hôm nay"
DECISION_DATE_FUTURE = "Ngày quyết định không được sau hôm nay ({today})."
DECISION_DATE_TOO_OLD = "Ngày quyết định phải từ {limit} trở đi."
CONFIRM_DECISION = "Ghi quyết định {form} {nominee} theo Quyết định số {number} ngày {date} của {level}?"
CONFIRM = "Xác nhận"
COMMENDED = "Đã ghi quyết định {form} {nominee} (số {number} ngày {date})."
FORWARDED = "Đã đề nghị {parent} xem xét biểu dương, khen thưởng {nominee}."
NO_PARENT = "{unit} không có cấp trên trong danh sách tổ chức để đề nghị."
ASK_RETURN_COMMENT = "Xin đồng chí gõ ý kiến khi trả lại đề nghị (cần bổ sung, làm rõ điều gì):"
RETURNED_DONE = "Đã trả lại đề nghị biểu dương, khen thưởng {nominee} cho {to}."
OWN_PROPOSAL = (
    "Đồng chí không quyết định đề nghị do chính mình đề xuất hoặc đề nghị cho chính mình; "
    "đề nghị này cần đồng chí khác trong cấp ủy quyết định."
)
GONE = (
    "Đề nghị này không còn chờ đồng chí quyết định (đã được xử lý, đã rút hoặc không thuộc phạm vi của đồng chí)."
)

# notices through the delivery queue
NOTICE_COMMENDED_MEMBER = "Chúc mừng đồng chí đã được {level} {form} theo Quyết định số {number} ngày {date}."
NOTICE_COMMENDED_CELL = (
    "Chúc mừng: tập thể {cell} đã được {level} {form} theo Quyết định số {number} ngày {date}."
)
NOTICE_COMMENDED_PROPOSER = (
    "Đề nghị biểu dương, khen thưởng {nominee} đã được {level} quyết định {form} (Quyết định số {number} ngày {date})."
)
NOTICE_FORWARDED = "Đề nghị biểu dương, khen thưởng {nominee} đã được {level} đề nghị lên {parent} xem xét."
NOTICE_RETURNED_PROPOSER = (
    "Đề nghị biểu dương, khen thưởng {nominee} được {level} trả lại với ý kiến: {comment}\n"
    "Gõ /bieuduong để sửa và gửi lại, hoặc rút đề nghị."
)
NOTICE_RETURNED_LOWER = (
    "Đề nghị biểu dương, khen thưởng {nominee} ({cell}) được {level} trả lại với ý kiến: {comment}\n"
    "Gõ /bieuduong để xem xét lại."
)
NOTICE_WAITING = "Có đề nghị biểu dương, khen thưởng {nominee} ({cell}) chờ {level} quyết định. Gõ /bieuduong để xem."

# in /dulieu
MYDATA_HONOURS = "Điển hình, biểu dương, khen thưởng"
MYDATA_EXEMPLAR = "• Đăng ký xây dựng cá nhân điển hình năm {year}"
MYDATA_COMMENDATION = "• Năm {year}, đề nghị biểu dương, khen thưởng ({state}): {account}"
MYDATA_STATES = {"pending": "đang xem xét", "returned": "bị trả lại", "withdrawn": "đã rút", "commended": "đã quyết định"}
MYDATA_DECIDED = "{form} theo Quyết định số {number} ngày {date}"

# --- activities (/hoatdong) -------------------------------------------------------------------------------------------
ACTIVITY_KIND_LABELS = {
    "contest": "Hội thi",
    "seminar": "Tọa đàm",
    "writing": "Cuộc thi viết",
    "other": "Hoạt động khác",
}
ACTIVITIES_HEADER = "Hội thi, tọa đàm, cuộc thi viết gần đây của {cell}:"
ACTIVITY_LINE = "• {date}: {kind} «{title}» — {participants} người tham gia"
ACTIVITIES_NONE = "{cell} chưa ghi hội thi, tọa đàm hay cuộc thi viết nào."
ACTIVITY_NEW = "Ghi hoạt động mới"
ASK_ACTIVITY_KIND = "Hoạt động thuộc loại nào?"
ASK_ACTIVITY_DATE = "Hoạt động được tổ chức ngày nào? (Gõ dd/mm/yyyy, hoặc chọn «Hôm nay».)"
ASK_ACTIVITY_TITLE = "Tên hoạt động (ví dụ: «Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh»):"
ASK_PARTICIPANTS = "Có bao nhiêu người tham gia (thí sinh, người dự)? Gõ một số, ví dụ 35."
PARTICIPANTS_INVALID = "Xin gõ số người tham gia bằng chữ số, từ 1 đến {maximum} (ví dụ: 35)."
CONFIRM_ACTIVITY = (
    "Xin đồng chí kiểm tra lại:\n\n{kind}: {title}\nNgày tổ chức: {date}\nSố người tham gia: {participants}\n\n"
    "Lưu hoạt động này?"
)
SAVE = "Lưu"
ACTIVITY_SAVED = "Đã ghi {kind} «{title}» ngày {date}, {participants} người tham gia."
ACTIVITY_FORBIDDEN = "Chỉ bí thư, phó bí thư chi bộ được ghi hội thi, tọa đàm, cuộc thi viết của chi bộ."
ACTIVITY_NO_CELL = "Đồng chí không sinh hoạt ở chi bộ nào nên không có hoạt động để xem."
ACTIVITY_DATE_FUTURE = "Ngày tổ chức không được sau hôm nay ({today})."
ACTIVITY_DATE_TOO_OLD = "Chỉ ghi được hoạt động tổ chức từ ngày {limit} trở đi."
COMMITTEE_ACTIVITIES = (
    "Hội thi, tọa đàm, cuộc thi viết năm {year} — {unit}:\n"
    "{held}/{total} chi bộ đã tổ chức, {count} hoạt động, {participants} người tham gia."
)
COMMITTEE_ACTIVITY_UNITS = "{held}/{total} đơn vị trực thuộc đã tổ chức."
COMMITTEE_ACTIVITY_KINDS = "Theo loại: {kinds}."
COMMITTEE_ACTIVITY_KIND = "{kind} {count}"
COMMITTEE_ACTIVITY_UNIT = "• {unit}: {held}/{total} chi bộ, {count} hoạt động, {participants} người tham gia"
COMMITTEE_ACTIVITY_CELL = "• {unit}: {count} hoạt động, {participants} người tham gia"

# --- figures in /tonghop ------------------------------------------------------------------------------------------------
ROLLUP_EXEMPLARS = (
    "Đăng ký xây dựng điển hình: {exemplar_collective} tập thể, {exemplar_individual} cá nhân\n"
    "Đề nghị biểu dương, khen thưởng: {proposed_collective} tập thể, {proposed_individual} cá nhân · "
    "đã biểu dương, khen thưởng: {commended_collective} tập thể, {commended_individual} cá nhân · "
    "đề nghị cấp trên: {upward_collective} tập thể, {upward_individual} cá nhân"
)
ROLLUP_REPLICATIONS = "Mô hình nhân rộng từ mô hình của đơn vị khác: {replications}/{models}"
ROLLUP_ACTIVITIES_UNITS = (
    "Hội thi, tọa đàm, cuộc thi viết: {units_held}/{units} đơn vị trực thuộc ({cells_active}/{cells} chi bộ) "
    "đã tổ chức, {activities} hoạt động, {participants} người tham gia"
)
ROLLUP_ACTIVITIES_CELLS = (
    "Hội thi, tọa đàm, cuộc thi viết: {cells_active}/{cells} chi bộ đã tổ chức, {activities} hoạt động, "
    "{participants} người tham gia"
)
ROLLUP_ACTIVITIES_CELL = "Hội thi, tọa đàm, cuộc thi viết: {activities} hoạt động, {participants} người tham gia"
ROLLUP_PILOTS = "Mô hình được nhân rộng:"
ROLLUP_PILOT = "• «{name}» ({cell}) → {cells}"
ROLLUP_PILOT_TYPED = "• «{name}» → {cells}"
