"""The scale-out fault test: a real Caddy running the shipped deploy/Caddyfile in front of three
`lamtheo run --webhook` instances on one PostgreSQL, the fake Telegram limited to 30 messages a second (429
beyond, counted per second) and the fake Zalo.

While a secretary's announcement goes out to a cell of 201 members, 40 members (half on Telegram, half on Zalo)
each run a scripted conversation through Caddy (register a commitment, log 60%, list their commitments), and a
meeting day has a member reminder due. Instance 2 is SIGKILLed in the middle of it all and started again; its
updates are taken over when their 10 s leases lapse. Afterwards: every acknowledged update was handled exactly
once and every conversation ended where its script does; every recipient got the announcement exactly once, except
at most the rows the killed instance had in flight (sent again, counted as resent); no 429 at all; the reminder
fired once for its due time. Replies are at-least-once: an update the killed instance had in flight may repeat its
last reply (at most one per update in flight; the simulated people skip such a repeat and count it). The figures
are printed; a conversation that stops short is explained (its updates' inbox and update-log rows, the fakes'
calls, the instances' log lines) and the instances' logs are kept under tmp_path.

Needs TEST_DATABASE_URL (PostgreSQL) and `caddy` (.ci/run installs it); skips otherwise.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from handlers.catalog import core as t
from storage.db import create_engine, session_factory
from storage.enums import BroadcastKind
from storage.models import Broadcast, Commitment, Delivery, InboxUpdate, Member, ProcessedUpdate, ProgressEntry
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.scale_people import (
    ANNOUNCEMENT,
    SCRIPT,
    SCRIPT_REPLIES,
    Gateway,
    Person,
    TelegramPerson,
    ZaloPerson,
    announce,
    announcement_copies,
    converse,
)
from tests.scale_stack import (
    AUDIENCE,
    REMINDED,
    SECRETARY_CHAT,
    TALK,
    Cluster,
    add_commitments,
    collector_held,
    noon_zone,
    populate,
    telegram_chat,
    zalo_chat,
)
from tests.support import PG_URL, fresh_postgres

COUNTS = {AUDIENCE: (150, 50), TALK: (20, 20), REMINDED: (20, 0)}
RATE, CONCURRENCY, WORKERS = 30, 8, 8
KILLED, KILL_AFTER = 2, 50  # instance 2 dies once this many announcement messages went out
SETTINGS = {
    "TELEGRAM_MESSAGES_PER_SECOND": str(RATE),
    "ZALO_MESSAGES_PER_SECOND": "50",
    "SENDER_CONCURRENCY": str(CONCURRENCY),
    "SENDER_POLL_SECONDS": "1",
    "INBOX_WORKERS": str(WORKERS),
    "INBOX_LEASE_SECONDS": "10",  # the killed instance's chats wait this long for another to take them over
    "LOG_LEVEL": "DEBUG",  # the inbox's claims and completions by key: which instance handled what, and when
}

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)"),
    pytest.mark.skipif(shutil.which("caddy") is None, reason="needs caddy (.ci/run installs it)"),
]


async def kill_and_restart(cluster: Cluster, gateway: Gateway, updates: int) -> tuple[float, float]:
    """SIGKILL instance KILLED in the middle (KILL_AFTER announcement messages out, or a third of the members'
    updates acknowledged, whichever comes first: a slow machine drains replies first); start it again."""
    deadline = time.monotonic() + 300
    while sum(1 for text in cluster.telegram.sent_texts() if ANNOUNCEMENT in text) < KILL_AFTER:
        if len(gateway.acked) >= updates // 3:
            break
        assert time.monotonic() < deadline, f"nothing moved: {cluster.telegram.summary()}"
        await asyncio.sleep(0.2)
    cluster.kill_instance(KILLED)
    died = time.monotonic()
    await asyncio.sleep(1.0)
    await asyncio.to_thread(cluster.start_instance, KILLED)
    return died, time.monotonic()


async def scenario(cluster: Cluster) -> tuple[Gateway, list[Person], list[list[str]], tuple[float, float]]:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as http:
        gateway = Gateway(http, cluster.public)
        await announce(TelegramPerson(gateway, cluster.telegram, SECRETARY_CHAT))
        on_telegram, on_zalo = COUNTS[TALK]
        people: list[Person] = [
            TelegramPerson(gateway, cluster.telegram, telegram_chat(TALK, i)) for i in range(on_telegram)
        ]
        people += [ZaloPerson(gateway, cluster.zalo, zalo_chat(TALK, i)) for i in range(on_zalo)]
        killer = asyncio.create_task(kill_and_restart(cluster, gateway, len(people) * len(SCRIPT)))
        said = await asyncio.gather(*(converse(person) for person in people))
        died = await killer
        return gateway, people, list(said), died


async def wait_delivered(url: str, timeout: float = 90.0) -> dict[str, int]:
    """The delivery rows by status once none is waiting or in flight any more."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            async with session_factory(engine)() as session:
                stmt = select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)
                counts = {status: int(n) for status, n in (await session.execute(stmt)).all()}
            if not {"pending", "sending"} & set(counts) or time.monotonic() > deadline:
                return counts
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def stuck_report(
    url: str, people: list[Person], cluster: Cluster, output: str, started: float, died: float
) -> str:
    """For each conversation that stopped short: its updates (posted, acknowledged), their inbox rows and update
    log rows, what the fakes accepted or refused for the chat, and the instances' log lines naming its keys. Times
    are seconds since the test started (monotonic); the logs' wall-clock times are converted the same way."""
    stuck = [person for person in people if person.stuck]
    if not stuck:
        return ""
    wall = time.time() - time.monotonic()
    lines = [f"instance {KILLED} killed at {died - started:.1f} s; wall clock at 0 s: {started + wall:.1f}"]
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        for person in stuck:
            lines.append(f"--- chat {person.chat}: {person.stuck}")
            for key, posted, acked in person.posted[-3:]:
                lines.append(f"  posted {key} at {posted - started:.1f} s, acknowledged at {acked - started:.1f} s")
            rows = await session.execute(
                select(
                    InboxUpdate.id,
                    InboxUpdate.update_key,
                    InboxUpdate.received_at,
                    InboxUpdate.processed_at,
                    InboxUpdate.attempts,
                    InboxUpdate.lease_owner,
                    InboxUpdate.lease_until,
                )
                .where(InboxUpdate.chat_key == person.chat)
                .order_by(InboxUpdate.id)
            )
            keys = []
            for row_id, key, received, processed, attempts, owner, until in rows.all():
                keys.append(key)
                lines.append(
                    f"  inbox #{row_id} {key}: received {received.timestamp() - wall - started:.1f} s, processed "
                    f"{'-' if processed is None else f'{processed.timestamp() - wall - started:.1f} s'}, attempts "
                    f"{attempts}, lease {owner} {'' if until is None else f'{until.timestamp() - wall - started:.1f}'}"
                )
            logged = await session.execute(
                select(ProcessedUpdate.update_key, ProcessedUpdate.processed_at, ProcessedUpdate.replies).where(
                    ProcessedUpdate.update_key.in_(keys)
                )
            )
            for key, processed, replies in logged.all():
                lines.append(
                    f"  update log {key}: handled {processed.timestamp() - wall - started:.1f} s, replies kept "
                    f"{'none' if replies is None else len(replies)}"
                )
            if isinstance(person, TelegramPerson):
                calls = [c for c in cluster.telegram.calls() if str(c["params"].get("chat_id")) == person.chat]
            else:
                calls = [c for c in cluster.zalo.calls() if str(c["params"].get("chat_id")) == person.chat]
            for call in calls[-6:]:
                text = str(call["params"].get("text", ""))[:40].replace("\n", " ")
                lines.append(f"  {call['method']} {call['status']} at {call['time'] - started:.1f} s: {text!r}")
            lines += [f"  log: {line}" for line in output.splitlines() if any(key in line for key in keys[-2:])]
    await engine.dispose()
    return "\n".join(lines)


