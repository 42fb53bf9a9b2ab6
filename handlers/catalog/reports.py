"""Vietnamese texts of periods, roll-ups, the Excel report and the chart."""

# --- periods -----------------------------------------------------------------------------------------------
PERIOD_MONTH = "Tháng này"
PERIOD_QUARTER = "Quý này"
PERIOD_YEAR = "Năm nay"
PERIOD_RANGE = "Khoảng ngày khác"
PERIOD_ASK = "Đồng chí muốn tổng hợp cho kỳ nào?"
PERIOD_ASK_RANGE = "Nhập khoảng ngày theo dạng ngày/tháng/năm-ngày/tháng/năm, ví dụ 01/10/2026-31/10/2026."
PERIOD_BAD_FORMAT = (
    "Chưa hiểu kỳ tổng hợp. Đồng chí chọn tháng này, quý này, năm nay, "
    "hoặc nhập khoảng ngày như 01/10/2026-31/10/2026."
)
PERIOD_BAD_DATE = "Ngày {text} không có trên lịch. Đồng chí kiểm tra lại giúp."
PERIOD_REVERSED = "Ngày bắt đầu ({start}) đang sau ngày kết thúc ({end}). Đồng chí nhập lại giúp."
PERIOD_TOO_LONG = "Khoảng ngày dài quá {days} ngày. Đồng chí chọn khoảng ngắn hơn."
PERIOD_LABEL_MONTH = "tháng {month:02d}/{year}"
PERIOD_LABEL_QUARTER = "quý {quarter}/{year}"
PERIOD_LABEL_YEAR = "năm {year}"
PERIOD_LABEL_RANGE = "từ {start} đến {end}"

# --- roll-up in chat -----------------------------------------------------------------------------------------
ROLLUP_HEADER = "Tổng hợp {unit} — {period} (đến {end})"
ROLLUP_LINE = (
    "• {unit}: đăng ký {registered}/{members} ({registered_pct}) · cập nhật {updated} ({updated_pct}) · "
    "hoàn thành {completed} ({completed_pct})"
)
ROLLUP_MORE = "• … và {count} đơn vị khác (chọn hoặc gõ tên đơn vị ở dưới để xem; bảng đầy đủ: /baocao)"
ROLLUP_TOTAL = (
    "\nTổng cộng {children} đơn vị, {members} đảng viên trong diện:\n"
    "Đã liên kết với bot: {linked} · Không liên lạc được: {unreachable}\n"
    "Cá nhân đã đăng ký: {registered} ({registered_pct})\n"
    "Tập thể đăng ký: {collective} · Mô hình: {models}\n"
    "Cập nhật trong kỳ: {updated} ({updated_pct}) · Hoàn thành: {completed} ({completed_pct})\n"
    "Nội dung chậm tiến độ: {behind}\n"
    "Học tập chuyên đề: {studied} đảng viên ({studied_pct}) · {cells_studied}/{cells} chi bộ đã tổ chức"
)
ROLLUP_CELL = (
    "Tổng hợp {unit} — {period} (đến {end})\n"
    "Đảng viên trong diện theo dõi: {members}\n"
    "Đã liên kết với bot: {linked}/{members} · Không liên lạc được: {unreachable}\n"
    "Cá nhân đã đăng ký năm {year}: {registered}/{members} ({registered_pct})\n"
    "Tập thể đăng ký: {collective} · Mô hình: {models}\n"
    "Cập nhật trong kỳ: {updated}/{registered} ({updated_pct})\n"
    "Hoàn thành mọi nội dung: {completed}/{registered} ({completed_pct})\n"
    "Nội dung chậm tiến độ: {behind}\n"
    "Học tập chuyên đề: {studied}/{members} ({studied_pct})"
)
ROLLUP_NOT_REGISTERED = "Chưa đăng ký ({count}): {names}"
ROLLUP_NOT_UPDATED = "Chưa cập nhật trong kỳ ({count}): {names}"
ROLLUP_UNREACHABLE = "Đã chặn bot, cần báo trực tiếp ({count}): {names}"
ROLLUP_OUT_OF_SCOPE = "Miễn hoặc tạm dừng, không tính vào tỷ lệ ({count}): {names}"
ROLLUP_NO_CHILDREN = "Đơn vị này chưa có chi bộ nào trong danh sách (trong kỳ đã chọn)."
DRILL_ASK = "Xem chi tiết đơn vị nào, hoặc xem kỳ khác?"
OTHER_PERIOD_ASK = "Đồng chí muốn xem kỳ khác không?"
DRILL_DONE = "Xong"
ANONYMOUS = "Đảng viên (ẩn danh)"
CHART_CAPTION = "Biểu đồ: tỷ lệ đăng ký, cập nhật và đăng ký xây dựng điển hình — {unit}, {period}"

