"""The report as an Excel workbook: a roll-up sheet, then a sheet per cell listing members' commitments.

Pure: it takes figures already counted (`ReportData`) and returns the .xlsx bytes, so it can run in a
worker thread. Print-ready: landscape A4, fit to one page wide, the header row repeated on every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from handlers.catalog import reports as rp
from handlers.text import fmt_date
from storage.repo_reports import CommitmentLine, Figures, MemberLine

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"
ROLLUP_WIDTHS = (6, 36, 12, 12, 12, 11, 11, 9, 12, 11, 11, 11, 12, 12, 12, 14)
CELL_WIDTHS = (6, 14, 26, 10, 60, 14, 11, 16, 16)
HEADER_ROW = 3  # title, subtitle, then the header


@dataclass(frozen=True)
class UnitFigures:
    name: str
    figures: Figures


@dataclass(frozen=True)
class CellSheet:
    name: str
    members: list[MemberLine]
    unit_commitments: list[CommitmentLine]  # collective commitments and models of the cell


@dataclass(frozen=True)
class ReportData:
    unit_name: str
    period_label: str
    first_day: date
    last_day: date  # the last day counted
    today: date
    lines: list[UnitFigures]  # one per child unit (or the cell itself)
    totals: Figures
    cells: list[CellSheet]
    tz: ZoneInfo


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, not starting or ending with '."""
    base = _FORBIDDEN.sub("-", name).strip().strip("'") or "Sheet"
    base = base[:SHEET_MAX].strip()
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: SHEET_MAX - len(suffix)].rstrip() + suffix
    taken.add(candidate.casefold())
    return candidate


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _rollup_values(index: int | str, name: str, f: Figures) -> list[object]:
    return [
        index,
        name,
        f.members,
        f.linked,
        f.registered,
        _ratio(f.registered, f.members),
        f.collective,
        f.models,
        f.updated,
        _ratio(f.updated, f.registered),
        f.completed,
        _ratio(f.completed, f.registered),
        f.behind,
        f.unreachable,
        f.studied,
        f"{f.cells_studied}/{f.cells}",
    ]


PERCENT_COLUMNS = (6, 10, 12)  # 1-based, in the roll-up sheet
CELL_DATE_COLUMNS = (6, 8)
CELL_CONTENT_COLUMN = 5


