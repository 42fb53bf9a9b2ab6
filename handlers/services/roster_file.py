"""Read a roster file (.xlsx or .csv) into validated rows. Pure parsing: no database, no logging.

The header row is found among the first few non-blank rows (a title line above it is tolerated) and matched
tolerantly: case, surrounding spaces, Unicode form and diacritics do not matter. Every data row becomes either
a ``RosterRow`` or one ``RowError`` that lists all of that row's problems. Phone numbers are never logged,
printed or quoted back in messages.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from handlers.catalog import roster as ro
from storage.enums import Role

_MAX_CODE_LENGTH = 32
_MAX_NAME_LENGTH = 120
_MAX_UNIT_LENGTH = 200  # cell, each committee level, position
_HEADER_SEARCH_ROWS = 10
_ROLE_ECHO_LENGTH = 40

_CODE = "code"
_FULL_NAME = "full_name"
_CELL = "cell"
_COMMITTEE = "committee"
_POSITION = "position"
_ROLE = "role"
_PHONE = "phone"

_LABELS: dict[str, str] = {
    _CODE: ro.COL_CODE,
    _FULL_NAME: ro.COL_FULL_NAME,
    _CELL: ro.COL_CELL,
    _COMMITTEE: ro.COL_COMMITTEE,
    _POSITION: ro.COL_POSITION,
    _ROLE: ro.COL_ROLE,
    _PHONE: ro.COL_PHONE,
}
_REQUIRED = (_CODE, _FULL_NAME, _CELL, _COMMITTEE, _ROLE)
# Extra header spellings seen in real sheets, already folded (see _fold).
_ALIASES: dict[str, tuple[str, ...]] = {
    _CODE: ("ma dv", "ma so dang vien"),
    _FULL_NAME: ("ho ten",),
    _PHONE: ("dien thoai", "so dt", "sdt"),
}
_ROLES: dict[str, Role] = {
    "dang vien": Role.MEMBER,
    "bi thu": Role.SECRETARY,
    "bi thu chi bo": Role.SECRETARY,
    "pho bi thu": Role.DEPUTY,
    "pho bi thu chi bo": Role.DEPUTY,
    "cap uy": Role.COMMITTEE,
    "cap uy vien": Role.COMMITTEE,
}
_CODE_PUNCTUATION = frozenset("-_.")
_PHONE_SEPARATORS = frozenset(".-")
_PHONE_PATTERN = re.compile(r"0[0-9]{9}|\+84[0-9]{9}")
_CSV_DELIMITERS = (",", ";", "\t")

_RawRow = tuple[int, list[str]]
_RawRows = Generator[_RawRow, None, None]


@dataclass(frozen=True)
class RosterRow:
    row_number: int
    code: str
    full_name: str
    cell: str | None
    committee_path: tuple[str, ...]
    position: str
    role: Role
    phone: str | None


@dataclass(frozen=True)
class RowError:
    row_number: int
    reason: str


@dataclass
class RosterFile:
    rows: list[RosterRow]
    errors: list[RowError]


class RosterFileError(Exception):
    """The whole file is unusable; ``str(exc)`` is a Vietnamese message for the user."""


def read_roster(path: Path) -> RosterFile:
    """Parse an .xlsx (first worksheet) or .csv roster; raise RosterFileError when the file is unusable."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise RosterFileError(ro.FILE_UNSUPPORTED)
    with closing(reader(path)) as rows:  # closes the workbook even when parsing stops early
        return _parse(rows)


# --- text helpers -------------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    """Lowercase, without diacritics, single-spaced: 'Số  Điện thoại ' -> 'so dien thoai'."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _collapse(bare).strip("*: ")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return _nfc(str(value)).strip()


# --- file readers -------------------------------------------------------------------------------------------


