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
