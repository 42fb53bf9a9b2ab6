"""The year's theme (chuyên đề năm), shown when a member registers."""

from __future__ import annotations

from datetime import datetime

from handlers.services.validation import checked_text, checked_year
from storage.models import Theme
from storage.uow import UnitOfWork


async def set_theme(uow: UnitOfWork, year: int, title: str, now: datetime) -> Theme:
    return await uow.themes.set(checked_year(year), checked_text(title, 5, 500), now)


async def theme_of(uow: UnitOfWork, year: int) -> Theme | None:
    return await uow.themes.get(year)
