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
from handlers.services.demo import prepare_demo
from handlers.services.errors import NotFound
from handlers.services.linking import ConsoleUser, link_console_as
from handlers.services.roster_file import read_roster
from storage.migrate import downgrade, upgrade


async def console_user(core: Core, member_code: str) -> ConsoleUser:
    """Link the operator's terminal to a member (NotFound: no such active member)."""
    async with core.uow() as uow:
        user = await link_console_as(uow, member_code, core.clock.now())
        await uow.commit()
    return user


def who(user: ConsoleUser) -> str:
    return a.CONSOLE_AS.format(name=user.full_name, role=t.ROLE_NAMES[user.role], unit=user.unit_name)


async def chat(core: Core, member_code: str, stdin: TextIO, stdout: TextIO) -> int:
    return await converse(core, await console_user(core, member_code), stdin, stdout)


async def converse(core: Core, user: ConsoleUser, stdin: TextIO, stdout: TextIO) -> int:
    stdout.write(who(user) + "\n")

    async def switch(code: str) -> str | None:
        try:
            other = await console_user(core, code)
        except NotFound as error:
            stdout.write(error.message + "\n")
            return None
        stdout.write(who(other) + "\n")
        return other.account_id

    await ConsoleChannel(core.router, user.account_id, stdin, stdout, switch).run()
    stdout.write(a.CONSOLE_BYE + "\n")
    return 0


async def prepare(core: Core, roster: Path) -> None:
    rows = read_roster(roster).rows
    async with core.uow() as uow:
        await prepare_demo(uow, rows, core.clock.now(), core.tz)
        await uow.commit()


def reset_demo(settings: Settings, roster: Path) -> int:
    """`lamtheo demo reset`: every table of the demo's database dropped and made again, then the sample year."""
    url = settings.demo_database_url
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)

    async def runner() -> None:
        core = build_core(settings, url)
        try:
            await prepare(core, roster)
        finally:
            await core.close()

    asyncio.run(runner())
    print(a.DEMO_RESET.format(path=url.split("///")[-1]))
    return 0


def run_demo(settings: Settings, roster: Path, member_code: str) -> int:
    upgrade(settings.demo_database_url)

    async def runner() -> int:
        core = build_core(settings, settings.demo_database_url)
        try:
            await prepare(core, roster)
            user = await console_user(core, member_code)
            path = settings.demo_database_url.split("///")[-1]
            role = t.ROLE_NAMES[user.role]
            print(a.DEMO_START.format(path=path, name=user.full_name, role=role, unit=user.unit_name))
            return await converse(core, user, sys.stdin, sys.stdout)
        finally:
            await core.close()

    return asyncio.run(runner())
