"""Sample data for the terminal demo (`make run` without a token): the example roster, a theme for this year and
a plausible year of registrations, progress, models, study, contests and commendations (demo_year.py). All
idempotent: the demo's database is kept between runs; `lamtheo demo reset` starts it over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import admin as a
from handlers.clock import local_today
from handlers.services.demo_year import seed_year
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
    await seed_year(uow, now, tz)
