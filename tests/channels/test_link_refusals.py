"""File links and webhook calls that are refused: checked before the database, answered 403, logged without a
flood (one WARNING a minute at most, with the count of refusals since the last one)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.files import FileLinks
from bot.inbox import Inbox
from bot.refusals import RefusalLog
from bot.web import build_web_app
from handlers.catalog import web as w
from handlers.messages import Attachment
from storage.uow import UnitOfWork
from tests.chat import member_id
from tests.support import Database, FakeClock
from tests.web_support import SECRET, ZALO_HEADER, RecordingEndpoint

REPORT = Attachment("Báo cáo.xlsx", b"PK\x03\x04 report", "application/vnd.ms-excel")
KEY = "k" * 40


@dataclass
class CountingUow:
    """The unit-of-work factory, counting the transactions opened through it."""

    db: Database
    opened: list[str] = field(default_factory=list)

    def __call__(self) -> UnitOfWork:
        self.opened.append("uow")
        return self.db.uow()


@dataclass
class Server:
    client: TestClient[Any, Any]
    links: FileLinks
    uows: CountingUow


@pytest.fixture
async def server(roster_db: Database, clock: FakeClock) -> AsyncIterator[Server]:
    uows = CountingUow(roster_db)
    links = FileLinks(uows, "https://bot.example.vn", KEY, timedelta(hours=24), clock)
    inbox = Inbox(roster_db.uow, clock, [RecordingEndpoint()])
    await inbox.start()
    client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(inbox, SECRET, links), host="127.0.0.1"))
    await client.start_server()
    try:
        yield Server(client, links, uows)
    finally:
        await client.close()
        await inbox.stop()


async def a_link(server: Server, db: Database) -> tuple[str, str, str]:
    """(token, expiry, signature) of a fresh valid link."""
    url = await server.links.link_for(REPORT, await member_id(db, "DV001"))
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return parts.path.rsplit("/", 1)[1], query["e"][0], query["s"][0]


BAD_EXPIRIES = ["²", "1²", "①", "٣٣٣٣٣٣٣٣٣٣", "9" * 5000, "-1", "+1800000000", " 1800000000", "1e9", "0x10", ""]


@pytest.mark.parametrize("expiry", BAD_EXPIRIES, ids=range(len(BAD_EXPIRIES)))
async def test_a_malformed_expiry_is_refused_not_an_error(server: Server, roster_db: Database, expiry: str) -> None:
    token, _, signature = await a_link(server, roster_db)
    server.uows.opened.clear()
    response = await server.client.get(f"/files/{token}", params={"e": expiry, "s": signature})
    assert response.status == 403 and w.FILE_FORBIDDEN in await response.text()
    assert server.uows.opened == []


async def test_a_forged_signature_is_refused_before_any_transaction(server: Server, roster_db: Database) -> None:
    token, expiry, signature = await a_link(server, roster_db)
    server.uows.opened.clear()
    for forged in ("0" * 64, signature[:-1] + ("0" if signature[-1] != "0" else "1"), signature.upper(), "ü" * 64):
        response = await server.client.get(f"/files/{token}", params={"e": expiry, "s": forged})
        assert response.status == 403
    longer = str(int(expiry) + 3600)  # a valid signature does not stretch to another expiry
    assert (await server.client.get(f"/files/{token}", params={"e": longer, "s": signature})).status == 403
    assert server.uows.opened == []
    assert (await server.client.get(f"/files/{token}", params={"e": expiry, "s": signature})).status == 200


async def test_a_flood_of_refused_links_and_secrets_logs_one_warning_each(
    server: Server, roster_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    token, expiry, _ = await a_link(server, roster_db)
    with caplog.at_level(logging.INFO):
        for attempt in range(40):
            params = {"e": expiry, "s": f"{attempt:064x}"}
            assert (await server.client.get(f"/files/{token}", params=params)).status == 403
            posted = await server.client.post("/webhook/zalo", json={"id": "z"}, headers={ZALO_HEADER: "wrong"})
            assert posted.status == 403
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2, [r.getMessage() for r in warnings]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_refusal_log_warns_once_a_minute_with_the_count_since_the_last_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    refusals = RefusalLog(logging.getLogger("lamtheo.test"), "file link refused", now=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="lamtheo.test"):
        refusals.refused()  # the first one is told at once
        for _ in range(99):
            now[0] += 0.5
            refusals.refused()
        now[0] += 11  # 60.5 s after the first warning
        refusals.refused()
    messages = [r.getMessage() for r in caplog.records]
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert messages[0].startswith("file link refused") and "1 refused" in messages[0]
    assert "100 refused" in messages[1]  # the 99 held back, and this one
