"""Vietnamese texts of approval (/duyet), collective commitments and models, the year-end self-assessment
(/tudanhgia) and the study of the year's theme (/hoctap). Placeholders use str.format names."""

# --- approval (/duyet) ------------------------------------------------------------------------------------
REVIEW_FORBIDDEN = (
    "Chức năng duyệt bản đăng ký dành cho bí thư, phó bí thư chi bộ và cấp ủy. "
    "Đồng chí có thể xem bản đăng ký của mình bằng lệnh /camket."
)
REVIEW_NONE_PENDING = "Không có bản đăng ký nào đang chờ duyệt."
REVIEW_LIST_HEADER = "Bản đăng ký chờ duyệt ({count}), cấp ủy viên và lãnh đạo chi bộ trước:"
REVIEW_LIST_LINE = "{number}. {name} ({position}) — {content}"
REVIEW_LIST_LINE_CELL = "{number}. {name} ({position}, {cell}) — {content}"
REVIEW_CHOOSE = "Chọn bản đăng ký cần xem."
REVIEW_DETAIL = (
    "Bản đăng ký của đồng chí {name} ({position}, {cell}), năm {year}:\n\n"
    "Nội dung làm theo: {content}\n"
    "Giải pháp thực hiện: {measures}\n"
    "Thời hạn: {deadline}"
)
REVIEW_PREVIOUS_COMMENT = "\n\nLần trước chi ủy trả lại với ý kiến: {comment}"
REVIEW_APPROVE = "Duyệt"
REVIEW_RETURN = "Trả lại, kèm ý kiến"
REVIEW_ASK_COMMENT = "Xin đồng chí gõ ý kiến của chi ủy (cần sửa gì) để gửi kèm khi trả lại bản đăng ký:"
REVIEW_APPROVED = "Đã duyệt bản đăng ký của đồng chí {name}."
REVIEW_RETURNED = "Đã trả lại bản đăng ký của đồng chí {name} kèm ý kiến. Đảng viên sẽ thấy ý kiến khi mở bot."
REVIEW_OWN = (
    "Đồng chí không tự duyệt bản đăng ký của mình: bản đăng ký của đồng chí do đồng chí khác trong chi ủy "
    "hoặc cấp ủy cấp trên duyệt."
)
REVIEW_GONE = "Bản đăng ký này không còn chờ duyệt (đã được xử lý, đã rút lại hoặc không thuộc phạm vi của đồng chí)."
NOTICE_APPROVED = "Bản đăng ký «{content}» của đồng chí đã được chi ủy duyệt."
NOTICE_RETURNED = (
    "Bản đăng ký «{content}» của đồng chí được chi ủy trả lại với ý kiến: {comment}\n"
    "Xin đồng chí gõ /camket, chọn nội dung này để sửa rồi chọn «Gửi lại để duyệt»."
)
RETURNED_HEADER = "Bản đăng ký được trả lại, cần đồng chí sửa và gửi lại:"
RETURNED_LINE = "• «{content}» — ý kiến chi ủy: {comment}"

# review state in /camket
REVIEW_STATE_LABELS = {
    "pending": "chờ chi ủy duyệt",
    "approved": "đã duyệt",
    "returned": "bị trả lại",
}
PLEDGE_REVIEW_SUFFIX = " · {state}"
PLEDGE_DETAIL_REVIEW = "\nDuyệt: {state}"
PLEDGE_DETAIL_COMMENT = "\nÝ kiến chi ủy: {comment}"
RESUBMIT = "Gửi lại để duyệt"
RESUBMITTED = "Đã gửi lại bản đăng ký để chi ủy duyệt."
NOT_RETURNED = "Bản đăng ký này không ở trạng thái bị trả lại nên không cần gửi lại."

