"""The roster file reader: example files, tolerant headers and delimiters, and every bad-row case."""

import csv
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from handlers.services.roster_file import RosterFile, RosterFileError, RosterRow, read_roster
from storage.enums import Role
from tests.support import ROOT

EXAMPLES = ROOT / "examples"
HEADER = ["Mã đảng viên", "Họ và tên", "Chi bộ", "Đảng bộ", "Chức vụ", "Vai trò", "Số điện thoại"]
PLAIN_HEADER = ["Ma dang vien", "Ho va ten", "Chi bo", "Dang bo", "Chuc vu", "Vai tro", "So dien thoai"]
XA = "Đảng bộ tỉnh Hòa Bình Xanh / Đảng bộ xã Thanh Sơn"
CELL = "Chi bộ thôn Đồng Tâm"
GOOD = ["DV100", "Nguyễn Văn Tốt", CELL, XA, "Nông dân", "đảng viên", "0912345678"]


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = True, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if bom else "utf-8", newline="")
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def read_rows(tmp_path: Path, rows: list[list[str]]) -> RosterFile:
    return read_roster(write_csv(tmp_path / "roster.csv", [HEADER, *rows]))


def error_for(result: RosterFile, row_number: int) -> str:
    reasons = [error.reason for error in result.errors if error.row_number == row_number]
    assert len(reasons) == 1, result.errors
    return reasons[0]


def with_values(**changes: str) -> list[str]:
    keys = ["code", "name", "cell", "committee", "position", "role", "phone"]
    row = dict(zip(keys, GOOD, strict=True))
    row.update(changes)
    return [row[key] for key in keys]


# --- the example files ----------------------------------------------------------------------------


def test_example_csv_and_xlsx_parse_cleanly_and_identically() -> None:
    from_csv = read_roster(EXAMPLES / "roster.csv")
    from_xlsx = read_roster(EXAMPLES / "roster.xlsx")
    assert from_csv.errors == []
    assert from_xlsx.errors == []
    assert 22 <= len(from_csv.rows) <= 26
    assert from_csv.rows == from_xlsx.rows


def test_example_csv_has_bom_and_nfc_text() -> None:
    data = (EXAMPLES / "roster.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert unicodedata.is_normalized("NFC", text)


def test_example_content_matches_the_demo() -> None:
    rows = {row.code: row for row in read_roster(EXAMPLES / "roster.csv").rows}
    assert rows["DV001"].role is Role.MEMBER
    assert rows["DV002"].role is Role.SECRETARY
    assert rows["DV001"].cell == rows["DV002"].cell == CELL
    committee = [row for row in rows.values() if row.role is Role.COMMITTEE]
    assert len(committee) == 1
    assert committee[0].cell is None
    assert committee[0].committee_path == ("Đảng bộ tỉnh Hòa Bình Xanh", "Đảng bộ xã Thanh Sơn")
    cells = {row.cell for row in rows.values() if row.cell is not None}
    assert len(cells) >= 4
    for cell in cells:
        in_cell = [row for row in rows.values() if row.cell == cell]
        assert len(in_cell) >= 3
        assert sum(row.role is Role.SECRETARY for row in in_cell) == 1
    assert {row.committee_path[0] for row in rows.values()} == {"Đảng bộ tỉnh Hòa Bình Xanh"}
    assert all(row.phone is None or row.phone.startswith("09") for row in rows.values())


# --- tolerant reading -----------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_and_without_bom(tmp_path: Path, bom: bool) -> None:
    path = write_csv(tmp_path / "r.csv", [HEADER, GOOD], bom=bom)
    result = read_roster(path)
    assert result.errors == []
    assert [row.code for row in result.rows] == ["DV100"]
    assert result.rows[0].full_name == "Nguyễn Văn Tốt"


def test_semicolon_delimiter(tmp_path: Path) -> None:
    row = with_values(position="Bí thư chi bộ, Trưởng thôn", role="bí thư")
    path = write_csv(tmp_path / "r.csv", [HEADER, row], delimiter=";")
    result = read_roster(path)
    assert result.errors == []
    assert result.rows[0].position == "Bí thư chi bộ, Trưởng thôn"
    assert result.rows[0].role is Role.SECRETARY


def test_headers_without_diacritics_any_case_and_spacing(tmp_path: Path) -> None:
    header = [f"  {name.upper()} " for name in PLAIN_HEADER]
    result = read_roster(write_csv(tmp_path / "r.csv", [header, GOOD]))
    assert result.errors == []
    assert result.rows[0].code == "DV100"
    assert result.rows[0].phone == "0912345678"


def test_decomposed_unicode_is_normalised_to_nfc(tmp_path: Path) -> None:
    header = [unicodedata.normalize("NFD", name) for name in HEADER]
    row = [unicodedata.normalize("NFD", value) for value in GOOD]
    result = read_roster(write_csv(tmp_path / "r.csv", [header, row]))
    assert result.errors == []
    assert result.rows[0].full_name == unicodedata.normalize("NFC", "Nguyễn Văn Tốt")
    assert result.rows[0].cell == CELL


def test_title_line_above_header_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    blank = ["", "", "", "", "", "", ""]
    rows = [["DANH SÁCH ĐẢNG VIÊN"], [], HEADER, blank, GOOD, [], with_values(code="DV101")]
    result = read_roster(write_csv(tmp_path / "r.csv", rows))
    assert result.errors == []
    assert [(row.row_number, row.code) for row in result.rows] == [(5, "DV100"), (7, "DV101")]


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    header = [*HEADER[:4], HEADER[5]]
    row = [*GOOD[:4], GOOD[5]]
    result = read_roster(write_csv(tmp_path / "r.csv", [header, row]))
    assert result.errors == []
    assert result.rows[0].position == ""
    assert result.rows[0].phone is None


def test_field_normalisation(tmp_path: Path) -> None:
    row = ["  DV100 ", "  Nguyễn   Văn\tTốt ", CELL, " Đảng bộ tỉnh A //  Đảng bộ xã B / ", "", "", ""]
    result = read_rows(tmp_path, [row])
    parsed = result.rows[0]
    assert parsed == RosterRow(
        row_number=2,
        code="DV100",
        full_name="Nguyễn Văn Tốt",
        cell=CELL,
        committee_path=("Đảng bộ tỉnh A", "Đảng bộ xã B"),
        position="",
        role=Role.MEMBER,
        phone=None,
    )


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("đảng viên", Role.MEMBER),
        ("Dang vien", Role.MEMBER),
        ("BÍ THƯ", Role.SECRETARY),
        ("bi thu", Role.SECRETARY),
        ("Phó bí thư", Role.DEPUTY),
        ("pho bi thu", Role.DEPUTY),
        ("cấp ủy", Role.COMMITTEE),
        ("Cấp uỷ", Role.COMMITTEE),
        ("cap uy", Role.COMMITTEE),
        ("", Role.MEMBER),
    ],
)
def test_role_words(tmp_path: Path, word: str, role: Role) -> None:
    result = read_rows(tmp_path, [with_values(role=word)])
    assert result.errors == []
    assert result.rows[0].role is role


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("912345678", "0912345678"),
        ("", None),
    ],
)
def test_phone_formats(tmp_path: Path, typed: str, stored: str | None) -> None:
    result = read_rows(tmp_path, [with_values(phone=typed)])
    assert result.errors == []
    assert result.rows[0].phone == stored


