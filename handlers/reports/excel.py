"""The report as an Excel workbook: a roll-up sheet; the exemplars, commendations and activities
(handlers/reports/excel_honours.py); then a sheet per cell listing members' commitments.

Pure: it takes figures already counted (`ReportData`) and returns the .xlsx bytes, so it can run in a
worker thread. Print-ready (handlers/reports/sheet_writer.py): landscape A4, one page wide, header rows tall
enough for their labels, the header row repeated on every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from handlers.catalog import reports as rp
from handlers.reports import excel_honours
from handlers.reports.sheet_writer import SheetWriter
from handlers.text import fmt_date
from storage.repo_reports import CommitmentLine, Figures, MemberLine

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
ROLLUP_WIDTHS = (6, 36, 12, 12, 12, 11, 11, 9, 12, 11, 11, 11, 12, 12, 12, 14)
CELL_WIDTHS = (6, 14, 26, 10, 60, 14, 11, 16, 16)


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
    honours: excel_honours.HonourSheets | None = None  # exemplars, commendations, activities


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
RATIO_COLUMN = 16  # "a/b" text, centred, alone in its column
LEADING_SHEETS = 4  # the roll-up, then the figures, commendations and activities (before a sheet per cell)
CELL_DATE_COLUMNS = (6, 8)
CELL_CONTENT_COLUMN = 5


def _subtitle(data: ReportData) -> str:
    return rp.XL_SUBTITLE.format(
        period=data.period_label,
        start=fmt_date(data.first_day),
        end=fmt_date(data.last_day),
        today=fmt_date(data.today),
    )


def _rollup_sheet(writer: SheetWriter, data: ReportData) -> None:
    sheet = writer.sheet(rp.SHEET_ROLLUP, ROLLUP_WIDTHS)
    title = rp.XL_TITLE.format(unit=data.unit_name)
    writer.head(sheet, title, _subtitle(data), rp.XL_ROLLUP_HEADERS, ROLLUP_WIDTHS)
    t = writer.templates(sheet)
    plain = {column: t["percent"] for column in PERCENT_COLUMNS} | {RATIO_COLUMN: t["ratio"]}
    for index, line in enumerate(data.lines, start=1):
        values = _rollup_values(index, line.name, line.figures)
        writer.append(sheet, [writer.styled(sheet, v, plain[i]) if i in plain else v for i, v in enumerate(values, 1)])
    bold = {column: t["bold_percent"] for column in PERCENT_COLUMNS} | {RATIO_COLUMN: t["bold_ratio"]}
    totals = _rollup_values("", rp.XL_TOTAL, data.totals)
    writer.append(sheet, [writer.styled(sheet, v, bold.get(i, t["bold"])) for i, v in enumerate(totals, 1)])


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


def _cell_sheet(writer: SheetWriter, title: str, cell: CellSheet, data: ReportData) -> None:
    sheet = writer.sheet(title, CELL_WIDTHS)
    writer.head(sheet, cell.name, _subtitle(data), rp.XL_CELL_HEADERS, CELL_WIDTHS)
    t = writer.templates(sheet)
    for values in _cell_rows(cell, data):
        for column in CELL_DATE_COLUMNS:
            if values[column - 1] is not None:
                values[column - 1] = writer.styled(sheet, values[column - 1], t["date"])
        values[CELL_CONTENT_COLUMN - 1] = writer.styled(sheet, values[CELL_CONTENT_COLUMN - 1], t["wrap"])
        writer.append(sheet, values)
    counted = [m for m in cell.members if m.in_scope]
    commitments = [c for m in counted for c in m.commitments] + cell.unit_commitments
    done = sum(1 for c in commitments if c.percent >= 100)
    total = rp.XL_CELL_TOTAL.format(members=len(counted), commitments=len(commitments), done=done)
    writer.append(sheet, ["", "", writer.styled(sheet, total, t["bold"])])


def build_workbook(data: ReportData) -> bytes:
    book = Workbook(write_only=True)
    writer = SheetWriter(book)
    _rollup_sheet(writer, data)
    taken = {rp.SHEET_ROLLUP.casefold()}
    if data.honours is not None:
        taken |= excel_honours.write_sheets(writer, data.honours, _subtitle(data))
    for cell in data.cells:
        _cell_sheet(writer, sheet_title(cell.name, taken), cell, data)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(unit_name: str, first_day: date, last_day: date) -> str:
    safe = re.sub(r"[^\w\-]+", "_", unit_name, flags=re.UNICODE).strip("_")[:60]
    return f"baocao_{safe}_{first_day:%Y%m%d}-{last_day:%Y%m%d}.xlsx"
