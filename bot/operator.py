"""The operator's tasks behind the CLI: roster import, invite codes, the year's theme."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tqdm import tqdm

from bot.settings import Settings
from bot.wiring import Core
from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.catalog import roster as ro
from handlers.services.invites import InviteLine, issue_invites
from handlers.services.roster import import_in_batches, preview_import
from handlers.services.roster_file import RosterFileError, read_roster
from handlers.services.themes import set_theme as set_theme_service
from handlers.services.themes import theme_of
from storage.enums import Platform

EXIT_ROW_ERRORS = 3
PROGRESS_FROM_ROWS = 200  # smaller files finish before a bar would be worth drawing


async def import_roster_file(core: Core, path: Path, dry_run: bool) -> int:
    try:
        roster = await asyncio.to_thread(read_roster, path)
    except RosterFileError as error:
        print(error, file=sys.stderr)
        return 1
    disable = len(roster.rows) < PROGRESS_FROM_ROWS or None  # None: only on a terminal
    with tqdm(total=len(roster.rows), desc=a.IMPORT_PROGRESS, unit=" dòng", disable=disable, file=sys.stderr) as bar:
        run = preview_import if dry_run else import_in_batches  # a dry run only reads; an import commits in batches
        report = await run(core.uow, roster.rows, core.clock.now(), lambda: _tick(bar))
    report.errors = sorted([*roster.errors, *report.errors], key=lambda e: e.row_number)
    if dry_run:
        print(ro.IMPORT_DRY_RUN)
        print(a.DRY_RUN_CHANGES)
        for change in report.changes:
            print(f"  {change}")
    else:
        print(ro.IMPORT_DONE)
    if report.errors:
        print(a.ROSTER_ERRORS, file=sys.stderr)
        for row_error in report.errors:
            print(f"  {row_error.reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_ROW_ERRORS if report.errors else 0


def _tick(bar: tqdm[Any]) -> None:
    bar.update(1)


async def print_invites(
    core: Core, settings: Settings, unit: str | None, member: str | None, platform: str | None, relink: bool
) -> int:
    async with core.uow() as uow:
        batch = await issue_invites(
            uow, core.clock.now(), unit_name=unit, member_code=member, platform=platform, relink=relink,
            ttl=timedelta(days=settings.invite_ttl_days),
        )
        await uow.commit()
    telegram_codes = platform in (None, Platform.TELEGRAM.value)
    username = await _username(settings) if telegram_codes else None
    if username is None and telegram_codes:
        print(a.INVITE_NO_USERNAME, file=sys.stderr)
    print(a.INVITE_HEADER)
    for line in batch.issued:
        print(_invite_line(line, username, core.tz))
    for skipped in batch.skipped:
        platforms = ", ".join(c.PLATFORM_NAMES.get(p, p) for p in skipped.linked_platforms)
        fields = {"member_code": skipped.member_code, "full_name": skipped.full_name, "unit": skipped.unit_name}
        print(a.INVITE_SKIPPED_LINE.format(**fields, skipped=a.INVITE_SKIPPED.format(platforms=platforms)))
    print(a.INVITE_COUNT.format(count=len(batch.issued), skipped=len(batch.skipped)))
    return 0


def _invite_line(line: InviteLine, username: str | None, tz: ZoneInfo) -> str:
    if line.platform is not None:  # bound to a platform: say where it works, no Telegram link for Zalo
        where = a.INVITE_FOR_PLATFORM.format(platform=c.PLATFORM_NAMES.get(line.platform, line.platform))
        link = _link(username, line.code) if username and line.platform == Platform.TELEGRAM.value else where
    else:
        link = _link(username, line.code) if username else ""
    platforms = ", ".join(c.PLATFORM_NAMES.get(p, p) for p in line.linked_platforms)
    return a.INVITE_LINE.format(
        member_code=line.member_code,
        full_name=line.full_name,
        unit=line.unit_name,
        code=line.code,
        expires=a.INVITE_EXPIRES.format(at=line.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")),
        link=link,
        linked=a.INVITE_LINKED.format(platforms=platforms) if platforms else "",
    )


async def _username(settings: Settings) -> str | None:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    from bot.channels.telegram import bot_username

    return await bot_username(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url)


def _link(username: str, code: str) -> str:
    from bot.channels.telegram import invite_link

    return invite_link(username, code)


async def set_theme(core: Core, year: int, title: str) -> int:
    async with core.uow() as uow:
        theme = await set_theme_service(uow, year, title, core.clock.now())
        await uow.commit()
    print(a.THEME_SET.format(year=theme.year, title=theme.title))
    return 0


async def show_theme(core: Core, year: int) -> int:
    async with core.uow() as uow:
        theme = await theme_of(uow, year)
    print(a.THEME_SET.format(year=year, title=theme.title) if theme else a.THEME_NONE.format(year=year))
    return 0
