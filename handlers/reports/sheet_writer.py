"""Print-ready sheets in a write-only workbook, the same for every sheet of a report.

Layout: the title (row 1) and the period line (row 2) span the table's width, each in a row tall enough for its
text; the header (row 3) wraps, in a row as tall as its longest label needs at its column's width; the panes are
frozen under it and it repeats at the top of every printed page. A4 landscape, one page wide, narrow margins,
"Trang n/m" in the footer. Numbers stay numbers; "a/b" figures (cells that held a session out of all) are text
in a column of their own, centred, so no column mixes the two.

Every text is written as a text cell (`append`, `styled`): openpyxl takes any string beginning with "=" for a
formula, and a deed, name or unit typed as "=HYPERLINK(...)" must not become one (formula injection). The
report's totals are values it computed, so a workbook we write holds no formula at all.

Streaming matters: the 5,000-member report is written in seconds and little memory. Styled cells copy the style
array of a template cell: assigning a Font or Alignment object to each cell makes openpyxl hash it every time.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from handlers.catalog import reports as rp

HEADER_ROW = 3  # title, period line, then the header
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
LINE_POINTS = 15.0  # one line of 11 pt text
TITLE_POINTS = 22.0  # one line of the 13 pt title
PADDING_POINTS = 4.0
MARGINS = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)  # inches


def text_safe(cell: Cell) -> Cell:
    """The cell with a string value typed as text (openpyxl made it a formula if it began with "=")."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def text_cell(sheet: Any, value: Any) -> Any:
    """A plain value for a row: strings as text cells, anything else as it is."""
    return text_safe(WriteOnlyCell(sheet, value=value)) if isinstance(value, str) else value


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide (words are not split if they fit)."""
    usable = max(1, int(width) - 1)
    return sum(max(1, len(textwrap.wrap(part, usable, break_long_words=True))) for part in text.split("\n"))


def header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    lines = max(wrapped_lines(text, width) for text, width in zip(headers, widths, strict=True))
    return lines * LINE_POINTS + PADDING_POINTS


class SheetWriter:
    """Streams rows into a write-only workbook, sheet by sheet."""

    def __init__(self, book: Workbook) -> None:
        self.book = book

    def sheet(self, title: str, widths: Sequence[float]) -> Any:  # a WriteOnlyWorksheet (untyped in openpyxl)
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
        sheet.print_options.horizontalCentered = True
        sheet.page_margins = MARGINS
        sheet.HeaderFooter.oddFooter.center.text = rp.XL_FOOTER
        return sheet

    @staticmethod
    def styled(sheet: Any, value: Any, template: Any) -> Cell:
        cell = text_safe(WriteOnlyCell(sheet, value=value))
        cell._style = copy(template._style)  # type: ignore[attr-defined]
        return cell

    @staticmethod
    def append(sheet: Any, values: Sequence[Any]) -> None:
        """One row; strings (whoever typed them) become text cells, never formulas."""
        sheet.append([text_safe(v) if isinstance(v, Cell) else text_cell(sheet, v) for v in values])

    def head(self, sheet: Any, title: str, subtitle: str, headers: Sequence[str], widths: Sequence[float]) -> None:
        """Title and period line across the table's width, then the header row sized to its labels."""
        last = get_column_letter(len(widths))
        total = sum(widths)
        for row, text, size, height in ((1, title, 13, TITLE_POINTS), (2, subtitle, 11, LINE_POINTS)):
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=row == 1, size=size)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
            sheet.row_dimensions[row].height = wrapped_lines(text, total * 0.9) * height + PADDING_POINTS
            sheet.merged_cells.add(f"A{row}:{last}{row}")
            self.append(sheet, [cell])
        header = WriteOnlyCell(sheet)
        header.font, header.fill, header.border = HEADER_FONT, HEADER_FILL, BORDER
        header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.row_dimensions[HEADER_ROW].height = header_height(headers, widths)
        self.append(sheet, [self.styled(sheet, text, header) for text in headers])

    def templates(self, sheet: Any) -> dict[str, Cell]:
        names = ("percent", "date", "wrap", "bold", "bold_percent", "ratio", "bold_ratio")
        made = {name: WriteOnlyCell(sheet) for name in names}
        made["percent"].number_format = PERCENT_FORMAT
        made["date"].number_format = DATE_FORMAT
        made["wrap"].alignment = WRAP
        made["bold"].font = HEADER_FONT
        made["bold_percent"].font = HEADER_FONT
        made["bold_percent"].number_format = PERCENT_FORMAT
        for name in ("ratio", "bold_ratio"):
            made[name].number_format = TEXT_FORMAT
            made[name].alignment = Alignment(horizontal="center")
        made["bold_ratio"].font = HEADER_FONT
        return made
