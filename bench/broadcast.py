"""Benchmark: a broadcast to 10,000 members against the fake Bot API server with a rate limit.

The fake server (tests/fakes/fake_telegram.py) runs in this process and answers 429 beyond its limit;
the sender runs in a child process (`python -m bench.broadcast --child ...`, the same code `lamtheo run`
uses: bot/sender.py with the Telegram messenger), so the two do not share one interpreter lock.
Measured: achieved rate ÷ limit (from the server's own arrival times), duplicates, misses, 429s received.

Run: make bench-broadcast   (writes the results into docs/PERFORMANCE.md)
     python -m bench.broadcast --rate 30 --members 2000   (the real Telegram limit; slower)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.doc import machine, replace_section
from bot.cli import use_fast_event_loop
from bot.rate_budget import BudgetLimits, MemoryStore, RateBudget, token_key
from bot.sender import Sender, SenderLimits
from handlers.clock import SystemClock
from handlers.services.deliveries import OutgoingMessage, enqueue
from storage.db import create_engine, is_sqlite, session_factory
from storage.enums import BroadcastKind, Role, UnitKind
from storage.migrate import upgrade
from storage.models import Broadcast, ChatAccount, Delivery, Member
from storage.uow import UnitOfWork
from tests.fakes.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
FIRST_CHAT = 700_000_000
CEILING_CHAT = 800_000_000
JITTER = BudgetLimits().jitter  # the budget's margin: starts (1 + JITTER) / limit s apart
MARK_START, MARK_END = "<!-- bench:broadcast:start -->", "<!-- bench:broadcast:end -->"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội: outside quiet hours


def chat_of(index: int) -> int:
    return FIRST_CHAT + index


async def populate(url: str, members: int, text: str = "Thông báo thử") -> int:
    """`members` consenting members of one cell, each with a Telegram account; one announcement queued to all.

    Returns the broadcast id. Chat ids are FIRST_CHAT + 0..members-1.
    """
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with UnitOfWork(sessions) as uow:
        cell = await uow.units.add("Chi bộ đo tốc độ", UnitKind.CELL, None, now)
        rows = [
            Member(
                code=f"B{index:06d}",
                full_name=f"Đảng viên {index}",
                role=Role.MEMBER.value,
                cell_id=cell.id,
                consent_at=now,
                created_at=now,
                updated_at=now,
            )
            for index in range(members)
        ]
        for row in rows:
            uow.members.session.add(row)
        await uow.members.session.flush()
        for index, row in enumerate(rows):
            uow.members.session.add(
                ChatAccount(
                    platform="telegram",
                    external_id=str(chat_of(index)),
                    member_id=row.id,
                    linked_at=now,
                    last_seen_at=now,
                )
            )
        broadcast = Broadcast(
            kind=BroadcastKind.ANNOUNCEMENT.value, unit_id=cell.id, priority=2, state="pending", total=0, created_at=now
        )
        await uow.deliveries.add_broadcast(broadcast)
        await enqueue(uow, broadcast, [OutgoingMessage(row.id, text) for row in rows], NOON, TZ)
        await uow.commit()
        broadcast_id = broadcast.id
    await engine.dispose()
    return broadcast_id


async def statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        stmt = select(Delivery.status, func.count(Delivery.id)).group_by(Delivery.status)
        found = {status: int(count) for status, count in (await session.execute(stmt)).all()}
    await engine.dispose()
    return found


async def unknown_chats(url: str) -> set[int]:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        stmt = (
            select(ChatAccount.external_id)
            .join(Delivery, Delivery.account_id == ChatAccount.id)
            .where(Delivery.status == "unknown")
        )
        found = {int(external_id) for external_id in (await session.scalars(stmt)).all()}
    await engine.dispose()
    return found


# --- the child: the sender, as the bot runs it ---------------------------------------------------------------


async def child(url: str, base_url: str, rate: float, concurrency: int, resend: bool = True) -> dict[str, float]:
    from bot.channels.telegram_messenger import TelegramMessenger

    engine = create_engine(url)
    sessions = session_factory(engine)
    budget = RateBudget(token_key("telegram", TOKEN), BudgetLimits(rate=rate), MemoryStore())
    messenger = TelegramMessenger(TOKEN, base_url, budget, concurrency)
    limits = SenderLimits(concurrency=concurrency, resend_after_crash=resend)
    single = is_sqlite(url)  # the one sender of the file: every row it finds in flight was a dead child's
    sender = Sender(lambda: UnitOfWork(sessions), {"telegram": messenger}, SystemClock(), limits, single_process=single)
    recovered = await sender.recover()
    print(json.dumps({"event": "started", "recovered": recovered}), flush=True)
    report = await sender.drain(until_idle=True)
    await messenger.close()
    await engine.dispose()
    return {
        "recovered": recovered,
        "resent": sender.report.resent,
        "sent": report.sent,
        "blocked": report.blocked,
        "failed": report.failed,
        "unknown": report.unknown,
        "retried": report.retried,
        "elapsed": report.elapsed,
    }


async def ceiling(base_url: str, messages: int, concurrency: int) -> dict[str, float]:
    """The machine's ceiling: PTB's Bot alone, same concurrency, no pacing, no database."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    gate = asyncio.Semaphore(concurrency)
    async with Bot(TOKEN, base_url=base_url, request=HTTPXRequest(connection_pool_size=concurrency + 2)) as bot:

        async def one(index: int) -> None:
            async with gate:
                await bot.send_message(CEILING_CHAT + index, "Thông báo thử")

        started = time.monotonic()
        await asyncio.gather(*(one(index) for index in range(messages)))
        return {"elapsed": time.monotonic() - started}


