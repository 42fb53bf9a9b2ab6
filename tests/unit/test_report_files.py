"""The Excel report opened with openpyxl and checked cell by cell; the chart rendered and its glyphs checked."""

from __future__ import annotations

import io
import warnings
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from handlers.catalog import reports as rp
from handlers.reports import chart
from handlers.reports.excel import MIME, sheet_title
from handlers.services.authz import load_actor
from handlers.services.periods import month_of, parse_cli
from handlers.services.reports import chart_attachment, chart_bars, excel_attachment
from handlers.services.rollup import rollup
from tests.report_world import DT, LEADING_SHEETS, MN, NOVEMBER, OCTOBER, TH, THANH_SON, TL, total
from tests.support import TZ, Database, FakeClock

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def workbook_for(db: Database, clock: FakeClock, code: str, period_text: str) -> tuple[bytes, str]:
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        period = parse_cli(period_text, TZ)
        summary = await rollup(uow, await load_actor(uow, member), period, clock.now(), TZ)
        attachment = await excel_attachment(uow, summary, date(2026, 11, 23), TZ)
    assert attachment.mime == MIME and not attachment.photo
    return attachment.content, attachment.filename


def rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_committee_workbook(world_db: Database, clock: FakeClock) -> None:
    db = world_db
    content, name = await workbook_for(db, clock, "DV025", "2026-11")
    assert name.endswith("_20261101-20261130.xlsx") and name.startswith("baocao_")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [*LEADING_SHEETS, DT, TL, TH[:31]]  # TH's name has 32 characters
    sheet = book[rp.SHEET_ROLLUP]
    table = rows(sheet)
    assert table[0][0] == rp.XL_TITLE.format(unit=THANH_SON)
    assert "01/11/2026" in str(table[1][0]) and "23/11/2026" in str(table[1][0])
    assert tuple(table[2]) == rp.XL_ROLLUP_HEADERS
    by_unit = {row[1]: row for row in table[3:]}
    dt = by_unit[DT]
    assert dt[2:5] == [6, 2, 4]  # members, linked, registered
    assert dt[5] == pytest.approx(4 / 6)
    assert dt[6:9] == [1, 1, 2]  # collective, models, updated
    assert dt[9] == pytest.approx(2 / 4)
    assert dt[12:] == [2, 1, 2, "1/1"]  # behind, unreachable, studied, cells
    totals = by_unit[rp.XL_TOTAL]
    expected = total(NOVEMBER)
    assert totals[2:5] == [expected.members, expected.linked, expected.registered] == [14, 3, 8]
    assert totals[15] == "2/3"
    assert table[-1][1] == rp.XL_TOTAL  # the totals row is last
    assert sheet.cell(row=4, column=6).number_format == "0.0%"
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width == 36
    assert all(sheet.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNOP")


async def test_cell_sheet_lists_members_and_dates(world_db: Database, clock: FakeClock) -> None:
    db = world_db
    content, _ = await workbook_for(db, clock, "DV025", "2026-11")
    sheet = load_workbook(io.BytesIO(content))[DT]
    table = rows(sheet)
    assert table[0][0] == DT
    assert tuple(table[2]) == rp.XL_CELL_HEADERS
    body = table[3:-1]
    kinds = [row[3] for row in body]
    assert kinds[:2] == [rp.XL_KIND["collective"], rp.XL_KIND["model"]]  # the cell's own come first
    an = [row for row in body if row[1] == "DV001"]
    assert len(an) == 2 and {row[6] for row in an} == {100}
    dates = {row[7].date() for row in an}  # openpyxl reads dates back as datetimes
    assert dates == {date(2026, 11, 5), date(2026, 11, 10)}
    assert sheet.cell(row=4, column=6).number_format == "DD/MM/YYYY"
    late = next(row for row in body if row[1] == "DV002" and row[3] == rp.XL_KIND["individual"])
    assert late[8] == rp.XL_STATE_BEHIND and late[5].date() == date(2026, 10, 31)
    anonymous = [row for row in body if row[2] == rp.ANONYMOUS]
    assert len(anonymous) == 1 and not anonymous[0][1] and anonymous[0][6] == 30  # no code, no name
    missing = [row for row in body if row[4] == rp.XL_NO_COMMITMENT]
    assert {row[1] for row in missing} == {"DV004", "DV005"}
    assert "DV003" not in {row[1] for row in body}  # exempt: not listed
    assert table[-1][2] == rp.XL_CELL_TOTAL.format(members=6, commitments=7, done=2)
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["E"].width == 60


async def test_past_workbook_has_the_merged_cell(world_db: Database, clock: FakeClock) -> None:
    db = world_db
    content, _ = await workbook_for(db, clock, "DV025", "2026-10")
    book = load_workbook(io.BytesIO(content))
    assert set(book.sheetnames) == {*LEADING_SHEETS, DT, TL, TH[:31], MN}
    totals = rows(book[rp.SHEET_ROLLUP])[-1]
    assert totals[2] == total(OCTOBER).members == 13
    assert [row[1] for row in rows(book[MN])[3:-1]] == ["DV014"]


async def test_secretary_workbook_is_their_cell_only(world_db: Database, clock: FakeClock) -> None:
    db = world_db
    content, _ = await workbook_for(db, clock, "DV002", "2026")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [*LEADING_SHEETS, DT]


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    long_name = "Chi bộ thôn Đồng Tâm mở rộng số 1 khu dân cư phía Bắc"
    names = [sheet_title(n, taken) for n in [long_name, long_name, "A/B:C*D?[E]\\F", "'quoted'", "Tổng hợp", ""]]
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[1].endswith("(2)")
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[3] == "quoted"


def test_chart_renders_vietnamese_without_missing_glyphs() -> None:
    bars = [chart.Bar(name, 66.7, 50.0) for name in (DT, TL, TH, "Chi bộ Ấp Mỹ Hòa — Đường Lê Lợi, Quận 1, TP.HCM")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.render(rp.CHART_TITLE.format(unit=THANH_SON, period="tháng 11/2026"), bars)
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyphs == []
    assert png.startswith(PNG_SIGNATURE)
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (600, 500)
    assert len(png) > 10_000


def test_missing_glyph_check_would_catch_one() -> None:
    """The check above is real: a character DejaVu Sans lacks does warn."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart.render("\U0001f600 \u4e2d", [chart.Bar("x", 1, 1)])
    assert any("missing from" in str(w.message) or "Glyph" in str(w.message) for w in caught)


async def test_chart_attachment_of_a_committee(world_db: Database, clock: FakeClock) -> None:
    db = world_db
    async with db.uow() as uow:
        member = await uow.members.by_code("DV025")
        assert member is not None
        summary = await rollup(uow, await load_actor(uow, member), month_of(date(2026, 11, 23), TZ), clock.now(), TZ)
    bars = chart_bars(summary)
    assert [(b.label, b.registered, b.updated) for b in bars] == [
        (DT, 66.7, 50.0),
        (TL, 50.0, 100.0),
        (TH, 50.0, 0.0),
    ]
    picture = await chart_attachment(summary)
    assert picture is not None and picture.photo and picture.mime == "image/png"
    assert picture.content.startswith(PNG_SIGNATURE) and picture.filename.endswith(".png")
