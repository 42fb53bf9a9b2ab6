"""The composition root: settings in, a running router (and the storage it needs) out."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.clock import Clock, SystemClock
from handlers.router import Router
from storage.db import AsyncEngine, create_engine, session_factory
from storage.uow import UnitOfWork


@dataclass
class Core:
    engine: AsyncEngine
    router: Router
    clock: Clock
    tz: ZoneInfo

    def uow(self) -> UnitOfWork:
        return self.router.uow_factory()

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(settings: Settings, database_url: str | None = None, clock: Clock | None = None) -> Core:
    engine = create_engine(database_url or settings.database_url)
    sessions = session_factory(engine)
    clock = clock or SystemClock()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions)

    return Core(engine, Router(uow_factory, clock, settings.tz), clock, settings.tz)
