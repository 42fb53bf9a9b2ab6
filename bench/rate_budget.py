"""Benchmark: a broadcast with replies interleaved, at Telegram's real limits, on one shared rate budget.

The fake Bot API (tests/fakes/fake_telegram.py) runs in this process at 30 messages a second and one a second per
chat, answering 429 beyond either; each instance is a child process (`python -m bench.rate_budget --child ...`)
running what `lamtheo run` runs: the delivery sender (bot/sender.py) through the Telegram messenger, and replies
to people talking to the bot through the same PTB limiter the Application uses, all on the token's budget
(bot/rate_budget.py). On PostgreSQL several instances share the budget in the database; on SQLite one instance
keeps it in its process. Measured at the server: the broadcast's rate and the rate of all messages while it ran,
429s, the most messages in any one-second window, and how long replies waited for their slot.

Run: make bench-rate                          (SQLite: one instance)
     make bench-rate BENCH_URL=postgresql://…  (PostgreSQL, two instances; the database is EMPTIED first)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import quantiles
from typing import Any

from sqlalchemy import text

from bench.broadcast import FIRST_CHAT, ROOT, TOKEN, populate
from bench.doc import machine, replace_section
from bot.cli import use_fast_event_loop
from bot.rate_budget import BudgetLimits
from storage.db import create_engine, normalise_url
from storage.migrate import upgrade
from tests.fakes.fake_telegram import FakeTelegram

RATE = 30.0
JITTER = BudgetLimits().jitter  # the budget's margin: what the ceiling and a late wake-up are measured by
REPLY_CHAT = 900_000_000
REPLY_EVERY_CHAT_S = 1.5  # each person gets a reply this often (people talk at a human pace)
HEADING = "## One rate budget per token: a broadcast with replies interleaved (issue 11)"


def marks(backend: str) -> tuple[str, str]:
    """Each database's run has its section (both are kept)."""
    return f"<!-- bench:rate:{backend.lower()}:start -->", f"<!-- bench:rate:{backend.lower()}:end -->"


# --- an instance: the sender and the replies on one budget (the child process) ------------------------------


async def instance(url: str, base_url: str, shared: bool, replies_per_s: float, seconds: float, first: int) -> Any:
    from bot.channels.telegram_messenger import TelegramMessenger
    from bot.rate_budget import BudgetLimits, DatabaseStore, MemoryStore, RateBudget, token_key
    from bot.sender import Sender
    from handlers.clock import SystemClock
    from storage.db import session_factory
    from storage.uow import UnitOfWork

    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    store = DatabaseStore(uow) if shared else MemoryStore()
    budget = RateBudget(token_key("telegram", TOKEN), BudgetLimits(rate=RATE), store)
    messenger = TelegramMessenger(TOKEN, base_url, budget)
    sender = Sender(uow, {"telegram": messenger}, SystemClock())
    print(json.dumps({"event": "started"}), flush=True)
    chatting = asyncio.create_task(chat_along(budget, base_url, replies_per_s, seconds, first))
    report = await sender.drain(until_idle=True)
    waits = await chatting
    await messenger.close()
    await engine.dispose()
    found = {"sent": report.sent, "retried": report.retried, "unknown": report.unknown, "given_up": budget.given_up}
    return {**found, "waits": waits}


async def chat_along(budget: Any, base_url: str, per_s: float, seconds: float, first: int) -> list[float]:
    """Replies at `per_s` a second, each person getting one every REPLY_EVERY_CHAT_S; how long each one took
    (its wait for a slot, and the request)."""
    from telegram.ext import ExtBot
    from telegram.request import HTTPXRequest

    from bot.channels.telegram_limiter import BudgetLimiter
    from bot.rate_budget import Kind

    if per_s <= 0:
        return []
    people = math.ceil(per_s * REPLY_EVERY_CHAT_S) + 1
    waits: list[float] = []
    limiter = BudgetLimiter(budget, Kind.REPLY, max_retries=3)
    async with ExtBot(TOKEN, base_url=base_url, rate_limiter=limiter, request=HTTPXRequest(8)) as bot:

        async def reply(chat: int) -> None:
            asked = time.monotonic()
            await bot.send_message(chat, "Đã ghi nhận tiến độ của đồng chí.")
            waits.append(time.monotonic() - asked)

        tasks, started, count = [], time.monotonic(), 0
        while time.monotonic() - started < seconds:
            tasks.append(asyncio.create_task(reply(first + count % people)))
            count += 1
            await asyncio.sleep(1.0 / per_s)
        await asyncio.gather(*tasks)
    return waits


# --- the run --------------------------------------------------------------------------------------------------


async def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def child_command(url: str, base_url: str, shared: bool, replies_per_s: float, seconds: float, first: int) -> list[str]:
    return [
        *[sys.executable, "-m", "bench.rate_budget", "--child", "--db", url, "--base-url", base_url],
        *["--replies", str(replies_per_s), "--seconds", str(seconds), "--first", str(first)],
        *(["--shared"] if shared else []),
    ]