def test_committee_member_needs_no_cell(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(cell="", role="cấp ủy")])
    assert result.errors == []
    assert result.rows[0].cell is None
    assert result.rows[0].role is Role.COMMITTEE


def test_emoji_in_name_is_fine(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(name="Nguyễn Thị Hoa 🌸")])
    assert result.errors == []
    assert result.rows[0].full_name == "Nguyễn Thị Hoa 🌸"


# --- bad rows -------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_while_good_rows_come_through(tmp_path: Path) -> None:
    rows = [
        GOOD,  # row 2
        with_values(code=""),  # 3
        with_values(code="DV103", name=""),  # 4
        with_values(code="DV104", cell=""),  # 5
        with_values(code="DV105", role="trưởng thôn"),  # 6
        with_values(code="DV106", phone="12345"),  # 7
        with_values(code="DV100"),  # 8: duplicate of row 2
        with_values(code="DV108", name="A" * 5000),  # 9
        with_values(code="DV109", name="Trần Văn Ổn"),  # 10
    ]
    result = read_rows(tmp_path, rows)
    assert [row.code for row in result.rows] == ["DV100", "DV109"]
    assert [row.row_number for row in result.rows] == [2, 10]
    assert [error.row_number for error in result.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert error_for(result, 3) == "Dòng 3: chưa điền «Mã đảng viên»."
    assert error_for(result, 4) == "Dòng 4: chưa điền «Họ và tên»."
    assert error_for(result, 5).startswith("Dòng 5: chưa điền «Chi bộ»")
    assert "trưởng thôn" in error_for(result, 6)
    assert "«Vai trò»" in error_for(result, 6)
    assert "«Số điện thoại» không hợp lệ" in error_for(result, 7)
    assert error_for(result, 8) == "Dòng 8: mã đảng viên DV100 trùng với dòng 2."
    assert error_for(result, 9) == "Dòng 9: «Họ và tên» dài quá 120 ký tự."


def test_duplicate_codes_compare_case_insensitively(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [GOOD, with_values(code="dv100")])
    assert [row.row_number for row in result.rows] == [2]
    assert error_for(result, 3) == "Dòng 3: mã đảng viên dv100 trùng với dòng 2."


def test_several_problems_in_one_row_are_reported_together(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(name="", committee=" / ", phone="0123")])
    assert result.rows == []
    reason = error_for(result, 2)
    assert reason.startswith("Dòng 2: ")
    assert "«Họ và tên»" in reason
    assert "«Đảng bộ»" in reason
    assert "«Số điện thoại»" in reason
    assert reason.count(";") == 2


def test_phone_is_never_quoted_in_errors(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(phone="0987 654 32 10 99")])
    reason = error_for(result, 2)
    assert "0987" not in reason
    assert "«Số điện thoại»" in reason


