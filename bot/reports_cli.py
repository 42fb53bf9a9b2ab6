"""`lamtheo report`: the Excel report, or the draft report the committee signs (DOCX), of any unit for a period."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.wiring import Core
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports import excel
from handlers.services.periods import parse_cli
from handlers.services.report_doc import docx_for_unit
from handlers.services.reports import excel_for_unit
from storage.private_files import write_private


async def write_report(core: Core, unit: str, period_text: str, out: Path) -> int:
    """A unit or period that cannot be read raises a UserError: the CLI prints its message."""
    period = parse_cli(period_text, core.tz)
    async with core.uow() as uow:
        summary, attachment = await excel_for_unit(uow, unit, period, core.clock.now(), core.tz)
    await asyncio.to_thread(write_private, out, attachment.content)
    sheets = excel.LEADING_SHEETS + len(summary.cells)
    print(rp.CLI_REPORT_WRITTEN.format(unit=summary.unit_name, period=period.label, path=out, sheets=sheets))
    return 0


async def write_draft(core: Core, unit: str, period_text: str, out: Path, place: str | None) -> int:
    """The DOCX draft; the note printed says the prose is to be edited before it is signed."""
    period = parse_cli(period_text, core.tz)
    async with core.uow() as uow:
        summary, attachment = await docx_for_unit(uow, unit, period, core.clock.now(), core.tz, place)
    await asyncio.to_thread(write_private, out, attachment.content)
    print(dc.CLI_DOCX_WRITTEN.format(unit=summary.unit_name, period=period.label, path=out))
    return 0