async def database_figures(url: str, talk_cell: int) -> dict[str, object]:
    """The inbox; the talkers' commitments, their percents and progress entries (the reminded cell's members have
    commitments of their own); the reminders fired."""
    engine = create_engine(url)
    talkers = select(Member.id).where(Member.cell_id == talk_cell)
    theirs = select(Commitment.id).where(Commitment.member_id.in_(talkers))
    async with session_factory(engine)() as session:
        inbox = (await session.execute(select(InboxUpdate.update_key, InboxUpdate.processed_at))).all()
        commitments = Counter(
            (await session.scalars(select(Commitment.member_id).where(Commitment.member_id.in_(talkers)))).all()
        )
        percents = Counter(
            (await session.scalars(select(Commitment.percent).where(Commitment.member_id.in_(talkers)))).all()
        )
        entries = Counter(
            (
                await session.scalars(
                    select(ProgressEntry.commitment_id).where(ProgressEntry.commitment_id.in_(theirs))
                )
            ).all()
        )
        reminders = (
            await session.execute(
                select(Broadcast.id, Broadcast.kind, Broadcast.schedule_id).where(
                    Broadcast.kind.in_([BroadcastKind.PROGRESS_REMINDER.value, BroadcastKind.REGISTER_REMINDER.value])
                )
            )
        ).all()
    await engine.dispose()
    return {
        "inbox": inbox,
        "commitments": commitments,
        "percents": percents,
        "entries": entries,
        "reminders": reminders,
    }