@pytest.mark.parametrize(
    "phone",
    ["0123", "09123456789", "+8409123456789", "+85512345678", "1912345678", "0912abc678", "(091) 234 5678"],
)
def test_bad_phones(tmp_path: Path, phone: str) -> None:
    result = read_rows(tmp_path, [with_values(phone=phone)])
    assert result.rows == []
    assert "«Số điện thoại» không hợp lệ" in error_for(result, 2)


@pytest.mark.parametrize("code", ["DV 001", "DV/001", "X" * 33, "DV001#"])
def test_bad_codes(tmp_path: Path, code: str) -> None:
    result = read_rows(tmp_path, [with_values(code=code)])
    assert result.rows == []
    assert "«Mã đảng viên»" in error_for(result, 2)


def test_good_code_characters(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(code="ĐV-2025_01.a")])
    assert result.errors == []
    assert result.rows[0].code == "ĐV-2025_01.A"  # codes are kept in upper case


def test_codes_are_upper_cased_so_case_never_makes_a_second_member(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(code="dv001")])
    assert result.rows[0].code == "DV001"


# --- whole-file problems --------------------------------------------------------------------------


def test_missing_required_columns(tmp_path: Path) -> None:
    header = [HEADER[0], HEADER[1], HEADER[4], HEADER[6]]
    path = write_csv(tmp_path / "r.csv", [header, ["DV1", "Nguyễn Văn A", "", ""]])
    with pytest.raises(RosterFileError) as caught:
        read_roster(path)
    message = str(caught.value)
    assert "«Chi bộ»" in message
    assert "«Đảng bộ»" in message
    assert "«Vai trò»" in message
    assert "«Họ và tên»," not in message.split(".")[0]


def test_not_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(",".join(HEADER).encode("utf-16"))
    with pytest.raises(RosterFileError, match="UTF-8"):
        read_roster(path)


def test_ansi_code_page_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("Mã,Tên\nDV1,Lê Á\n".encode("cp1252"))
    with pytest.raises(RosterFileError, match="CSV UTF-8"):
        read_roster(path)


@pytest.mark.parametrize("name", ["roster.xls", "roster.txt", "roster.ods", "roster"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(",".join(HEADER), encoding="utf-8")
    with pytest.raises(RosterFileError, match=r"\.xlsx"):
        read_roster(path)


def test_header_only_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError, match="chưa có dòng dữ liệu"):
        read_roster(write_csv(tmp_path / "r.csv", [HEADER, ["", "", ""]]))


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    with pytest.raises(RosterFileError, match="chưa có dòng dữ liệu"):
        read_roster(path)


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(RosterFileError, match="Excel"):
        read_roster(path)


# --- xlsx specifics -------------------------------------------------------------------------------


def test_numeric_cells_in_xlsx(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        list(HEADER),
        [1001, "Nguyễn Văn Số", CELL, XA, None, "đảng viên", 912345678],
        [1002.0, "Trần Thị Thực", CELL, XA, None, "bi thu", 912345679.0],
        ["DV1003", "Lê Văn Chữ", CELL, XA, "Giáo viên", None, "0912345670"],
    ]
    result = read_roster(write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.errors == []
    assert [row.code for row in result.rows] == ["1001", "1002", "DV1003"]
    assert [row.phone for row in result.rows] == ["0912345678", "0912345679", "0912345670"]
    assert [row.role for row in result.rows] == [Role.MEMBER, Role.SECRETARY, Role.MEMBER]
    assert result.rows[0].position == ""


def test_xlsx_reads_only_the_first_sheet_and_reports_row_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(HEADER)
    first.append(GOOD)
    first.append([])
    first.append(with_values(code="DV102", role="chủ tịch"))
    other = workbook.create_sheet("Khác")
    other.append(HEADER)
    other.append(with_values(code="DV999"))
    workbook.active = 1  # the first sheet is read even when another one is active
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = read_roster(path)
    assert [row.code for row in result.rows] == ["DV100"]
    assert [error.row_number for error in result.errors] == [4]
    assert error_for(result, 4).startswith("Dòng 4: không hiểu «Vai trò» “chủ tịch”")


def test_uppercase_extension_is_accepted(tmp_path: Path) -> None:
    result = read_roster(write_xlsx(tmp_path / "ROSTER.XLSX", [HEADER, GOOD]))
    assert [row.code for row in result.rows] == ["DV100"]


def test_xlsx_missing_column_is_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [HEADER[:3], GOOD[:3]])
    with pytest.raises(RosterFileError, match="«Đảng bộ»"):
        read_roster(path)
    path.unlink()  # the workbook was closed, so the file can be removed at once
    assert not path.exists()


def test_invisible_marks_in_codes_are_dropped(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(code="\u200bDV100\ufeff")])
    assert result.errors == []
    assert result.rows[0].code == "DV100"


def test_unknown_role_does_not_also_claim_a_missing_cell(tmp_path: Path) -> None:
    result = read_rows(tmp_path, [with_values(cell="", role="ủy viên ban thường vụ")])
    reason = error_for(result, 2)
    assert "«Vai trò»" in reason
    assert "«Chi bộ»" not in reason
