"""Vietnamese texts of meeting days (/lichhop), reminders, reminder preferences (/nhacnho) and their CLI."""

WEEKDAY_NAMES = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
WEEK_NAMES = {1: "tuần đầu", 2: "tuần thứ hai", 3: "tuần thứ ba", 4: "tuần thứ tư", -1: "cuối tháng"}

# --- meeting day (/lichhop) -------------------------------------------------------------------------------
RULE_MONTHDAY = "ngày {day} hằng tháng"
RULE_WEEKDAY = "{weekday} {week}"
MEETING_NONE = "{cell} chưa đặt ngày sinh hoạt chi bộ hằng tháng. Xin liên hệ bí thư chi bộ."
MEETING_OF_CELL = "{cell} sinh hoạt chi bộ vào {rule}.\nBuổi sinh hoạt tới: {next}."
MEETING_NO_CELL = "Đồng chí chưa thuộc chi bộ nào nên chưa có lịch sinh hoạt."
MEETING_COMMITTEE_HEADER = "Lịch sinh hoạt các chi bộ thuộc {unit}:"
MEETING_COMMITTEE_LINE = "• {cell}: {rule} — buổi tới {next}"
MEETING_COMMITTEE_UNSET = "• {cell}: chưa đặt lịch"
MEETING_CURRENT = "Lịch hiện tại của {cell}: {rule}. Ba buổi tới: {dates}."
MEETING_ASK_RULE = (
    "Chi bộ sinh hoạt thường kỳ vào ngày nào? Chọn một cách đặt lịch, hoặc gõ trực tiếp, "
    "ví dụ «ngày 4 hằng tháng», «thứ Sáu cuối tháng», «thứ Hai tuần đầu»."
)
MEETING_BY_MONTHDAY = "Một ngày cố định trong tháng"
MEETING_BY_WEEKDAY = "Một thứ trong tuần (ví dụ thứ Sáu cuối tháng)"
MEETING_ASK_DAY = (
    "Gõ ngày trong tháng, từ 1 đến 31 (ví dụ: 4). Tháng không có ngày đó (ví dụ ngày 31 của tháng 4) "
    "thì sinh hoạt vào ngày cuối tháng."
)
MEETING_DAY_INVALID = "Ngày sinh hoạt phải là một số từ 1 đến 31. Đồng chí vừa gõ «{text}»."
MEETING_ASK_WEEKDAY = "Sinh hoạt vào thứ mấy? Chọn, hoặc gõ (ví dụ: «thứ Sáu», «6», «chủ nhật»)."
MEETING_ASK_WEEK = "Vào {weekday} của tuần nào trong tháng?"
MEETING_RULE_UNKNOWN = (
    "Chưa hiểu lịch «{text}». Xin chọn một mục, hoặc gõ theo mẫu «ngày 4 hằng tháng», "
    "«thứ Sáu cuối tháng», «thứ Hai tuần đầu»."
)
MEETING_CONFIRM = "Lịch sinh hoạt: {rule}.\nBa buổi tới: {dates}.\nĐồng chí xác nhận lịch này?"
MEETING_RECHOOSE = "Chọn lại"
MEETING_SAVED = (
    "Đã lưu lịch sinh hoạt của {cell}: {rule}. Bot sẽ nhắc đảng viên cập nhật tiến độ {remind} ngày trước "
    "mỗi buổi và gửi tổng hợp cho bí thư, phó bí thư {digest} ngày trước."
)
MEETING_FORBIDDEN = "Chỉ bí thư, phó bí thư chi bộ được đặt lịch sinh hoạt của chi bộ mình."
MEETING_CHANGE = "Đặt lại lịch"
MEETING_KEEP = "Giữ nguyên"

