"""The dashboard in a real browser: headless Debian Chromium driven by Playwright (its own browsers are never
downloaded). A province's staff member gets a login link from the bot in a chat, opens it, reads the province's
roll-up, drills down to a commune and a cell, downloads the Excel and opens it, at 390 px and 1280 px wide.
Screenshots go to the test's tmp folder; any console error or any response >= 400 fails the test."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp import web

from bot.dashboard import add_dashboard
from bot.web import start_site
from handlers.catalog import web as w
from storage.models import Member
from tests.dashboard_support import BASE, leader_chat, link_path
from tests.report_world import THANH_SON, World
from tests.support import TZ, Database, FakeClock

CHROMIUM = Path("/usr/bin/chromium")
PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
CELL = "Chi bộ thôn Đồng Tâm"
STAFF = "DV900"

playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is in the dev extras")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed; .ci/run installs it")


async def province_staff(db: Database, world: World) -> None:
    """A member of the province committee's staff (the example roster's staff work for a commune)."""
    now = datetime(2026, 1, 5, tzinfo=UTC)
    async with db.uow() as uow:
        unit = world.units[PROVINCE]
        staff = Member(code=STAFF, full_name="Đinh Thị Tỉnh", role="committee", scope_unit_id=unit, created_at=now,
                       updated_at=now)
        await uow.members.add(staff)
        await uow.commit()


@pytest.fixture
async def site(world_db: Database, world: World, clock: FakeClock) -> Any:
    await province_staff(world_db, world)
    app = web.Application()
    add_dashboard(app, world_db.uow, clock, TZ)
    runner, port = await start_site(app, "127.0.0.1", 0)
    yield f"http://localhost:{port}"  # localhost: a secure context, where a Secure cookie is kept over http
    await runner.cleanup()


@pytest.mark.parametrize("width", [390, 1280])
async def test_login_rollup_drill_down_and_excel(
    site: str, world_db: Database, clock: FakeClock, tmp_path: Path, width: int
) -> None:
    chat = await leader_chat(world_db, clock, STAFF)
    link = site + await link_path(chat)  # the path of the link the bot sent, on this test's server
    assert chat.said(BASE + "/login/")
    problems: list[str] = []
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        page = await context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        try:
            await page.goto(link)
            await shot(page, tmp_path / f"{width}-0-login.png")
            await page.click("#login")
            await page.wait_for_url(site + "/")
            assert await page.inner_text("h1") == PROVINCE
            await fits(page, width)
            await shot(page, tmp_path / f"{width}-1-province.png")
            await page.click(f"table.rollup a:text-is('{THANH_SON}')")
            assert await page.inner_text("h1") == THANH_SON
            await shot(page, tmp_path / f"{width}-2-commune.png")
            await page.click(f"table.rollup a:text-is('{CELL}')")
            assert await page.inner_text("h1") == CELL
            assert w.CELL_MEMBERS in await page.content()
            await fits(page, width)
            await shot(page, tmp_path / f"{width}-3-cell.png")
            async with page.expect_download() as waiting:
                await page.click("#excel")
            download = await waiting.value
            saved = tmp_path / f"{width}-{download.suggested_filename}"
            await download.save_as(str(saved))
            book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
            cells = [value for row in book.worksheets[0].iter_rows(values_only=True) for value in row]
            assert any(CELL in str(value) for value in cells), cells[:10]
            await page.click(f"nav.crumbs a:text-is('{PROVINCE}')")
            assert await page.inner_text("h1") == PROVINCE
        finally:
            await context.close()
            await browser.close()
    assert problems == []


async def shot(page: Any, path: Path) -> None:
    await page.wait_for_load_state("networkidle")  # the trend's image too
    await page.screenshot(path=str(path), full_page=True)


async def fits(page: Any, width: int) -> None:
    """Nothing but the tables' own scrolling boxes is wider than the window."""
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, (overflow, width)