def bench(url: str | None, members: int, instances: int, replies_per_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, FakeTelegram(token=TOKEN) as fake:
        url = url or f"sqlite+aiosqlite:///{folder}/bench.db"
        shared = url.startswith("postgresql")
        instances = instances if shared else 1
        if shared:
            asyncio.run(empty_postgres(url))
        upgrade(url)
        asyncio.run(populate(url, members))
        fake.rate_limit_per_second, fake.per_chat_interval, fake.per_chat_burst = RATE, 1.0, 3
        seconds = members / RATE
        each = replies_per_s / instances
        commands = [
            child_command(url, fake.base_url, shared, each, seconds, REPLY_CHAT + n * 1000) for n in range(instances)
        ]
        load = os.getloadavg()[0]
        children = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE, text=True) for c in commands]
        reports = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
        result = measure(fake, members)
    waits = sorted(wait for one in reports for wait in one["waits"])
    cuts = quantiles(waits, n=20) if len(waits) > 1 else [0.0] * 19
    result.update(
        backend="PostgreSQL" if shared else "SQLite",
        instances=instances,
        replies_per_s=replies_per_s,
        replies=len(waits),
        reply_p50=cuts[9],
        reply_p95=cuts[18],
        reply_max=max(waits, default=0.0),
        sent_by=[one["sent"] for one in reports],
        given_up=sum(one["given_up"] for one in reports),
        load=load,
    )
    return result


def measure(fake: FakeTelegram, members: int) -> dict[str, Any]:
    calls = fake.calls("sendMessage")
    ok = [c for c in calls if c["status"] == 200]
    broadcast = sorted(c["time"] for c in ok if FIRST_CHAT <= int(c["params"]["chat_id"]) < FIRST_CHAT + members)
    span = broadcast[-1] - broadcast[0] if len(broadcast) > 1 else 0.0
    during = [c for c in ok if span and broadcast[0] <= c["time"] <= broadcast[-1]]
    chats = {int(c["params"]["chat_id"]) for c in ok}
    return {
        "members": members,
        "delivered": len({int(c["params"]["chat_id"]) for c in ok if int(c["params"]["chat_id"]) < REPLY_CHAT}),
        "broadcast_rate": (len(broadcast) - 1) / span if span else 0.0,
        "total_rate": (len(during) - 1) / span if span else 0.0,
        "span": span,
        "429s": sum(1 for c in calls if c["status"] == 429),
        "most_in_a_second": fake.most_sent_in_any_window(1.0),
        "most_per_chat": max((fake.most_sent_in_any_window(1.0, c) for c in chats if c < REPLY_CHAT), default=0),
        "most_per_person": max((fake.most_sent_in_any_window(1.0, c) for c in chats if c >= REPLY_CHAT), default=0),
    }


def report(result: dict[str, Any], command: str) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    ratio = result["total_rate"] / RATE
    start, end = marks(result["backend"])
    return "\n".join(
        [
            start,
            f"Command: `{command}`, {time.strftime('%Y-%m-%d')}",
            f"Machine: {machine()}; load average (1 min) at the start {result['load']:.2f}",
            "",
            "| what | value | target |",
            "| --- | ---: | --- |",
            f"| database, instances sharing the budget | {result['backend']}, {result['instances']} | |",
            f"| members (one announcement each), delivered | {result['members']}, {result['delivered']} | all |",
            f"| sent by each instance | {', '.join(str(n) for n in result['sent_by'])} | |",
            f"| replies interleaved (a second; each person one per {REPLY_EVERY_CHAT_S:g} s) | "
            f"{result['replies_per_s']:g}/s, {result['replies']} in all | |",
            f"| fake server limits (429 beyond) | {RATE:.0f}/s, 1/s per chat (3 at once) | |",
            f"| all messages while the broadcast ran | {result['total_rate']:.2f}/s | |",
            f"| all ÷ 30/s | **{ratio:.3f}** | ≥ 0.95: {verdict(ratio >= 0.95)} |",
            f"| the broadcast alone | {result['broadcast_rate']:.2f}/s ({result['span']:.1f} s) | |",
            f"| 429s received | **{result['429s']}** | 0: {verdict(result['429s'] == 0)} |",
            f"| most messages in any 1-s window / to a member / to a person chatting | {result['most_in_a_second']} / "
            f"{result['most_per_chat']} / {result['most_per_person']} | ≤ 30 / 1 / 3 |",
            f"| slots given up (the process woke > {JITTER * 500:.0f} ms late for them) | {result['given_up']} | |",
            f"| reply latency p50 / p95 / max (slot wait + request) | {result['reply_p50'] * 1000:.0f} / "
            f"{result['reply_p95'] * 1000:.0f} / {result['reply_max'] * 1000:.0f} ms | |",
            "",
            f"Starts are spaced (1 + {JITTER:g}) / 30 s apart (a request may reach the server up to",
            f"{JITTER * 1000:.0f} ms late without a second ever holding 31), so the ceiling is",
            f"{RATE / (1 + JITTER):.1f}/s; a broadcast takes only slots starting within 0.25 s, so a reply waits at",
            "most that long behind it.",
            end,
        ]
    )


def write_into(doc: Path, section: str, backend: str) -> None:
    replace_section(doc, section, *marks(backend), HEADING)


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="PostgreSQL database to use (EMPTIED first); default: a SQLite file")
    parser.add_argument("--members", type=int, default=900)
    parser.add_argument("--instances", type=int, default=2, help="on PostgreSQL")
    parser.add_argument("--replies", type=float, default=2.0, help="replies a second while the broadcast runs")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--shared", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=REPLY_CHAT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        use_fast_event_loop()
        found = asyncio.run(instance(args.db, args.base_url, args.shared, args.replies, args.seconds, args.first))
        out(json.dumps(found))
        return 0
    url = normalise_url(args.url) if args.url else None
    result = bench(url, args.members, args.instances, args.replies)
    where = "BENCH_URL=postgresql://… " if url else ""
    options = f"--members {args.members} --replies {args.replies:g}"
    command = f"make bench-rate {where}(python -m bench.rate_budget {options})"
    section = report(result, command)
    out(section)
    if not args.no_write:
        write_into(args.doc, section, result["backend"])
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
