"""The web dashboard's routes on the real aiohttp app: login through a link sent in the chat, the pages and the
downloads, the headers, logout and every way a session ends."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace

import openpyxl
import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard import access, add_dashboard
from bot.intake import Polling
from bot.runtime import Channels, polling_intake
from bot.settings import Settings
from bot.web import start_site
from bot.wiring import build_core
from handlers.catalog import web as w
from handlers.services.accounts import unlink_account
from handlers.services.maintenance import prune_old_records
from handlers.services.periods import month_of
from handlers.services.personal_data import withdraw_consent
from handlers.services.reports import excel_attachment
from handlers.services.rollup import rollup_of, unit_row
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from handlers.services.web_access import MAX_BAD_LOGINS, revoke
from storage.enums import Role
from storage.models import Evidence
from tests.chat import Chat, add_commitment
from tests.dashboard_support import BASE, Browser, dashboard_client, leader_chat, link_path, logged_in
from tests.report_world import THANH_SON, World
from tests.support import EXAMPLE_CSV, TZ, Database, FakeClock

SECRETARY, COMMITTEE, MEMBER = "DV002", "DV025", "DV001"
DONG_TAM = "Chi bộ thôn Đồng Tâm"


async def test_a_committee_logs_in_and_reads_the_rollup(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        answer = await browser.get("/")
        html = await answer.text()
        assert answer.status == 200, html
        assert THANH_SON in html and DONG_TAM in html
        assert f'href="/unit/{world.units[DONG_TAM]}?p=month"' in html  # a click drills down
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
        assert "style=" not in html and "<script" not in html
        for title in (w.COL_REGISTERED, w.COL_UPDATED, w.COL_COMPLETED, w.COL_BEHIND, w.COL_STUDIED):
            assert title in html


async def test_sorting_by_a_column_orders_the_units(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        unit = world.units[THANH_SON]
        up = await (await browser.get(f"/unit/{unit}?p=year&sort=name&dir=asc")).text()
        down = await (await browser.get(f"/unit/{unit}?p=year&sort=name&dir=desc")).text()
        names_up = re.findall(r'<th scope="row"><a href="/unit/\d+\?p=year">([^<]+)</a>', up)
        names_down = re.findall(r'<th scope="row"><a href="/unit/\d+\?p=year">([^<]+)</a>', down)
        assert len(names_up) > 1 and names_down == list(reversed(names_up))
        assert "sort=registered&amp;dir=desc" in up  # every column heading is a sorting link


@pytest.mark.parametrize("query", ["p=month", "p=quarter", "p=year", "p=range&from=01/10/2026&to=15/11/2026"])
async def test_every_period_of_tonghop(world_db: Database, world: World, clock: FakeClock, query: str) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        answer = await browser.get(f"/unit/{world.units[THANH_SON]}?{query}")
        assert answer.status == 200
        if "range" in query:
            assert "01/10/2026 - 15/11/2026" in await answer.text() or "01/10/2026" in await answer.text()


@pytest.mark.parametrize("query", ["p=range&from=31/02/2026&to=01/03/2026", "p=range&from=&to=", "p=range&from=x&to=y"])
async def test_a_bad_range_is_a_vietnamese_400(world_db: Database, world: World, clock: FakeClock, query: str) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        answer = await browser.get(f"/unit/{world.units[THANH_SON]}?{query}")
        assert answer.status == 400
        assert w.BAD_INPUT_TITLE in await answer.text()


async def test_a_cells_page(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        answer = await browser.get("/")  # a secretary's own unit is their cell
        html = await answer.text()
        assert answer.status == 200
        for heading in (w.CELL_MEMBERS, w.COLLECTIVES, w.STUDY_TITLE, w.PENDING_TITLE, w.PENDING_NOTE):
            assert heading in html
        assert "Nguyễn Văn An" in html  # DV001, a member of the cell
        for title in (w.COL_DEED, w.COL_DEADLINE, w.COL_LAST_UPDATE, w.COL_STATUS, w.COL_PHOTO):
            assert title in html
        assert w.NOT_REGISTERED.split("(")[0] in html and w.OUT_OF_SCOPE.split("(")[0] in html
        assert f"/unit/{world.units[DONG_TAM]}/baocao.xlsx?p=month" in html


async def test_a_cells_page_escapes_what_members_typed(world_db: Database, world: World, clock: FakeClock) -> None:
    deed = '<img src=x onerror="alert(1)"> & <b>Trồng 50 cây</b>'
    await add_commitment(world_db, clock, MEMBER, deed, percent=40)
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        html = await (await browser.get("/")).text()
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;Trồng 50 cây&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<b>" not in html
    assert re.search(r'<span class="fill w40"></span></span><span class="val">40%</span>', html)


async def test_the_excel_is_the_workbook_of_baocao(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        answer = await browser.get(f"/unit/{world.units[THANH_SON]}/baocao.xlsx?p=month")
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in answer.headers["Content-Disposition"]
        assert answer.headers["Cache-Control"] == "no-store"
        book = openpyxl.load_workbook(io.BytesIO(await answer.read()))
    async with world_db.uow() as uow:
        unit = await uow.units.get(world.units[THANH_SON])
        assert unit is not None
        period = month_of(clock.now().astimezone(TZ).date(), TZ)
        summary = await rollup_of(uow, unit_row(unit), period, clock.now(), TZ)
        same = await excel_attachment(uow, summary, clock.now().astimezone(TZ).date(), TZ)
    expected = openpyxl.load_workbook(io.BytesIO(same.content))
    assert book.sheetnames == expected.sheetnames
    first = book.worksheets[0]
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        [c.value for c in row] for row in expected.worksheets[0].iter_rows()
    ]


async def test_the_trend_as_svg_and_png(world_db: Database, world: World, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        svg = await browser.get(f"/unit/{world.units[THANH_SON]}/trend.svg?p=year")
        text = await svg.text()
        assert svg.status == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
        assert text.count("<polyline") == 3 and "<script" not in text and "T11" in text
        assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'")
        png = await browser.get(f"/unit/{world.units[THANH_SON]}/trend.png?p=year")
        assert png.status == 200 and (await png.read()).startswith(b"\x89PNG")
        assert "attachment" in png.headers["Content-Disposition"]


async def test_static_files_are_served_by_the_app(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        css = await client.get("/static/dashboard.css")
        assert css.status == 200 and ".bar .fill.w100" in await css.text()
        assert css.headers["Cache-Control"] == "private, max-age=3600"
        assert (await client.get("/static/../templates/base.html")).status == 404


async def test_a_link_works_once_and_opening_the_page_spends_nothing(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        chat = await leader_chat(world_db, clock, SECRETARY)
        path = await link_path(chat)
        assert chat.said(BASE + "/login/")
        preview = await client.get(path)  # a link preview or a scanner fetching the link
        assert preview.status == 200 and (await client.get(path)).status == 200
        first = Browser(client)
        assert (await first.open_link(path)).status == 303
        again = await client.post(path, allow_redirects=False)
        assert again.status == 404 and w.LOGIN_INVALID.split(".")[0] in await again.text()
        assert access.COOKIE not in again.cookies


async def test_an_expired_link_is_refused(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        chat = await leader_chat(world_db, clock, SECRETARY)
        path = await link_path(chat)
        clock.advance(minutes=10, seconds=1)
        assert (await client.post(path, allow_redirects=False)).status == 404


async def test_wrong_links_are_rate_limited_per_address(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        chat = await leader_chat(world_db, clock, SECRETARY)
        good = await link_path(chat)
        for attempt in range(MAX_BAD_LOGINS):
            assert (await client.post(f"/login/{'x' * 43}{attempt}", allow_redirects=False)).status == 404
        refused = await client.post(good, allow_redirects=False)
        assert refused.status == 429 and w.LOGIN_TOO_MANY in await refused.text()
        clock.advance(hours=1, seconds=1)  # the address may try again; the link itself has expired meanwhile
        assert (await client.post(good, allow_redirects=False)).status == 404
        assert (await client.post(await link_path(chat), allow_redirects=False)).status == 303


async def test_logout_ends_the_session(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        assert (await browser.get("/")).status == 200
        out = await browser.post("/logout")
        assert out.status == 200 and w.LOGGED_OUT in await out.text()
        assert (await browser.get("/")).status == 401


async def test_a_session_lasts_eight_hours(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        clock.advance(hours=7, minutes=59)
        assert (await browser.get("/")).status == 200
        clock.advance(minutes=2)
        answer = await browser.get("/")
        assert answer.status == 401 and w.NEED_LOGIN in await answer.text()


async def test_the_cookie_is_httponly_secure_strict(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        chat = await leader_chat(world_db, clock, SECRETARY)
        path = await link_path(chat)
        await client.get(path)
        answer = await client.post(path, allow_redirects=False)
        cookie = answer.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie and "Max-Age=28800" in cookie
        async with world_db.uow() as uow:
            assert [line.member_code for line in await uow.web.sessions(clock.now())] == [SECRETARY]
            stored = await uow.web.session_by_hash(answer.cookies[access.COOKIE].value, clock.now())
            assert stored is None  # only its hash is kept


async def test_withdrawing_consent_ends_the_session(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        async with world_db.uow() as uow:
            member = await uow.members.by_code(SECRETARY)
            assert member is not None
            await withdraw_consent(uow, member, clock.now())
            await uow.commit()
            assert await uow.web.sessions(clock.now()) == []
        assert (await browser.get("/")).status == 401


async def test_unlinking_the_account_ends_the_session(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        async with world_db.uow() as uow:
            member = await uow.members.by_code(SECRETARY)
            assert member is not None
            for account in await uow.accounts.for_member(member.id):
                await unlink_account(uow, SECRETARY, account.id, clock.now(), TZ)
            await uow.commit()
        assert (await browser.get("/")).status == 401


async def test_a_role_change_ends_the_session(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        async with world_db.uow() as uow:  # changed behind the services' back: the session still ends
            member = await uow.members.by_code(SECRETARY)
            assert member is not None
            member.role = "member"
            await uow.commit()
        assert (await browser.get("/")).status == 401
        async with world_db.uow() as uow:
            assert await uow.web.sessions(clock.now()) == []  # and it was ended, not only refused


async def test_the_operator_revokes_a_members_sessions(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        async with world_db.uow() as uow:
            assert await revoke(uow, SECRETARY) == 1
            await uow.commit()
        assert (await browser.get("/")).status == 401


async def test_a_member_is_told_the_web_is_for_leaders(world_db: Database, clock: FakeClock) -> None:
    chat = await leader_chat(world_db, clock, MEMBER)
    for command in ("/web", "/trangweb", "trang web"):
        await chat.say(command)
        chat.assert_said(w.WEB_FOR_LEADERS)
        chat.assert_not_said("/login/")


async def test_without_a_base_url_the_dashboard_is_off(roster_db: Database, clock: FakeClock) -> None:
    from handlers.router import Router

    chat = Chat(Router(roster_db.uow, clock, TZ), user_id="9206")
    await chat.link_as(SECRETARY, roster_db, clock)
    await chat.say("/web")
    chat.assert_said(w.WEB_NOT_CONFIGURED)


async def test_the_access_log_never_shows_a_login_token(
    world_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Served as in production (bot.web.start_site and its access log)."""
    app = web.Application()
    add_dashboard(app, world_db.uow, clock, TZ)
    chat = await leader_chat(world_db, clock, SECRETARY)
    path = await link_path(chat)
    token = path.rsplit("/", 1)[1]
    runner, port = await start_site(app, "127.0.0.1", 0)
    try:
        with caplog.at_level(logging.INFO):
            async with ClientSession(f"http://127.0.0.1:{port}") as session:
                for method, where in (("GET", path), ("POST", path), ("GET", f"{path}/more")):
                    async with session.request(method, where, allow_redirects=False) as answer:
                        await answer.read()
    finally:
        await runner.cleanup()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged.count("/login/…") == 3 and token not in logged