# --- reminders ---------------------------------------------------------------------------------------------
REMIND_PROGRESS = (
    "Nhắc việc: {cell} sinh hoạt ngày {meeting}.\n"
    "Từ buổi sinh hoạt trước đến nay, đồng chí chưa cập nhật tiến độ nội dung làm theo:\n{items}\n\n"
    "Xin đồng chí cập nhật trước buổi sinh hoạt."
)
REMIND_ITEM = "• {content} ({percent}%)"
REMIND_PROGRESS_UNSCHEDULED = (
    "Nhắc việc từ {cell}: trong {days} ngày qua đồng chí chưa cập nhật tiến độ nội dung làm theo:\n{items}\n\n"
    "Xin đồng chí cập nhật trước buổi sinh hoạt chi bộ tới."
)
REMIND_HEAD = "Nhắc việc: {cell} sinh hoạt ngày {meeting}.\n"
REMIND_HEAD_UNSCHEDULED = "Nhắc việc từ {cell}.\n"
REMIND_REGISTER = (
    "Đã quá hạn đăng ký học tập và làm theo năm {year} ({deadline}) mà đồng chí chưa có nội dung đăng ký. "
    "Xin đồng chí đăng ký sớm."
)
REMIND_REGISTER_NO_DEADLINE = (
    "Đồng chí chưa có nội dung đăng ký học tập và làm theo năm {year}. Xin đồng chí đăng ký sớm."
)
REMIND_SNOOZED_AGAIN = "Nhắc lại theo đề nghị của đồng chí:\n"
DIGEST_HEADER = "{cell} sinh hoạt ngày {meeting}. Tình hình của chi bộ trước buổi sinh hoạt:\n\n"
CHOICE_UPDATE_NOW = "Cập nhật ngay"
CHOICE_REGISTER_NOW = "Đăng ký ngay"
CHOICE_SNOOZE_1 = "Nhắc lại sau 1 ngày"
CHOICE_SNOOZE_3 = "Nhắc lại sau 3 ngày"
CHOICE_NOT_APPLICABLE = "Không áp dụng tháng này"
SNOOZED = "Bot sẽ nhắc lại đồng chí vào ngày {date} (ngoài giờ yên lặng của đồng chí)."
ASK_NA_REASON = "Xin đồng chí cho biết lý do tháng này không áp dụng (ví dụ: đang điều trị bệnh, đi công tác xa):"
NA_SAVED = (
    "Đã ghi nhận: tháng này không áp dụng với đồng chí ({reason}). Bot sẽ không nhắc lại cho buổi sinh hoạt {meeting}."
)
REMINDER_EXPIRED = "Lời nhắc này đã hết hạn (buổi sinh hoạt {meeting} đã qua)."
REMINDER_NONE = "Hiện đồng chí không có lời nhắc nào cần trả lời."

