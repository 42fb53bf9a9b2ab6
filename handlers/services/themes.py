"""The year's theme (chuyên đề năm), shown when a member registers."""

from __future__ import annotations

from datetime import datetime

from handlers.catalog import admin as a
from handlers.services.errors import InvalidInput
from handlers.services.validation import checked_text
from storage.models import Theme
from storage.uow import UnitOfWork


async def set_theme(uow: UnitOfWork, year: int, title: str, now: datetime) -> Theme:
    if not 2000 <= year <= 2100:
        raise InvalidInput(a.YEAR_INVALID.format(year=year))
    return await uow.themes.set(year, checked_text(title, 5, 500), now)