async def test_the_breadcrumb_leads_back_up_within_the_scope(
    world_db: Database, world: World, clock: FakeClock
) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, COMMITTEE)
        html = await (await browser.get(f"/unit/{world.units[DONG_TAM]}?p=year")).text()
        crumbs = html.split('<nav class="crumbs"', 1)[1].split("</nav>", 1)[0]
        assert f'<a href="/unit/{world.units[THANH_SON]}?p=year">{THANH_SON}</a>' in crumbs
        assert crumbs.count(DONG_TAM) == 1 and "Đảng bộ tỉnh" not in crumbs  # above the scope: not shown


async def test_housekeeping_forgets_expired_sessions_and_links(world_db: Database, clock: FakeClock) -> None:
    async with dashboard_client(world_db, clock) as client:
        await logged_in(client, world_db, clock, SECRETARY)
        await link_path(await leader_chat(world_db, clock, COMMITTEE))  # a link never opened
    clock.advance(hours=8, seconds=1)
    async with world_db.uow() as uow:
        pruned = await prune_old_records(uow, clock.now())
        await uow.commit()
    assert pruned.web_sessions == 3  # a session, the link spent to open it, the link never opened


async def test_polling_serves_the_dashboard_when_a_base_url_is_set(world_db: Database, clock: FakeClock) -> None:
    url = world_db.url
    settings = Settings(_env_file=None, database_url=url, webhook_base_url=BASE, webhook_port=0)  # type: ignore[call-arg]
    core = build_core(settings)
    try:
        intake = polling_intake(settings, core, Channels())
        assert isinstance(intake, Polling)
        await intake.start()
        try:
            async with ClientSession(f"http://127.0.0.1:{intake.port}") as session, session.get("/") as answer:
                assert answer.status == 401 and w.NEED_LOGIN in await answer.text()
        finally:
            await intake.stop()
        off = Settings(_env_file=None, database_url=url, webhook_port=0)  # type: ignore[call-arg]
        quiet = polling_intake(off, core, Channels())
        assert isinstance(quiet, Polling) and quiet.site is None
    finally:
        await core.close()


