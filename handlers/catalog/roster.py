"""Vietnamese texts produced when reading a roster file (danh sách đảng viên).

Row problems are short lowercase fragments; ``row_error`` joins them into one sentence per row.
Messages never quote a phone number back to the user.
"""

# Column headers, exactly as they appear in the example files.
COL_CODE = "Mã đảng viên"
COL_FULL_NAME = "Họ và tên"
COL_CELL = "Chi bộ"
COL_COMMITTEE = "Đảng bộ"
COL_POSITION = "Chức vụ"
COL_ROLE = "Vai trò"
COL_PHONE = "Số điện thoại"

ALL_COLUMNS = (COL_CODE, COL_FULL_NAME, COL_CELL, COL_COMMITTEE, COL_POSITION, COL_ROLE, COL_PHONE)

# Role words accepted in the «Vai trò» column (shown to the user when a value is not understood).
ROLE_WORDS = "đảng viên, bí thư, phó bí thư, cấp ủy"

# Whole-file problems (RosterFileError).
FILE_UNSUPPORTED = (
    "Bot chỉ đọc được tệp Excel (.xlsx) hoặc tệp CSV (.csv). "
    "Nếu đồng chí đang dùng tệp Excel cũ (.xls), vui lòng mở bằng Excel, "
    "chọn «Lưu thành» (Save As) kiểu «Excel Workbook (.xlsx)» rồi gửi lại."
)
FILE_NOT_UTF8 = (
    "Tệp CSV này không dùng bảng mã UTF-8 nên tiếng Việt sẽ bị lỗi. "
    "Vui lòng mở tệp bằng Excel, chọn «Lưu thành» (Save As) kiểu «CSV UTF-8 (Comma delimited) (*.csv)» "
    "rồi gửi lại."
)
FILE_UNREADABLE_XLSX = (
    "Không mở được tệp Excel này (tệp có thể bị hỏng hoặc không phải định dạng .xlsx). "
    "Vui lòng mở lại bằng Excel, lưu dưới dạng .xlsx rồi gửi lại."
)
FILE_UNREADABLE_CSV = (
    "Không đọc được tệp CSV này. Vui lòng kiểm tra lại nội dung tệp hoặc lưu lại dưới dạng «CSV UTF-8» rồi gửi lại."
)
FILE_EMPTY = (
    "Tệp chưa có dòng dữ liệu nào. Vui lòng điền danh sách đảng viên, mỗi người một dòng, "
    "ngay dưới dòng tiêu đề rồi gửi lại."
)
FILE_MISSING_COLUMNS = (
    "Tệp thiếu cột bắt buộc: {columns}. "
    "Dòng tiêu đề cần có các cột: {expected} (hai cột «Chức vụ» và «Số điện thoại» có thể bỏ trống)."
)

# One row with one or more problems.
ROW_ERROR = "Dòng {row}: {problems}."
ROW_PROBLEM_SEPARATOR = "; "

# Row problem fragments.
ROW_MISSING_FIELD = "chưa điền «{field}»"
ROW_TOO_LONG = "«{field}» dài quá {limit} ký tự"
ROW_CODE_BAD_CHARS = "«Mã đảng viên» chỉ được gồm chữ cái, chữ số và các dấu - _ . (không có dấu cách)"
ROW_CELL_REQUIRED = "chưa điền «Chi bộ» (chỉ người có vai trò cấp ủy mới được để trống cột này)"
ROW_ROLE_UNKNOWN = "không hiểu «Vai trò» “{value}” (chỉ nhận: {accepted})"
ROW_PHONE_INVALID = "«Số điện thoại» không hợp lệ (cần 10 chữ số bắt đầu bằng 0, hoặc +84 kèm 9 chữ số)"
ROW_DUPLICATE_CODE = "mã đảng viên {code} trùng với dòng {first_row}"


def quoted_columns(labels: list[str]) -> str:
    """«A», «B», «C»."""
    return ", ".join(f"«{label}»" for label in labels)


def missing_columns(labels: list[str]) -> str:
    return FILE_MISSING_COLUMNS.format(columns=quoted_columns(labels), expected=", ".join(ALL_COLUMNS))


def row_error(row: int, problems: list[str]) -> str:
    return ROW_ERROR.format(row=row, problems=ROW_PROBLEM_SEPARATOR.join(problems))


def missing_field(field: str) -> str:
    return ROW_MISSING_FIELD.format(field=field)


def too_long(field: str, limit: int) -> str:
    return ROW_TOO_LONG.format(field=field, limit=limit)


def role_unknown(value: str) -> str:
    return ROW_ROLE_UNKNOWN.format(value=value, accepted=ROLE_WORDS)


def duplicate_code(code: str, first_row: int) -> str:
    return ROW_DUPLICATE_CODE.format(code=code, first_row=first_row)


# --- importing into the database ----------------------------------------------------------------------
ROW_UNIT_CLOSED = "«{path}» đã được sáp nhập hoặc giải thể; sửa cột Chi bộ / Đảng bộ theo đơn vị mới"
ROW_UNIT_MOVED = "«{path}»: đơn vị này đã được chuyển sang đảng bộ khác; sửa cột Đảng bộ theo nơi mới"
ROW_UNIT_KIND_CLASH = "«{name}» đã có trong danh sách với vai trò khác (chi bộ/đảng bộ), không thể dùng cho cả hai"
IMPORT_SUMMARY = (
    "Đơn vị mới: {units} · Đảng viên mới: {created} · Cập nhật: {updated} "
    "(trong đó chuyển chi bộ: {moved}) · Không đổi: {unchanged} · Dòng lỗi: {errors}"
)
IMPORT_DRY_RUN = "Chạy thử (--dry-run): chưa ghi gì vào cơ sở dữ liệu."
IMPORT_DONE = "Đã nhập danh sách vào cơ sở dữ liệu."
CHANGE_NEW_UNIT = "+ đơn vị {path}"
CHANGE_NEW_MEMBER = "+ {code} {name} ({unit})"
CHANGE_UPDATED = "~ {code} {name}: {fields}"
CHANGE_MOVED = "→ {code} {name}: chuyển từ {old} sang {new}"
FIELD_NAMES = {
    "full_name": "họ tên",
    "position": "chức vụ",
    "role": "vai trò",
    "phone": "số điện thoại",
    "cell_id": "chi bộ",
    "scope_unit_id": "đơn vị phụ trách",
    "active": "kích hoạt lại",
}