# --- collective commitments and models ------------------------------------------------------------------
ASK_KIND = "Đồng chí đăng ký cho ai?"
KIND_SELF = "Cho bản thân tôi"
KIND_COLLECTIVE = "Cho tập thể chi bộ"
KIND_MODEL = "Một mô hình của chi bộ"
ASK_COLLECTIVE_CONTENT = "Bước 1/3 — Nội dung làm theo của tập thể chi bộ: chi bộ sẽ làm việc cụ thể gì?"
ASK_MODEL_NAME = "Bước 1/3 — Tên mô hình (ví dụ: «Thu gom phế liệu gây quỹ giúp hộ khó khăn»):"
KIND_PREFIX = {
    "collective": "[Tập thể] ",
    "model": "[Mô hình] ",
}
CONFIRM_KIND = {
    "collective": "Đăng ký của tập thể {cell}.\n",
    "model": "Mô hình của {cell}.\n",
}
REGISTERED_COLLECTIVE = (
    "Đã lưu đăng ký của tập thể {cell} (số {number} năm {year}). Gõ /capnhat để cập nhật tiến độ khi có kết quả."
)
REGISTERED_MODEL = (
    "Đã lưu mô hình «{name}» của {cell} (số {number} năm {year}). Gõ /capnhat để cập nhật tiến độ khi có kết quả."
)
COLLECTIVE_FORBIDDEN = "Chỉ bí thư, phó bí thư chi bộ được đăng ký nội dung của tập thể chi bộ hoặc mô hình."

# --- year-end self-assessment (/tudanhgia) --------------------------------------------------------------
ASSESS_NOT_SET = (
    "Cấp ủy chưa đặt ngày bắt đầu tự đánh giá năm {year}. Khi đến đợt tự đánh giá, bot sẽ mở chức năng này."
)
ASSESS_NOT_YET = "Đợt tự đánh giá năm {year} bắt đầu từ ngày {date}. Xin đồng chí quay lại từ ngày đó."
ASSESS_NOTHING = "Đồng chí chưa có nội dung làm theo nào năm {year} để tự đánh giá."
ASSESS_LIST_HEADER = "Tự đánh giá năm {year} — các nội dung làm theo của đồng chí:"
ASSESS_LIST_LINE = "{number}. {content} — tiến độ {percent}% — {result}"
ASSESS_NOT_DONE_YET = "chưa tự đánh giá"
ASSESS_CHOOSE = "Chọn một nội dung để tự đánh giá (có thể sửa lại đến hết năm), hoặc xem bản tổng kết."
ASSESS_VIEW_RECORD = "Xem bản tổng kết của tôi"
ASSESS_ASK_RESULT = "Nội dung: {content}\nThời hạn {deadline}, tiến độ {percent}%.\nĐồng chí tự đánh giá thế nào?"
RESULT_LABELS = {
    "done": "Hoàn thành",
    "partial": "Hoàn thành một phần",
    "not_done": "Chưa hoàn thành",
}
ASSESS_ASK_CAUSE = "Nguyên nhân chưa hoàn thành là gì?"
ASSESS_ASK_REMEDY = "Hướng khắc phục của đồng chí là gì?"
ASSESS_SAVED = "Đã lưu tự đánh giá: {result}."
ASSESS_CLOSED = "Đợt tự đánh giá năm {year} đã kết thúc; không sửa được nữa."
ASSESS_RESULT_INVALID = "Xin chọn một trong ba mức: hoàn thành, hoàn thành một phần, chưa hoàn thành."
DISTRIBUTION_HEADER = (
    "Tự đánh giá năm {year} — {unit}\nMỗi dòng: hoàn thành · một phần · chưa hoàn thành · chưa tự đánh giá"
)
DISTRIBUTION_LINE = "• {cell}: {done} · {partial} · {not_done} · {missing}"
DISTRIBUTION_TOTAL = "Tổng cộng: {done} · {partial} · {not_done} · {missing}"
RECORD_HEADER = "KẾT QUẢ HỌC TẬP VÀ LÀM THEO NĂM {year}\nĐồng chí: {name}{position}\n{cell}"
RECORD_POSITION = ", {position}"
RECORD_THEME = "Chuyên đề năm: {title}"
RECORD_ITEM = (
    "\n{number}. Nội dung làm theo: {content}\n"
    "   Giải pháp thực hiện: {measures}\n"
    "   Thời hạn: {deadline}. Kết quả đạt: {percent}%."
)
RECORD_PROGRESS = "   Quá trình thực hiện: {count} lần cập nhật."
RECORD_NOTE = "   - {date}: {percent}% — {note}"
RECORD_NO_PROGRESS = "   Quá trình thực hiện: chưa cập nhật."
RECORD_ASSESSMENT = "   Tự đánh giá: {result}."
RECORD_NO_ASSESSMENT = "   Tự đánh giá: chưa thực hiện."
RECORD_CAUSE = "   Nguyên nhân: {cause}"
RECORD_REMEDY = "   Hướng khắc phục: {remedy}"
RECORD_NOTHING = "\n(Chưa có nội dung làm theo nào được đăng ký trong năm.)"
RECORD_INTRO = "Bản tổng kết dưới đây có thể sao chép vào bản kiểm điểm của đồng chí:"

