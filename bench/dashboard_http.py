"""The web dashboard's pages timed through the real HTTP route (issue 12): the app of bot/dashboard on a local
port, a session opened the way a leader opens one (a login link issued by the /web service, then POST /login),
and GET of the province's page and of a cell's page with that session's cookie."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientSession, web

from bench.dashboard_world import STAFF_CODE, TZ, FixedClock, World
from bot.dashboard import add_dashboard
from bot.dashboard.access import COOKIE
from bot.web import start_site
from handlers.services.authz import load_actor
from handlers.services.web_access import issue_login


@dataclass
class Pages:
    client: ClientSession
    staff: str  # session cookies
    secretary: str

    async def get(self, path: str, cookie: str) -> None:
        async with self.client.get(path, cookies={COOKIE: cookie}, allow_redirects=False) as answer:
            assert answer.status == 200, (path, answer.status)
            await answer.read()


async def session_of(world: World, client: ClientSession, member_code: str) -> str:
    async with world.uow() as uow:
        member = await uow.members.by_code(member_code)
        assert member is not None
        token = await issue_login(uow, await load_actor(uow, member), world.now)
        await uow.commit()
    async with client.post(f"/login/{token}", allow_redirects=False) as answer:
        assert answer.status == 303, answer.status
        return answer.cookies[COOKIE].value


async def secretary_code(world: World) -> str:
    async with world.uow() as uow:
        account = await uow.accounts.find("telegram", world.secretary_account)
        assert account is not None
        member = await uow.members.get(account.member_id)
        assert member is not None
        return member.code


@asynccontextmanager
async def http_pages(world: World) -> AsyncIterator[Pages]:
    app = web.Application()
    add_dashboard(app, world.uow, FixedClock(world.now), TZ)
    runner, port = await start_site(app, "127.0.0.1", 0)
    try:
        async with ClientSession(f"http://127.0.0.1:{port}") as client:
            staff = await session_of(world, client, STAFF_CODE)
            secretary = await session_of(world, client, await secretary_code(world))
            yield Pages(client, staff, secretary)
    finally:
        await runner.cleanup()


async def province_page(world: World) -> None:
    assert world.http is not None
    await world.http.get(f"/unit/{world.province.id}", world.http.staff)


async def cell_page(world: World) -> None:
    assert world.http is not None
    await world.http.get(f"/unit/{world.cell.id}", world.http.secretary)


async def province_trend(world: World) -> None:
    """The year's trend (12 monthly roll-ups of the province), the image every page shows."""
    assert world.http is not None
    await world.http.get(f"/unit/{world.province.id}/trend.svg", world.http.staff)