def _xlsx_rows(path: Path) -> _RawRows:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # corrupt or non-xlsx content: every parser error means the same to the user
        raise RosterFileError(ro.FILE_UNREADABLE_XLSX) from exc
    try:
        sheets = workbook.worksheets
        if sheets and isinstance(sheets[0], ReadOnlyWorksheet):
            yield from _sheet_rows(sheets[0])
    except Exception as exc:
        raise RosterFileError(ro.FILE_UNREADABLE_XLSX) from exc
    finally:
        workbook.close()


def _sheet_rows(sheet: ReadOnlyWorksheet) -> Iterator[_RawRow]:
    sheet.reset_dimensions()  # some generators write a wrong dimension tag; read every cell instead
    rows = sheet.iter_rows(values_only=True)  # type: ignore[misc]  # the stubs type self as Worksheet
    for number, values in enumerate(rows, start=1):
        yield number, [_cell_text(value) for value in values]


def _csv_rows(path: Path) -> _RawRows:
    text = _csv_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [_nfc(value).strip() for value in values]
    except csv.Error as exc:
        raise RosterFileError(ro.FILE_UNREADABLE_CSV) from exc


def _csv_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterFileError(ro.FILE_UNREADABLE_CSV) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(ro.FILE_NOT_UTF8) from exc


def _csv_delimiter(text: str) -> str:
    """The delimiter under which the top lines show the most known headers; the Sniffer breaks ties."""
    sample = "\n".join(text.splitlines()[:_HEADER_SEARCH_ROWS])
    scores = {delimiter: _header_score(sample, delimiter) for delimiter in _CSV_DELIMITERS}
    best = max(scores.values())
    if best > 0 and list(scores.values()).count(best) == 1:
        return max(scores, key=lambda delimiter: scores[delimiter])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_CSV_DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _header_score(sample: str, delimiter: str) -> int:
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error:
        return 0
    return max((len(_header_columns(row)) for row in rows), default=0)


_READERS: dict[str, Callable[[Path], _RawRows]] = {".xlsx": _xlsx_rows, ".csv": _csv_rows}


# --- header -------------------------------------------------------------------------------------------------


def _header_lookup() -> dict[str, str]:
    lookup = {_fold(label): field for field, label in _LABELS.items()}
    for field, aliases in _ALIASES.items():
        lookup.update(dict.fromkeys(aliases, field))
    return lookup


_HEADER_LOOKUP = _header_lookup()


