"""The core every command and both run modes share: settings in; the engine, the unit-of-work factory, the
clock and the router out. The core owns the factory and the clock; whatever needs them is given them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.clock import Clock, SystemClock
from handlers.flows import default_flows
from handlers.router import Router
from storage.db import AsyncEngine, create_engine, session_factory
from storage.uow import UnitOfWork


@dataclass
class Core:
    engine: AsyncEngine
    uow: Callable[[], UnitOfWork]  # the unit-of-work factory: `async with core.uow() as uow: ...`
    clock: Clock
    tz: ZoneInfo
    router: Router

    async def close(self) -> None:
        await self.engine.dispose()


def build_core(settings: Settings, database_url: str | None = None, clock: Clock | None = None) -> Core:
    engine = create_engine(database_url or settings.database_url)
    sessions = session_factory(engine)
    clock = clock or SystemClock()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions)

    router = Router(uow_factory, clock, settings.tz, default_flows(settings.webhook_base_url))
    return Core(engine, uow_factory, clock, settings.tz, router)