# --- Excel --------------------------------------------------------------------------------------------------
REPORT_READY = "Báo cáo {unit}, {period}: tệp Excel đính kèm."
REPORT_FORBIDDEN = (
    "Chức năng báo cáo dành cho bí thư, phó bí thư chi bộ và cấp ủy. "
    "Đồng chí có thể xem nội dung của mình bằng lệnh /camket."
)
SHEET_ROLLUP = "Tổng hợp"
XL_TITLE = "BÁO CÁO KẾT QUẢ ĐĂNG KÝ VÀ THỰC HIỆN LÀM THEO — {unit}"
XL_SUBTITLE = "Kỳ báo cáo: {period} (từ {start} đến {end}); lập ngày {today}"
XL_ROLLUP_HEADERS = (
    "STT",
    "Đơn vị",
    "Đảng viên trong diện",
    "Đã liên kết bot",
    "Cá nhân đăng ký",
    "Tỷ lệ đăng ký",
    "Tập thể đăng ký",
    "Mô hình",
    "Cập nhật trong kỳ",
    "Tỷ lệ cập nhật",
    "Hoàn thành",
    "Tỷ lệ hoàn thành",
    "Nội dung chậm tiến độ",
    "Không liên lạc được",
    "Đã học chuyên đề",
    "Chi bộ đã học / tổng số",
)
XL_TOTAL = "Tổng cộng"
XL_FOOTER = "Trang &P/&N"  # Excel fills in the page number and the number of pages
XL_CELL_HEADERS = (
    "STT",
    "Mã đảng viên",
    "Họ và tên",
    "Loại",
    "Nội dung làm theo",
    "Hạn hoàn thành",
    "Tiến độ (%)",
    "Cập nhật lần cuối",
    "Tình trạng",
)
XL_NO_COMMITMENT = "(chưa đăng ký)"
XL_KIND = {"individual": "Cá nhân", "collective": "Tập thể", "model": "Mô hình"}
XL_STATE_DONE = "Hoàn thành"
XL_STATE_BEHIND = "Chậm tiến độ"
XL_STATE_ON_TRACK = "Đang thực hiện"
XL_CELL_TOTAL = "Cộng: {members} đảng viên, {commitments} nội dung, {done} hoàn thành"

# --- chart --------------------------------------------------------------------------------------------------
CHART_TITLE = "Tỷ lệ đăng ký, cập nhật, đăng ký điển hình — {unit} ({period})"
CHART_REGISTERED = "Đã đăng ký (%)"
CHART_UPDATED = "Cập nhật trong kỳ (%)"
CHART_EXEMPLARS = "Đăng ký xây dựng điển hình (%)"
CHART_Y = "Tỷ lệ (%)"

# --- operator (CLI) -----------------------------------------------------------------------------------------
CLI_PERIOD_BAD = "Kỳ báo cáo không hợp lệ: «{text}». Dùng 2026, 2026-Q4, 2026-11 hoặc 01/10/2026-31/10/2026."
CLI_REPORT_WRITTEN = "Đã ghi báo cáo {unit}, {period} vào {path} ({sheets} trang tính)."
