"""The terminal demo (`make run` without a token) and `lamtheo chat --as CODE`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.console import ConsoleChannel
from bot.settings import Settings
from bot.wiring import Core, build_core
from handlers.catalog import admin as a
from handlers.catalog import core as t
from handlers.clock import local_today
from handlers.services.errors import NotFound
from handlers.services.linking import link_console
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from handlers.services.themes import set_theme
from storage.migrate import upgrade


async def console_account(core: Core, member_code: str) -> tuple[str, str]:
    """Link the operator's terminal to a member; returns (account id, who-you-are line)."""
    async with core.uow() as uow:
        member = await uow.members.by_code(member_code.strip())
        if member is None or not member.active:
            raise NotFound(a.MEMBER_UNKNOWN.format(code=member_code))
        account = await link_console(uow, member, core.clock.now())
        unit = await uow.units.get(member.cell_id or member.scope_unit_id or 0)
        await uow.commit()
        who = a.CONSOLE_AS.format(name=member.full_name, role=t.ROLE_NAMES[member.role], unit=unit.name if unit else "")
        return account.external_id, who


async def chat(core: Core, member_code: str, stdin: TextIO, stdout: TextIO) -> int:
    account_id, who = await console_account(core, member_code)
    stdout.write(who + "\n")

    async def switch(code: str) -> str | None:
        try:
            new_account, new_who = await console_account(core, code)
        except NotFound as error:
            stdout.write(error.message + "\n")
            return None
        stdout.write(new_who + "\n")
        return new_account

    await ConsoleChannel(core.router, account_id, stdin, stdout, switch).run()
    stdout.write(a.CONSOLE_BYE + "\n")
    return 0


async def prepare_demo(core: Core, roster: Path) -> None:
    """Sample data: the example roster and a theme for this year (both idempotent)."""
    rows = read_roster(roster).rows
    async with core.uow() as uow:
        await import_roster(uow, rows, core.clock.now())
        year = local_today(core.clock.now(), core.tz).year
        if await uow.themes.get(year) is None:
            await set_theme(uow, year, a.DEMO_THEME, core.clock.now())
        await uow.commit()


def run_demo(settings: Settings, roster: Path, member_code: str) -> int:
    upgrade(settings.demo_database_url)

    async def runner() -> int:
        core = build_core(settings, settings.demo_database_url)
        try:
            await prepare_demo(core, roster)
            async with core.uow() as uow:
                member = await uow.members.by_code(member_code)
                unit = await uow.units.get(member.cell_id or 0) if member else None
            print(
                a.DEMO_START.format(
                    path=settings.demo_database_url.split("///")[-1],
                    name=member.full_name if member else member_code,
                    role=t.ROLE_NAMES[member.role] if member else "",
                    unit=unit.name if unit else "",
                )
            )
            return await chat(core, member_code, sys.stdin, sys.stdout)
        finally:
            await core.close()

    return asyncio.run(runner())