class _Writer:
    """Streams rows into a write-only workbook (the 5,000-member report in seconds and little memory).

    Styled cells copy the style array of a template cell: assigning a Font or Alignment object to each cell
    makes openpyxl hash it every time, which cost most of the time of a large report.
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book

    def sheet(self, title: str, widths: Sequence[int]) -> Any:  # a WriteOnlyWorksheet (untyped in openpyxl)
        sheet = self.book.create_sheet(title)
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_options.gridLines = True
        return sheet

    @staticmethod
    def styled(sheet: Any, value: Any, template: Any) -> Cell:
        cell = WriteOnlyCell(sheet, value=value)
        cell._style = copy(template._style)  # type: ignore[attr-defined]
        return cell

    def head(self, sheet: Any, title: str, subtitle: str, headers: Sequence[str]) -> None:
        title_cell = WriteOnlyCell(sheet, value=title)
        title_cell.font = Font(bold=True, size=13)
        sheet.append([title_cell])
        sheet.append([subtitle])
        header = WriteOnlyCell(sheet)
        header.font, header.fill, header.border = HEADER_FONT, HEADER_FILL, BORDER
        header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.append([self.styled(sheet, text, header) for text in headers])

    def templates(self, sheet: Any) -> dict[str, Cell]:
        made = {name: WriteOnlyCell(sheet) for name in ("percent", "date", "wrap", "bold", "bold_percent")}
        made["percent"].number_format = PERCENT_FORMAT
        made["date"].number_format = DATE_FORMAT
        made["wrap"].alignment = WRAP
        made["bold"].font = HEADER_FONT
        made["bold_percent"].font = HEADER_FONT
        made["bold_percent"].number_format = PERCENT_FORMAT
        return made


def _subtitle(data: ReportData) -> str:
    return rp.XL_SUBTITLE.format(
        period=data.period_label,
        start=fmt_date(data.first_day),
        end=fmt_date(data.last_day),
        today=fmt_date(data.today),
    )


def _rollup_sheet(writer: _Writer, data: ReportData) -> None:
    sheet = writer.sheet(rp.SHEET_ROLLUP, ROLLUP_WIDTHS)
    writer.head(sheet, rp.XL_TITLE.format(unit=data.unit_name), _subtitle(data), rp.XL_ROLLUP_HEADERS)
    t = writer.templates(sheet)
    for index, line in enumerate(data.lines, start=1):
        values = _rollup_values(index, line.name, line.figures)
        sheet.append(
            [writer.styled(sheet, v, t["percent"]) if i in PERCENT_COLUMNS else v for i, v in enumerate(values, 1)]
        )
    totals = _rollup_values("", rp.XL_TOTAL, data.totals)
    sheet.append(
        [
            writer.styled(sheet, v, t["bold_percent"] if i in PERCENT_COLUMNS else t["bold"])
            for i, v in enumerate(totals, 1)
        ]
    )


def _state(item: CommitmentLine, last_day: date) -> str:
    if item.percent >= 100:
        return rp.XL_STATE_DONE
    if item.deadline < last_day:
        return rp.XL_STATE_BEHIND
    return rp.XL_STATE_ON_TRACK


def _commitment_values(item: CommitmentLine, data: ReportData) -> list[object]:
    last = item.last_update.astimezone(data.tz).date() if item.last_update else None
    return [
        rp.XL_KIND.get(item.kind, item.kind),
        item.content,
        item.deadline,
        item.percent,
        last,
        _state(item, data.last_day),
    ]


def _cell_rows(cell: CellSheet, data: ReportData) -> Iterable[list[object]]:
    index = 0
    for item in cell.unit_commitments:
        index += 1
        yield [index, "", cell.name, *_commitment_values(item, data)]
    for member in cell.members:
        if not member.in_scope:  # exempt or paused: out of the roll-up, out of the list
            continue
        name = rp.ANONYMOUS if member.anonymised else member.full_name
        code = "" if member.anonymised else member.code
        if not member.commitments:
            index += 1
            yield [index, code, name, "", rp.XL_NO_COMMITMENT, None, None, None, ""]
        for item in member.commitments:
            index += 1
            yield [index, code, name, *_commitment_values(item, data)]


def _cell_sheet(writer: _Writer, title: str, cell: CellSheet, data: ReportData) -> None:
    sheet = writer.sheet(title, CELL_WIDTHS)
    writer.head(sheet, cell.name, _subtitle(data), rp.XL_CELL_HEADERS)
    t = writer.templates(sheet)
    for values in _cell_rows(cell, data):
        for column in CELL_DATE_COLUMNS:
            if values[column - 1] is not None:
                values[column - 1] = writer.styled(sheet, values[column - 1], t["date"])
        values[CELL_CONTENT_COLUMN - 1] = writer.styled(sheet, values[CELL_CONTENT_COLUMN - 1], t["wrap"])
        sheet.append(values)
    counted = [m for m in cell.members if m.in_scope]
    commitments = [c for m in counted for c in m.commitments] + cell.unit_commitments
    done = sum(1 for c in commitments if c.percent >= 100)
    total = rp.XL_CELL_TOTAL.format(members=len(counted), commitments=len(commitments), done=done)
    sheet.append(["", "", writer.styled(sheet, total, t["bold"])])


def build_workbook(data: ReportData) -> bytes:
    book = Workbook(write_only=True)
    writer = _Writer(book)
    _rollup_sheet(writer, data)
    taken = {rp.SHEET_ROLLUP.casefold()}
    for cell in data.cells:
        _cell_sheet(writer, sheet_title(cell.name, taken), cell, data)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(unit_name: str, first_day: date, last_day: date) -> str:
    safe = re.sub(r"[^\w\-]+", "_", unit_name, flags=re.UNICODE).strip("_")[:60]
    return f"baocao_{safe}_{first_day:%Y%m%d}-{last_day:%Y%m%d}.xlsx"
