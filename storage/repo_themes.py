"""The year's theme (chuyên đề năm)."""

from __future__ import annotations

from datetime import datetime

from storage.models import Theme
from storage.repo_base import Repo


class ThemeRepository(Repo):
    async def get(self, year: int) -> Theme | None:
        return await self.session.get(Theme, year)

    async def set(self, year: int, title: str, now: datetime) -> Theme:
        theme = await self.get(year)
        if theme is None:
            theme = Theme(year=year, title=title, set_at=now)
            self.session.add(theme)
        else:
            theme.title, theme.set_at = title, now
        await self.session.flush()
        return theme