def _header_columns(cells: list[str]) -> dict[str, int]:
    """field -> column index for every recognised header cell (first occurrence wins)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = _HEADER_LOOKUP.get(_fold(_nfc(cell)))
        if field is not None and field not in columns:
            columns[field] = index
    return columns


def _missing(columns: Mapping[str, int]) -> list[str]:
    return [_LABELS[field] for field in _REQUIRED if field not in columns]


def _locate_header(rows: Iterator[_RawRow]) -> dict[str, int]:
    """Consume rows up to and including the header; raise if no usable header is found near the top."""
    best: dict[str, int] | None = None
    seen = 0
    for _number, cells in rows:
        if not any(cells):
            continue
        columns = _header_columns(cells)
        if not _missing(columns):
            return columns
        if best is None or len(columns) > len(best):
            best = columns
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise RosterFileError(ro.FILE_EMPTY)
    raise RosterFileError(ro.missing_columns(_missing(best)))


# --- rows ---------------------------------------------------------------------------------------------------


def _parse(raw: Iterator[_RawRow]) -> RosterFile:
    columns = _locate_header(raw)
    result = RosterFile(rows=[], errors=[])
    first_seen: dict[str, int] = {}
    for number, cells in raw:
        if not any(cells):
            continue
        values = {field: cells[index] if index < len(cells) else "" for field, index in columns.items()}
        problems = _duplicate_problems(number, values.get(_CODE, ""), first_seen)
        row = _build_row(number, values, problems)
        if row is None:
            result.errors.append(RowError(number, ro.row_error(number, problems)))
        else:
            result.rows.append(row)
    if not result.rows and not result.errors:
        raise RosterFileError(ro.FILE_EMPTY)
    return result


def _duplicate_problems(number: int, code: str, first_seen: dict[str, int]) -> list[str]:
    """Codes compare case-insensitively; the first row keeps the code, later ones are reported."""
    if not code:
        return []
    key = code.casefold()
    if key in first_seen:
        return [ro.duplicate_code(code, first_seen[key])]
    first_seen[key] = number
    return []


def _build_row(number: int, values: Mapping[str, str], problems: list[str]) -> RosterRow | None:
    """Validate every field, appending all problems; a row is only built when there are none."""
    code = _code(values.get(_CODE, ""), problems)
    full_name = _full_name(values.get(_FULL_NAME, ""), problems)
    role = _role(values.get(_ROLE, ""), problems)
    cell = _cell(values.get(_CELL, ""), role, problems)
    committee_path = _committee_path(values.get(_COMMITTEE, ""), problems)
    position = _limited(_collapse(values.get(_POSITION, "")), _POSITION, problems)
    phone = _phone(values.get(_PHONE, ""), problems)
    if problems or role is None:
        return None
    return RosterRow(number, code, full_name, cell, committee_path, position, role, phone)


def _code(text: str, problems: list[str]) -> str:
    # invisible pasted marks go; codes are identifiers, kept in upper case so "dv001" is DV001
    code = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip().upper()
    if not code:
        problems.append(ro.missing_field(ro.COL_CODE))
        return code
    if len(code) > _MAX_CODE_LENGTH:
        problems.append(ro.too_long(ro.COL_CODE, _MAX_CODE_LENGTH))
    if not all(ch.isalpha() or ch in "0123456789" or ch in _CODE_PUNCTUATION for ch in code):
        problems.append(ro.ROW_CODE_BAD_CHARS)
    return code


def _full_name(text: str, problems: list[str]) -> str:
    name = _collapse(text)
    if not name:
        problems.append(ro.missing_field(ro.COL_FULL_NAME))
    elif len(name) > _MAX_NAME_LENGTH:
        problems.append(ro.too_long(ro.COL_FULL_NAME, _MAX_NAME_LENGTH))
    return name


def _role(text: str, problems: list[str]) -> Role | None:
    word = _collapse(text)
    if not word:
        return Role.MEMBER
    role = _ROLES.get(_fold(word))
    if role is None:
        echo = word if len(word) <= _ROLE_ECHO_LENGTH else word[:_ROLE_ECHO_LENGTH] + "…"
        problems.append(ro.role_unknown(echo))
    return role


def _cell(text: str, role: Role | None, problems: list[str]) -> str | None:
    cell = _collapse(text)
    if cell:
        return _limited(cell, _CELL, problems)
    if role is not None and role is not Role.COMMITTEE:
        problems.append(ro.ROW_CELL_REQUIRED)
    return None


def _committee_path(text: str, problems: list[str]) -> tuple[str, ...]:
    levels = tuple(level for level in (_collapse(part) for part in text.split("/")) if level)
    if not levels:
        problems.append(ro.missing_field(ro.COL_COMMITTEE))
    for level in levels:
        _limited(level, _COMMITTEE, problems)
    return levels


def _limited(text: str, field: str, problems: list[str]) -> str:
    problem = ro.too_long(_LABELS[field], _MAX_UNIT_LENGTH)
    if len(text) > _MAX_UNIT_LENGTH and problem not in problems:
        problems.append(problem)
    return text


def _phone(text: str, problems: list[str]) -> str | None:
    """'091 234.5678' -> '0912345678'; '+84 912 345 678' -> '+84912345678'; 9 digits regain their lost 0."""
    compact = "".join(ch for ch in text if not ch.isspace() and ch not in _PHONE_SEPARATORS)
    if not compact:
        return None
    if len(compact) == 9 and compact.isascii() and compact.isdigit() and not compact.startswith("0"):
        compact = "0" + compact  # a number cell in Excel drops the leading zero
    if _PHONE_PATTERN.fullmatch(compact):
        return compact
    problems.append(ro.ROW_PHONE_INVALID)
    return None