async def test_pending_approvals_photos_and_states(world_db: Database, world: World, clock: FakeClock) -> None:
    """A registration awaiting approval shows on the committee's and the cell's pages (read-only, pointing to
    /duyet), and on the cell's page with its state; a photo attached to a commitment is marked."""
    waiting = await add_commitment(world_db, clock, "DV004", "Trồng cây xanh ven đường làng", percent=20)
    async with world_db.uow() as uow:
        await uow.evidence.add(
            Evidence(commitment_id=waiting, platform="telegram", file_ref="photo-ref", created_at=clock.now())
        )
        await uow.commit()
    async with dashboard_client(world_db, clock) as client:
        staff = await logged_in(client, world_db, clock, COMMITTEE)
        html = await (await staff.get(f"/unit/{world.units[THANH_SON]}")).text()
        pending = html.split(w.PENDING_TITLE, 1)[1]
        assert "Trồng cây xanh ven đường làng" in pending and "Phạm Thị Hạnh" in pending and "/duyet" in pending
        secretary = await logged_in(client, world_db, clock, SECRETARY)
        cell = await (await secretary.get("/")).text()
        row = cell.split("Trồng cây xanh ven đường làng", 1)[1].split("</tr>", 1)[0]
        assert w.STATUS_NAMES["pending"] in row and f"<td>{w.PHOTO_YES}</td>" in row and "20%" in row
        other = await (await staff.get(f"/unit/{world.units['Chi bộ thôn Tân Lập']}")).text()
        assert "Trồng cây xanh ven đường làng" not in other  # another cell's page: not its registrations