@pytest.mark.timeout(600)  # 70-140 s on 2 cores, by the load (docs/PERFORMANCE.md, issue 11)
def test_three_instances_behind_caddy_one_killed(tmp_path: Path) -> None:
    url = fresh_postgres()
    zone = noon_zone()
    province = asyncio.run(populate(url, COUNTS, zone))
    asyncio.run(add_commitments(url, REMINDED, COUNTS[REMINDED][0]))  # a progress reminder goes to members with one
    started = time.monotonic()
    with FakeTelegram() as telegram, FakeZalo() as zalo, collector_held():
        telegram.rate_limit_per_second = RATE
        cluster = Cluster(tmp_path, url, telegram, zalo, zone, settings=SETTINGS)
        try:
            for number in (1, 2, 3):
                cluster.start_instance(number, wait=False)
            for number in (1, 2, 3):
                cluster.wait_instance(number)
            cluster.start_caddy()
            up = time.monotonic()
            gateway, people, said, (died, back) = asyncio.run(scenario(cluster))
            talked = time.monotonic()
            statuses = asyncio.run(wait_delivered(url))
            time.sleep(1.0)  # answers still on the wire
            figures = asyncio.run(database_figures(url, province.cells[TALK]))
            output = cluster.outputs()
            print(asyncio.run(stuck_report(url, people, cluster, output, started, died)))
            print(f"instances' logs and Caddy's: {tmp_path}")
        finally:
            cluster.stop()
        tg_calls, zalo_calls = telegram.calls(), zalo.calls()
        per_second = telegram.sent_per_second()
        copies = announcement_copies(telegram.sent_messages(), SECRETARY_CHAT)
        per_chat = Counter(str(params["chat_id"]) for params in copies)
        per_chat.update(str(m["chat_id"]) for m in zalo.sent() if ANNOUNCEMENT in str(m.get("text")))
        reminded = Counter(
            str(p["chat_id"]) for p in telegram.sent_messages() if int(p["chat_id"]) >= telegram_chat(REMINDED, 0)
        )
    elapsed = time.monotonic() - started
    too_many = [c for c in [*tg_calls, *zalo_calls] if c["status"] == 429]
    on_telegram, on_zalo = COUNTS[AUDIENCE]
    audience = {str(SECRETARY_CHAT)} | {str(telegram_chat(AUDIENCE, i)) for i in range(on_telegram)}
    audience |= {zalo_chat(AUDIENCE, i) for i in range(on_zalo)}
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    waits = sorted(gateway.latencies)

    def latency(share: float) -> float:
        return waits[min(len(waits) - 1, int(share * len(waits)))] if waits else 0.0

    inbox = dict(figures["inbox"])  # type: ignore[call-overload]
    acked = {key for _, key in gateway.acked}
    print(
        f"\nscale-out: {len(gateway.acked)} updates acknowledged ({gateway.retries} POSTs tried again), "
        f"{len(inbox)} stored, {sum(1 for v in inbox.values() if v is None)} unprocessed; "
        f"{sum(1 for p in people if p.stuck)} of {len(said)} conversations stopped short, "
        f"{len(gateway.resent)} replies came twice in a row "
        f"({', '.join(f'{chat} at {moment - started:.1f} s' for chat, moment in gateway.resent)}); "
        f"announcement to {len(audience)}: {len(per_chat)} reached, {duplicates} twice, statuses {statuses}; "
        f"429s {len(too_many)}; reminders fired {len(figures['reminders'])}; "  # type: ignore[arg-type]
        f"instance {KILLED} killed {died - started:.1f} s in, answering again {back - died:.1f} s later; "
        f"{elapsed:.1f} s in all: {up - started:.1f} s to start, {talked - up:.1f} s of conversations, "
        f"POST to last reply p50 {latency(0.5):.1f} s, p95 {latency(0.95):.1f} s; Telegram at most "
        f"{max(per_second, default=0)} messages in a second"
    )
    assert too_many == []
    assert acked <= set(inbox) and all(inbox[key] is not None for key in acked)
    stuck = [person.stuck for person in people if person.stuck]
    assert stuck == [], f"{len(stuck)} conversations stopped short"
    # At-least-once replies: an update the killed instance had in flight repeats at most its last message.
    assert len(gateway.resent) <= 2 * WORKERS
    assert [len(replies) for replies in said] == [SCRIPT_REPLIES] * len(said)
    for replies in said:
        assert replies[-1].startswith(t.PLEDGES_CHOOSE) and "Tiến độ 60%" in replies[-2], replies[-2:]
    talkers = sum(COUNTS[TALK])
    assert figures["percents"] == Counter({60: talkers})
    assert sorted(figures["commitments"].values()) == [1] * talkers  # type: ignore[attr-defined]
    assert sorted(figures["entries"].values()) == [1] * talkers  # type: ignore[attr-defined]
    assert set(per_chat) == audience, "someone never got the announcement"
    assert duplicates <= CONCURRENCY
    fired = Counter((kind, schedule) for _, kind, schedule in figures["reminders"])  # type: ignore[attr-defined]
    assert fired[(BroadcastKind.PROGRESS_REMINDER.value, province.schedule_id)] == 1 and set(fired.values()) == {1}
    assert sorted(reminded.values()) == [1] * COUNTS[REMINDED][0]
    assert "Traceback" not in output
