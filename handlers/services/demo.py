"""Sample data for the terminal demo (`make run` without a token): the example roster and a theme for this
year. Both are idempotent: the demo's database is kept between runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import admin as a
from handlers.clock import local_today
from handlers.services.roster import import_roster
from handlers.services.roster_file import RosterRow
from handlers.services.themes import set_theme, theme_of
from storage.uow import UnitOfWork


async def prepare_demo(uow: UnitOfWork, rows: Sequence[RosterRow], now: datetime, tz: ZoneInfo) -> None:
    """The caller commits."""
    await import_roster(uow, rows, now)
    year = local_today(now, tz).year
    if await theme_of(uow, year) is None:
        await set_theme(uow, year, a.DEMO_THEME, now)
