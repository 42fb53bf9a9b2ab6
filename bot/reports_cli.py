"""`lamtheo report`: the Excel report of any unit for a period, written to a file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.wiring import Core
from handlers.catalog import reports as rp
from handlers.reports import excel
from handlers.services.periods import parse_cli
from handlers.services.reports import excel_for_unit


async def write_report(core: Core, unit: str, period_text: str, out: Path) -> int:
    """A unit or period that cannot be read raises a UserError: the CLI prints its message."""
    period = parse_cli(period_text, core.tz)
    async with core.uow() as uow:
        summary, attachment = await excel_for_unit(uow, unit, period, core.clock.now(), core.tz)
    await asyncio.to_thread(out.write_bytes, attachment.content)
    sheets = excel.LEADING_SHEETS + len(summary.cells)
    print(rp.CLI_REPORT_WRITTEN.format(unit=summary.unit_name, period=period.label, path=out, sheets=sheets))
    return 0
