"""Vietnamese sample data of the terminal demo's year (handlers/services/demo_year.py): what the example roster's
members registered, noted, proposed and held. Only the demo uses them."""

# (member code, deed, measures, deadline: "year" = 31/12, "soon" = two months after registering)
REGISTRATIONS = (
    (
        "DV002",
        "Duy trì sinh hoạt chi bộ đúng kỳ, mỗi quý một buổi sinh hoạt chuyên đề",
        "Chuẩn bị nội dung cùng chi ủy",
        "year",
    ),
    ("DV001", "Vận động 5 hộ trong thôn phân loại rác tại nguồn", "Họp tổ tự quản, đến từng nhà hướng dẫn", "year"),
    (
        "DV003",
        "Vận động bà con góp công sửa 300 m đường bê tông vào xóm Đồng",
        "Họp xóm, lập danh sách hộ góp công",
        "soon",
    ),
    ("DV004", "Hướng dẫn 10 chị em hội viên làm vườn rau sạch", "Tổ chức 2 buổi tập huấn tại nhà văn hóa", "year"),
    ("DV005", "Làm tốt nhiệm vụ được giao", "Cố gắng", "year"),
    (
        "DV007",
        "Vận động 100% hộ gia đình trong thôn tham gia bảo hiểm y tế",
        "Phối hợp cán bộ y tế xã đến từng hộ",
        "year",
    ),
    (
        "DV009",
        "Tổ chức tập huấn phòng cháy, chữa cháy cho thanh niên thôn",
        "Mời công an xã hướng dẫn, tập dượt",
        "year",
    ),
    (
        "DV012",
        "Không để học sinh bỏ học, vận động 3 em có hoàn cảnh khó khăn trở lại lớp",
        "Đến từng gia đình, xin học bổng",
        "year",
    ),
    (
        "DV013",
        "Soạn 10 tiết dạy lồng ghép gương đạo đức Bác Hồ",
        "Sưu tầm mẩu chuyện, trao đổi với tổ chuyên môn",
        "year",
    ),
    ("DV016", "Vận động tổ dân phố giữ vệ sinh, không đổ rác ra vỉa hè", "Họp tổ, treo bảng nhắc nhở", "year"),
    ("DV018", "Giúp đỡ 2 hội viên cựu chiến binh có hoàn cảnh khó khăn", "Vận động hội viên góp quỹ", "year"),
)
RETURN_COMMENT = "Nội dung cần cụ thể hơn: đồng chí sẽ làm việc gì, cho bao nhiêu hộ, đến khi nào?"
# (member code, percents in order through the year, the note of the last one)
PROGRESS = (
    ("DV001", (25, 60, 100), "Đã có 5 hộ phân loại rác, thôn nhân rộng ra xóm Đồng"),
    ("DV002", (30, 60, 80), "Đã tổ chức 3 buổi sinh hoạt chuyên đề"),
    ("DV003", (20, 40), "Mới góp công được 120 m"),
    ("DV004", (40, 70), "Đã tập huấn 1 buổi, 6 chị em làm vườn"),
    ("DV007", (50, 90), "Còn 4 hộ chưa tham gia"),
    ("DV009", (100,), "Đã tập huấn cho 25 đoàn viên"),
    ("DV012", (35, 70), "2 em đã trở lại lớp"),
    ("DV016", (50,), "Tổ dân phố đã ký cam kết"),
)
COLLECTIVE = (
    "Xây dựng chi bộ trong sạch, vững mạnh, không có đảng viên vi phạm",
    "Chi ủy theo dõi, nhắc nhở hằng tháng",
)
MODEL = ("Thu gom phế liệu gây quỹ giúp hộ khó khăn", "Mỗi hộ góp phế liệu hằng tháng, chi hội phụ nữ bán gây quỹ")
FOLLOWER_MODEL = ("Thu gom phế liệu gây quỹ khuyến học", "Đoàn viên thu gom phế liệu mỗi tháng một lần")
STUDY_TITLE = "Học tập chuyên đề năm và liên hệ trách nhiệm nêu gương của đảng viên"
CONTEST = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
CONTEST_PEOPLE = 45
COMMEND_ACCOUNT = (
    "Vận động 5 hộ phân loại rác tại nguồn, thôn nhân rộng ra xóm Đồng; gương mẫu tham gia sinh hoạt chi bộ đầy đủ"
)
DECISION_NUMBER = "15-QĐ/ĐU"
UPWARD_ACCOUNT = "Chi bộ vận động 100% hộ tham gia bảo hiểm y tế, không có hộ vi phạm vệ sinh môi trường"
PAUSE_WEEKS = 6  # DV006 is ill: reminders paused