def child_command(url: str, base_url: str, rate: float, concurrency: int, after_crash: str = "resend") -> list[str]:
    """The sender child's command line (it talks to a fake server started with TOKEN)."""
    return [
        sys.executable,
        "-m",
        "bench.broadcast",
        "--child",
        "--db",
        url,
        "--base-url",
        base_url,
        "--rate",
        str(rate),
        "--concurrency",
        str(concurrency),
        "--after-crash",
        after_crash,
    ]


def run_child(command: list[str]) -> tuple[dict[str, float], float]:
    """The child's last JSON line, and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dict(json.loads(done.stdout.strip().splitlines()[-1])), cpu


# --- the measurement -----------------------------------------------------------------------------------------


def measure(fake: FakeTelegram, members: int, limit: float) -> dict[str, float]:
    calls = [c for c in fake.calls("sendMessage")]
    ok = [c for c in calls if c["status"] == 200]
    per_chat = Counter(c["params"]["chat_id"] for c in ok)
    expected = {chat_of(i) for i in range(members)}
    times = sorted(c["time"] for c in ok)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span > 0 else 0.0
    return {
        "members": members,
        "limit": limit,
        "sent": len(ok),
        "achieved": achieved,
        "ratio": achieved / limit,
        "duplicates": sum(count - 1 for count in per_chat.values() if count > 1),
        "misses": len(expected - set(per_chat)),
        "429s": sum(1 for c in calls if c["status"] == 429),
        "span": span,
    }


def bench(members: int, rate: float, concurrency: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, FakeTelegram(token=TOKEN) as fake:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(url)
        asyncio.run(populate(url, members))
        load = os.getloadavg()[0]
        # The ceiling first: PTB's Bot alone, unlimited server, a fifth of the messages.
        probe = max(200, members // 5)
        command = [*child_command(url, fake.base_url, rate, concurrency), "--ceiling", str(probe)]
        ceiling_report, _ = run_child(command)
        fake.reset()
        fake.rate_limit_per_second = rate
        server_cpu = time.process_time()
        started = time.monotonic()
        child_report, child_cpu = run_child(child_command(url, fake.base_url, rate, concurrency))
        wall = time.monotonic() - started
        server_cpu = time.process_time() - server_cpu
        result = measure(fake, members, rate)
        result.update(
            wall=wall,
            concurrency=concurrency,
            unknown=child_report["unknown"],
            ceiling=probe / ceiling_report["elapsed"],
            child_cpu_ms=child_cpu / members * 1000,
            server_cpu_ms=server_cpu / members * 1000,
            load=load,
        )
        result["db_sent"] = asyncio.run(statuses(url)).get("sent", 0)
        return result


def report(result: dict[str, float], command: str) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return "\n".join(
        [
            MARK_START,
            f"Command: `{command}`, {time.strftime('%Y-%m-%d')}",
            f"Machine: {machine()}",
            "",
            "| what | value | target |",
            "| --- | ---: | --- |",
            f"| members (one announcement each) | {result['members']:.0f} | |",
            f"| fake server limit (429 beyond) | {result['limit']:.0f}/s | |",
            f"| sender concurrency | {result['concurrency']:.0f} | |",
            f"| messages accepted by the server | {result['sent']:.0f} | = members |",
            f"| achieved rate (server arrival times) | {result['achieved']:.1f}/s | |",
            f"| achieved ÷ limit | **{result['ratio']:.3f}** | ≥ 0.95: {verdict(result['ratio'] >= 0.95)} |",
            f"| duplicates | **{result['duplicates']:.0f}** | 0: {verdict(result['duplicates'] == 0)} |",
            f"| misses | **{result['misses']:.0f}** | 0: {verdict(result['misses'] == 0)} |",
            f"| 429s received | **{result['429s']:.0f}** | 0: {verdict(result['429s'] == 0)} |",
            f"| wall time of the child (start, drain, exit) | {result['wall']:.1f} s | |",
            f"| ceiling: PTB's Bot alone, same concurrency, no limit, no database | {result['ceiling']:.1f}/s | |",
            f"| achieved ÷ ceiling | {result['achieved'] / result['ceiling']:.3f} | |",
            f"| CPU per message: sender process / fake server | {result['child_cpu_ms']:.2f} ms / "
            f"{result['server_cpu_ms']:.2f} ms | |",
            f"| load average (1 min) at the start | {result['load']:.2f} | |",
            "",
            "The ceiling is what this machine can push through the fake server at all: when it is below the limit,",
            "the achieved ÷ limit ratio measures the machine, and achieved ÷ ceiling is the sender's own cost",
            "(pacing, a transaction per batch of completions). Pacing is the token's rate budget (bot/rate_budget.py,",
            f"in the process here): starts (1 + {JITTER:g}) / limit s apart, so a request may arrive",
            f"{JITTER * 1000:.0f} ms late without a second ever holding one more than the limit;",
            f"the ceiling of the ratio is therefore {1 / (1 + JITTER):.3f}.",
            MARK_END,
        ]
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=300, help="the fake server's limit (messages/s); 30 = Telegram")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--ceiling", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--after-crash", choices=("resend", "unknown"), default="resend", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child and args.ceiling:
        use_fast_event_loop()
        out(json.dumps(asyncio.run(ceiling(args.base_url, args.ceiling, args.concurrency))))
        return 0
    if args.child:
        use_fast_event_loop()
        resend = args.after_crash == "resend"
        out(json.dumps(asyncio.run(child(args.db, args.base_url, args.rate, args.concurrency, resend))))
        return 0
    result = bench(args.members, args.rate, args.concurrency)
    command = f"make bench-broadcast (python -m bench.broadcast --members {args.members} --rate {args.rate:g})"
    section = report(result, command)
    out(section)
    if not args.no_write:
        write_into_section(args.doc, section)
    return 0


def write_into_section(doc: Path, section: str) -> None:
    replace_section(doc, section, MARK_START, MARK_END, "## Broadcast delivery")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