# --- preferences (/nhacnho) ----------------------------------------------------------------------------------
PREFS_SUMMARY = (
    "Cài đặt nhắc việc của đồng chí:\n• Giờ nhận nhắc: {hour}\n• Giờ yên lặng (không nhận tin): {quiet}\n• {pause}"
)
PREFS_HOUR_DEFAULT = "theo lịch chi bộ (mặc định 08:00)"
PREFS_NOT_PAUSED = "Đang nhận nhắc việc bình thường."
PREFS_PAUSED = "Đang tạm dừng nhắc việc đến hết ngày {date}."
PREFS_PAUSED_BY = "Đang tạm dừng nhắc việc đến hết ngày {date} (do đồng chí {name} đặt)."
PREFS_ASK = "Đồng chí muốn thay đổi gì?"
PREFS_HOUR = "Giờ nhận nhắc"
PREFS_QUIET = "Giờ yên lặng"
PREFS_PAUSE = "Tạm dừng nhắc đến một ngày"
PREFS_RESUME = "Nhận nhắc trở lại"
PREFS_PAUSE_MEMBER = "Tạm dừng nhắc cho một đảng viên trong chi bộ"
PREFS_DONE = "Xong"
ASK_HOUR = "Đồng chí muốn nhận lời nhắc lúc mấy giờ? Chọn một mức, hoặc gõ một giờ từ 0 đến 23 (ví dụ: 7)."
HOUR_INVALID = "Giờ phải là một số nguyên từ 0 đến 23 (ví dụ: 7 hoặc 19:00). Đồng chí vừa gõ «{text}»."
HOUR_SAVED = "Đã lưu: bot sẽ gửi lời nhắc cho đồng chí vào khoảng {hour}."
ASK_QUIET = (
    "Trong khoảng giờ nào đồng chí không muốn nhận tin nhắn? Chọn một mức, hoặc gõ theo mẫu «21-7» "
    "(từ 21:00 đến 07:00 sáng hôm sau)."
)
QUIET_INVALID = (
    "Chưa đọc được khoảng giờ «{text}». Xin gõ hai giờ từ 0 đến 23, cách nhau bởi dấu gạch, ví dụ «21-7»; "
    "giờ bắt đầu và giờ kết thúc phải khác nhau."
)
QUIET_SAVED = "Đã lưu giờ yên lặng: {quiet}."
ASK_PAUSE_UNTIL = "Tạm dừng nhắc việc đến hết ngày nào? Gõ ngày theo dạng dd/mm/yyyy (ví dụ: 31/12/2026)."
PAUSE_DATE_FORMAT = "Chưa đọc được ngày. Xin gõ theo dạng ngày/tháng/năm, ví dụ 31/12/2026."
PAUSE_DATE_INVALID = "Ngày {text} không có trên lịch. Xin đồng chí kiểm tra lại."
PAUSE_DATE_PAST = "Ngày tạm dừng phải từ hôm nay ({today}) trở đi."
PAUSE_DATE_TOO_FAR = "Chỉ tạm dừng được tối đa đến {limit}."
PAUSE_SAVED = (
    "Đã tạm dừng nhắc việc đến hết ngày {date}. Trong thời gian này đồng chí không được tính vào tỷ lệ tổng hợp."
)
PAUSE_MEMBER_SAVED = "Đã tạm dừng nhắc việc cho đồng chí {name} đến hết ngày {date}."
RESUMED = "Đã bật lại nhắc việc cho đồng chí."
ASK_WHICH_MEMBER = "Chọn đảng viên cần tạm dừng nhắc việc (gõ số thứ tự):"
ASK_MEMBER_PAUSE_UNTIL = "Tạm dừng nhắc việc cho đồng chí {name} đến hết ngày nào? Gõ ngày theo dạng dd/mm/yyyy."
PAUSE_MEMBER_FORBIDDEN = "Đồng chí chỉ được tạm dừng nhắc việc cho đảng viên trong chi bộ mình phụ trách."
PAUSE_MEMBER_NO_ONE = "Chi bộ chưa có đảng viên nào khác trong danh sách."

# --- operator CLI -----------------------------------------------------------------------------------------
CLI_REMIND_QUEUED = "Đã tạo lời nhắc cho {cells} chi bộ: {count} tin đang chờ gửi. Bot đang chạy sẽ gửi đi."
CLI_REMIND_SENDING = "Đang gửi"
CLI_REMIND_DONE = "Đã gửi xong: {counts}."
CLI_NO_CELLS = "Đơn vị «{name}» không có chi bộ nào."
CLI_STATUS_SCHEDULES = "Lịch sinh hoạt và lần nhắc tới:"
CLI_STATUS_SCHEDULE_LINE = "  {cell}: {rule}; buổi tới {meeting}; nhắc đảng viên {remind}; tổng hợp cho bí thư {digest}"
CLI_STATUS_NO_SCHEDULES = "  (chưa chi bộ nào đặt lịch)"
CLI_STATUS_BROADCASTS = "Các lần gửi gần đây:"
CLI_STATUS_BROADCAST_LINE = "  #{id} {kind} {unit} hạn {due} — {state}; {counts}"
CLI_STATUS_NO_BROADCASTS = "  (chưa có)"
CLI_STATUS_MISSED = "Lần nhắc bị lỡ (bot không chạy quá thời gian cho phép, không gửi):"
CLI_STATUS_NO_MISSED = "Không có lần nhắc nào bị lỡ."
CLI_NO_DELIVERIES = "chưa có tin nào"
CYCLE_SET = "Đã lưu chu kỳ năm {year}: hạn đăng ký {deadline}; tự đánh giá từ {assessment}."
CYCLE_SHOW = "Chu kỳ năm {year}: hạn đăng ký {deadline}; tự đánh giá từ {assessment}."
CYCLE_NONE = "Chưa đặt chu kỳ cho năm {year}."
CYCLE_UNSET = "chưa đặt"
CYCLE_DATE_INVALID = "Ngày «{text}» không hợp lệ (dạng dd/mm/yyyy, ví dụ 31/03/2026)."
CYCLE_DATE_OTHER_YEAR = "Ngày {date} không thuộc năm {year}."