@pytest.mark.parametrize("change", ["role", "cell"])
async def test_a_roster_import_changing_the_role_or_scope_ends_the_session(
    world_db: Database, clock: FakeClock, change: str
) -> None:
    async with dashboard_client(world_db, clock) as client:
        browser = await logged_in(client, world_db, clock, SECRETARY)
        rows = read_roster(EXAMPLE_CSV).rows
        changed = [
            replace(row, role=Role.MEMBER) if change == "role" else replace(row, cell="Chi bộ thôn Tân Lập")
            for row in rows
            if row.code == SECRETARY
        ]
        async with world_db.uow() as uow:
            await import_roster(uow, changed, clock.now())
            assert await uow.web.sessions(clock.now()) == []  # ended by the import, in its transaction
            await uow.commit()
        assert (await browser.get("/")).status == 401


async def test_behind_a_trusted_proxy_wrong_links_count_per_client(world_db: Database, clock: FakeClock) -> None:
    """With WEB_TRUSTED_PROXIES naming the proxy (here the test client's 127.0.0.1), the client address in
    X-Forwarded-For is counted: one client's guesses do not lock the others out; without it, every request
    counts against the proxy's address, and a forged X-Forwarded-For changes nothing."""
    app = web.Application()
    add_dashboard(app, world_db.uow, clock, TZ, frozenset({"127.0.0.1"}))
    async with TestClient(TestServer(app)) as client:
        guesser = {"X-Forwarded-For": "198.51.100.7"}
        for attempt in range(MAX_BAD_LOGINS):
            answer = await client.post(f"/login/{'y' * 43}{attempt}", headers=guesser, allow_redirects=False)
            assert answer.status == 404
        spoofed = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}  # the left part is the client's own to write
        assert (await client.post(f"/login/{'y' * 44}", headers=spoofed, allow_redirects=False)).status == 429
        chat = await leader_chat(world_db, clock, SECRETARY)
        other = {"X-Forwarded-For": "192.0.2.44"}
        assert (await client.post(await link_path(chat), headers=other, allow_redirects=False)).status == 303
    async with dashboard_client(world_db, clock) as plain:  # no trusted proxy: the header is ignored
        for attempt in range(MAX_BAD_LOGINS):
            await plain.post(f"/login/{'z' * 43}{attempt}", headers={"X-Forwarded-For": f"192.0.2.{attempt}"})
        answer = await plain.post(await link_path(chat), headers=other, allow_redirects=False)
        assert answer.status == 429
