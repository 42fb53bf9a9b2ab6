"""The workbook prints right: read back from the saved file, every sheet has its title and period line across the
table in rows tall enough, a header row as tall as its longest label, the header repeated on every page, A4
landscape one page wide, page numbers; "a/b" figures are text in columns of their own, numbers are numbers. The
sheets of exemplars, commendations and activities hold the hand-counted figures and the lists."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports.excel import CELL_WIDTHS, ROLLUP_WIDTHS
from handlers.reports.excel_honours import ACTIVITY_WIDTHS, COMMENDATION_WIDTHS, HONOURS_WIDTHS
from handlers.reports.sheet_writer import LINE_POINTS, header_height, wrapped_lines
from handlers.services.periods import parse_cli
from handlers.services.reports import excel_for_unit
from tests.honours_support import ACCOUNT
from tests.report_world import DT, LEADING_SHEETS, TH, TL
from tests.support import TZ, Database, FakeClock

LAYOUTS = {
    rp.SHEET_ROLLUP: (rp.XL_ROLLUP_HEADERS, ROLLUP_WIDTHS),
    dc.SHEET_HONOURS: (dc.XL_HONOURS_HEADERS, HONOURS_WIDTHS),
    dc.SHEET_COMMENDATIONS: (dc.XL_COMMENDATIONS_HEADERS, COMMENDATION_WIDTHS),
    dc.SHEET_ACTIVITIES: (dc.XL_ACTIVITIES_HEADERS, ACTIVITY_WIDTHS),
}
RATIO = re.compile(r"^\d+/\d+$")


async def workbook(db: Database, clock: FakeClock, unit: str = "Đảng bộ xã Thanh Sơn") -> Workbook:
    async with db.uow() as uow:
        _, attachment = await excel_for_unit(uow, unit, parse_cli("2026", TZ), clock.now(), TZ)
    return load_workbook(io.BytesIO(attachment.content))


def layout(title: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return LAYOUTS.get(title, (rp.XL_CELL_HEADERS, CELL_WIDTHS))


def test_the_height_estimate() -> None:
    assert wrapped_lines("Tỷ lệ đăng ký", 11) == 2  # "Tỷ lệ đăng" / "ký" in 10 characters
    assert wrapped_lines("STT", 6) == 1
    assert wrapped_lines("a\nb", 20) == 2
    assert header_height(["Chi bộ đã học / tổng số", "STT"], [14, 6]) == 2 * LINE_POINTS + 4


async def test_every_sheet_prints_right(honours_db: Database, clock: FakeClock) -> None:
    book = await workbook(honours_db, clock)
    assert book.sheetnames == [*LEADING_SHEETS, DT, TL, TH[:31]]
    for sheet in book.worksheets:
        headers, widths = layout(sheet.title)
        last = chr(ord("A") + len(widths) - 1)
        assert [cell.value for cell in sheet[3]] == list(headers), sheet.title
        assert sheet.print_title_rows == "$3:$3", sheet.title  # the header on every printed page
        assert sheet.freeze_panes == "A4"
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (
            "landscape",
            "9",
            1,
            0,
        )
        assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_margins.left, sheet.page_margins.right) == (0.4, 0.4)
        assert sheet.oddFooter.center.text == rp.XL_FOOTER
        assert {f"A1:{last}1", f"A2:{last}2"} <= {str(r) for r in sheet.merged_cells.ranges}  # across the table
        for letter, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
            assert sheet.column_dimensions[letter].width == width
        heights = [sheet.row_dimensions[row].height for row in (1, 2, 3)]
        assert heights[0] >= 22 and heights[1] >= LINE_POINTS  # the title and the period line have their own room
        lines = max(wrapped_lines(text, width) for text, width in zip(headers, widths, strict=True))
        assert heights[2] == header_height(headers, widths) >= lines * LINE_POINTS, sheet.title
        assert lines >= 2 or sheet.title == dc.SHEET_ACTIVITIES  # the two-line headers are not clipped


async def test_numbers_and_ratios_are_kept_apart(honours_db: Database, clock: FakeClock) -> None:
    book = await workbook(honours_db, clock)
    for title, ratio_column in ((rp.SHEET_ROLLUP, 16), (dc.SHEET_HONOURS, 13)):
        sheet = book[title]
        for row in sheet.iter_rows(min_row=4):
            for cell in row[2:]:
                if cell.column == ratio_column:
                    assert isinstance(cell.value, str) and RATIO.match(cell.value), (title, cell.coordinate)
                    assert cell.number_format == "@" and cell.alignment.horizontal == "center"
                else:
                    assert isinstance(cell.value, int | float), (title, cell.coordinate, cell.value)


async def test_the_sheets_of_exemplars_commendations_and_activities(honours_db: Database, clock: FakeClock) -> None:
    book = await workbook(honours_db, clock)
    figures = {row[1]: row[2:] for row in book[dc.SHEET_HONOURS].iter_rows(min_row=4, values_only=True)}
    # exemplars (tập thể, cá nhân), proposed, commended, upward, models, replicated, cells held/all, activities, people
    assert figures[DT] == (1, 1, 0, 1, 0, 1, 0, 0, 1, 0, "1/1", 1, 139)
    assert figures[TL] == (0, 0, 1, 0, 0, 0, 1, 0, 1, 1, "0/1", 0, 0)
    assert figures[TH] == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "0/1", 0, 0)
    assert figures[rp.XL_TOTAL] == (1, 1, 1, 1, 0, 1, 1, 0, 2, 1, "1/3", 1, 139)
    rows = list(book[dc.SHEET_COMMENDATIONS].iter_rows(min_row=4, values_only=True))
    assert len(rows) == 2
    an = next(row for row in rows if row[2] == "Đồng chí Nguyễn Văn An")
    assert an[1] == DT and an[3] == "Cá nhân" and an[5] == ACCOUNT and an[6] == "Trần Thị Bích Ngọc"
    assert an[8:11] == ("Đã quyết định", "khen thưởng", "12-QĐ/ĐU")
    assert isinstance(an[11], datetime) and an[11].date() == date(2026, 11, 20)
    assert an[12] == "Đảng bộ xã Thanh Sơn"
    tan_lap = next(row for row in rows if row[2] == "Tập thể Chi bộ thôn Tân Lập")
    assert tan_lap[8] == dc.XL_STATE["pending"].format(level="Đảng bộ tỉnh Hòa Bình Xanh")  # proposed upward
    assert tan_lap[9:12] == (None, None, None)
    activities = list(book[dc.SHEET_ACTIVITIES].iter_rows(min_row=4, values_only=True))
    assert activities[0][:4] == (1, DT, "Hội thi", "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh")
    assert activities[0][4].date() == date(2026, 10, 12) and activities[0][5] == 139
    assert activities[-1][3] == dc.XL_ACTIVITIES_TOTAL.format(count=1) and activities[-1][5] == 139


async def test_nothing_to_list_says_so(roster_db: Database, clock: FakeClock) -> None:
    book = await workbook(roster_db, clock, "Chi bộ thôn Tân Lập")
    for title in (dc.SHEET_COMMENDATIONS, dc.SHEET_ACTIVITIES):
        assert [row[1] for row in book[title].iter_rows(min_row=4, max_row=4, values_only=True)] == [dc.XL_NONE]
