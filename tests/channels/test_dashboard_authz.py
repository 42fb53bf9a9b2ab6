"""The authorisation matrix through the web: who sees which unit's page and downloads (the chat's matrix,
tests/authz_matrix.py), forged unit ids, and members who are no leaders."""

from __future__ import annotations

import pytest

from handlers.catalog import web as w
from handlers.services.web_access import LOGIN_TTL, new_token, token_hash
from tests.authz_matrix import ACTORS, SUMMARY_MATRIX, TARGETS
from tests.dashboard_support import Browser, dashboard_client, leader_chat, logged_in
from tests.report_world import THANH_SON, World
from tests.support import Database, FakeClock

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
PAGES = (
    "/unit/{id}?p=month",
    "/unit/{id}/baocao.xlsx?p=quarter",
    "/unit/{id}/trend.svg?p=year",
    "/unit/{id}/trend.png",
)
LEADERS = [role for role in ACTORS if role != "member"]
CASES = [
    pytest.param(role, target, visible, id=f"{role}-{target}-{'sees' if visible else '404'}")
    for role in LEADERS
    for target, visible in SUMMARY_MATRIX[role].items()
]


async def statuses(browser: Browser, unit_id: int) -> list[int]:
    found = []
    for page in PAGES:
        answer = await browser.get(page.format(id=unit_id))
        body = await answer.read()
        if answer.status == 404:
            assert w.NOT_FOUND.encode() in body
        found.append(answer.status)
    return found


@pytest.mark.parametrize(("role", "target", "visible"), CASES)
async def test_every_page_and_download(
    world_db: Database, world: World, clock: FakeClock, role: str, target: str, visible: bool
) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, ACTORS[role])
        cell_name, _ = TARGETS[target]
        assert await statuses(browser, world.units[cell_name]) == [200 if visible else 404] * len(PAGES)


@pytest.mark.parametrize("role", LEADERS)
async def test_units_above_the_scope_answer_404(world_db: Database, world: World, clock: FakeClock, role: str) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, ACTORS[role])
        assert await statuses(browser, world.units[PROVINCE]) == [404] * len(PAGES)
        own_committee = [200] * len(PAGES) if role == "committee" else [404] * len(PAGES)
        assert await statuses(browser, world.units[THANH_SON]) == own_committee


@pytest.mark.parametrize("path", ["/unit/0", "/unit/99999999", "/unit/-3", "/unit/1abc", "/unit/12345678901234",
                                  "/unit/%31", "/unit/2.0", "/unit/99999999/baocao.xlsx"])
async def test_forged_unit_ids_answer_404(world_db: Database, clock: FakeClock, path: str) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, ACTORS["committee"])
        assert (await browser.get(path)).status == 404


async def test_without_a_session_every_page_asks_to_log_in(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        anonymous = Browser(client)
        for page in ("/", *(p.format(id=world.units[THANH_SON]) for p in PAGES)):
            answer = await anonymous.get(page)
            assert answer.status == 401 and w.NEED_LOGIN in await answer.text()
        forged = Browser(client, session=new_token())
        assert (await forged.get("/")).status == 401


async def test_a_members_login_link_opens_nothing(world_db: Database, world: World, clock: FakeClock) -> None:
    """A member gets no link from /web; a link written for them anyway (a forged row) is refused too."""
    chat = await leader_chat(world_db, clock, ACTORS["member"])
    await chat.say("/web")
    chat.assert_said(w.WEB_FOR_LEADERS)
    token = new_token()
    async with world_db.uow() as uow:
        await uow.web.add_login(token_hash(token), world.ids[ACTORS["member"]], clock.now(), clock.now() + LOGIN_TTL)
        await uow.commit()
    async with dashboard_client(world_db, clock) as client:
        answer = await client.post(f"/login/{token}", allow_redirects=False)
        assert answer.status == 404 and "Set-Cookie" not in answer.headers