# --- study of the year's theme (/hoctap) ----------------------------------------------------------------
STUDY_NO_CELL = "Đồng chí không sinh hoạt ở chi bộ nào nên không có buổi học tập để xác nhận."
STUDY_SESSIONS_HEADER = "Các buổi học tập chuyên đề gần đây của chi bộ:"
STUDY_SESSION_LINE = "• {date}: {title} — {status}"
STUDY_SESSION_LINE_LEADER = "• {date}: {title} — {count} đảng viên tham gia"
STUDY_ATTENDED = "đồng chí đã tham gia"
STUDY_NOT_CONFIRMED = "chưa xác nhận"
STUDY_NO_SESSIONS = "Chi bộ chưa ghi buổi học tập chuyên đề nào."
STUDY_CHOOSE = "Đồng chí muốn làm gì?"
STUDY_CONFIRM_LABEL = "Tôi đã tham gia: {title} ({date})"
STUDY_CONFIRMED = "Đã ghi nhận đồng chí tham gia buổi học tập ngày {date}."
STUDY_SESSION_GONE = "Buổi học tập này không còn hoặc không thuộc chi bộ của đồng chí."
STUDY_NEW = "Ghi buổi học tập mới"
STUDY_ASK_DATE = "Buổi học tập được tổ chức ngày nào? (Gõ dd/mm/yyyy, hoặc chọn «Hôm nay».)"
STUDY_TODAY = "Hôm nay"
STUDY_DATE_FUTURE = "Ngày học tập không được sau hôm nay ({today})."
STUDY_DATE_TOO_OLD = "Chỉ ghi được buổi học tập từ ngày {limit} trở đi."
STUDY_ASK_TITLE = "Tên chuyên đề hoặc nội dung buổi học tập là gì?"
STUDY_USE_THEME = "Chuyên đề năm: {title}"
STUDY_ASK_ATTENDANCE = (
    "Ai đã tham gia buổi học tập? Gõ số thứ tự (nhiều số cách nhau bằng dấu cách hoặc dấu phẩy) để đánh dấu "
    "hoặc bỏ đánh dấu, chọn «Tất cả», rồi chọn «Xong». Hoặc để đảng viên tự xác nhận.\n\n{roster}\n\n"
    "Đã đánh dấu: {count}/{total}"
)
STUDY_ASK_ATTENDANCE_PAGED = (
    "Ai đã tham gia buổi học tập? Chọn tên để đánh dấu hoặc bỏ đánh dấu (gõ một phần tên để tìm), chọn «Tất cả», "
    "rồi chọn «Xong». Hoặc để đảng viên tự xác nhận.\n\nĐã đánh dấu: {count}/{total}"
)
STUDY_ROSTER_LINE = "{number}. {mark} {name}"
STUDY_MARK_ON = "☑"
STUDY_MARK_OFF = "☐"
STUDY_ALL = "Tất cả"
STUDY_NONE = "Bỏ đánh dấu tất cả"
STUDY_DONE = "Xong"
STUDY_LEAVE_TO_MEMBERS = "Để đảng viên tự xác nhận"
STUDY_NUMBER_INVALID = "Số thứ tự phải từ 1 đến {total}. Xin đồng chí gõ lại."
STUDY_SAVED = "Đã ghi buổi học tập ngày {date} «{title}», {count} đảng viên tham gia."
STUDY_SAVED_OPEN = "Đã ghi buổi học tập ngày {date} «{title}». Đảng viên trong chi bộ sẽ tự xác nhận bằng lệnh /hoctap."
STUDY_DEFAULT_TITLE = "Học tập chuyên đề năm {year}"
STUDY_COMMITTEE = (
    "Học tập chuyên đề năm {year} — {unit}:\n"
    "Chi bộ đã tổ chức học tập: {cells}/{total_cells}\n"
    "Đảng viên đã tham gia: {members}"
)
STUDY_FORBIDDEN = "Chỉ bí thư, phó bí thư chi bộ được ghi buổi học tập của chi bộ."

# --- menu and help ------------------------------------------------------------------------------------------
MENU_SELF_ASSESS = "Tự đánh giá cuối năm"
MENU_STUDY = "Xác nhận học tập chuyên đề"
