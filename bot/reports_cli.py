"""`lamtheo report`: the Excel report of any unit for a period, written to a file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.wiring import Core
from handlers.catalog import reports as r
from handlers.services.periods import parse_cli
from handlers.services.reports import excel_for_unit
from handlers.services.rollup import unit_row
from storage.models import Unit
from storage.uow import UnitOfWork


async def _find_unit(uow: UnitOfWork, name: str) -> Unit | None:
    """By name (case and Unicode form ignored), or by id; None after printing why when not exactly one."""
    if name.strip().isdigit():
        found = await uow.units.get(int(name))
        matches = [found] if found else []
    else:
        matches = await uow.units.find_by_name(name.strip())
    if not matches:
        print(r.CLI_UNIT_NOT_FOUND.format(name=name), file=sys.stderr)
        return None
    if len(matches) > 1:
        ids = ", ".join(str(unit.id) for unit in matches)
        print(r.CLI_UNIT_AMBIGUOUS.format(count=len(matches), name=name, ids=ids), file=sys.stderr)
        return None
    return matches[0]


async def write_report(core: Core, unit_name: str, period_text: str, out: Path) -> int:
    period = parse_cli(period_text, core.tz)  # InvalidInput: the CLI prints its message
    async with core.uow() as uow:
        unit = await _find_unit(uow, unit_name)
        if unit is None:
            return 1
        summary, attachment = await excel_for_unit(uow, unit_row(unit), period, core.clock.now(), core.tz)
    await asyncio.to_thread(out.write_bytes, attachment.content)
    sheets = 1 + len(summary.cells)
    print(r.CLI_REPORT_WRITTEN.format(unit=summary.unit_name, period=period.label, path=out, sheets=sheets))
    return 0
