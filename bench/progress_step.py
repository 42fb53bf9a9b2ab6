"""Benchmark: the progress-logging step through the real PTB Application, beside a bare PTB handler.

Both applications are fed the same kind of Update through `Application.process_update` with an
in-process recording request (no network), in one run, on a SQLite file. One "cycle" of ours is
the whole flow a member goes through: /capnhat -> "60" (percent) -> "Bỏ qua" (no note); each of
its three updates is timed on its own. The bare handler replies "ok" to every text.

What `PRAGMA synchronous=FULL` costs (issue 10; the bot ran with NORMAL before): ours and the floor are also run
on an engine switched back to NORMAL, alternating with the FULL ones in blocks of 50 cycles, so that both see
the same load of the machine.

Run: make bench   (writes the results into docs/PERFORMANCE.md)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.doc import machine, percentile, replace_section
from bot.channels.telegram import build_application
from bot.cli import use_fast_event_loop
from bot.settings import Settings
from bot.wiring import Core, build_core
from handlers.services.authz import load_actor
from handlers.services.commitments import Draft, register_commitment
from handlers.services.linking import give_consent
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from storage.migrate import upgrade
from tests.fakes.recording_request import RecordingRequest, make_text_update

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-TOKEN"
USER_ID = 4242
MARK_START, MARK_END = "<!-- bench:progress_step:start -->", "<!-- bench:progress_step:end -->"
NORMAL_OURS = "ours: all three steps, synchronous=NORMAL (before issue 10)"
NORMAL_FLOOR = "floor, synchronous=NORMAL (before issue 10)"


def as_before_issue_10(core: Core) -> Core:
    """The bot's engine with synchronous=NORMAL, as it ran before issue 10 (FULL since): for comparison only."""

    @event.listens_for(core.engine.sync_engine, "connect")
    def back_to_normal(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return core


async def prepare(url: str, settings: Settings, normal_sync: bool = False) -> Application:  # type: ignore[type-arg]
    core = build_core(settings, url)
    if normal_sync:
        as_before_issue_10(core)
    async with core.uow() as uow:
        await import_roster(uow, read_roster(ROOT / "examples" / "roster.csv").rows, core.clock.now())
        member = await uow.members.by_code("DV001")
        assert member is not None
        await uow.accounts.add("telegram", str(USER_ID), member.id, core.clock.now())
        await give_consent(uow, member, core.clock.now())
        draft = Draft("Vận động 5 hộ phân loại rác tại nguồn", "Họp tổ, đến từng nhà", date(2026, 12, 31))
        await register_commitment(uow, await load_actor(uow, member), draft, date(2026, 11, 23), core.clock.now())
        await uow.commit()
    return build_application(
        TOKEN,
        "http://offline.invalid/bot",
        core.router,
        request=RecordingRequest(),
        get_updates_request=RecordingRequest(),
        on_shutdown=core.close,
    )


def bare_application(core: Core | None = None) -> Application:  # type: ignore[type-arg]
    """A handler that only replies; with `core`, it first records the update in one transaction
    (the floor of any handler that must process each update once on this stack)."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        if core is not None:
            async with core.uow() as uow:
                await uow.updates.claim("bench", str(update.update_id), core.clock.now())
                await uow.commit()
        await context.bot.send_message(update.effective_message.chat_id, "ok")

    app = ApplicationBuilder().token(TOKEN).request(RecordingRequest()).get_updates_request(RecordingRequest()).build()
    app.add_handler(MessageHandler(filters.TEXT, reply))
    return app


async def timed(app: Application, texts: list[str], cycles: int, first_id: int) -> dict[str, list[float]]:  # type: ignore[type-arg]
    samples: dict[str, list[float]] = {text: [] for text in texts}
    update_id = first_id
    for _ in range(cycles):
        for text in texts:
            update_id += 1
            update = make_text_update(update_id, USER_ID, text, app.bot)
            start = time.perf_counter()
            await app.process_update(update)
            samples[text].append(time.perf_counter() - start)
        request = app.bot.request
        if isinstance(request, RecordingRequest):
            request.clear()
    return samples


async def alternating(
    runs: list[tuple[Application, list[str]]],  # type: ignore[type-arg]
    cycles: int,
    first_id: int,
    block: int = 50,
) -> list[dict[str, list[float]]]:
    """`timed` for each run in turn, `block` cycles at a time: the runs share whatever else loads the machine."""
    merged: list[dict[str, list[float]]] = [{text: [] for text in texts} for _, texts in runs]
    for start in range(0, cycles, block):
        for (app, texts), samples in zip(runs, merged, strict=True):
            part = await timed(app, texts, min(block, cycles - start), first_id + start * len(texts))
            for text, values in part.items():
                samples[text] += values
    return merged


def describe(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "per_s": len(values) / sum(values),
        "mean_ms": statistics.fmean(values) * 1000,
        "p50_ms": percentile(values, 0.50) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
    }


async def run(cycles: int, warmup: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        url, normal_url = f"sqlite+aiosqlite:///{folder}/bench.db", f"sqlite+aiosqlite:///{folder}/normal.db"
        for each in (url, normal_url):
            await asyncio.to_thread(upgrade, each)
        settings = Settings(database_url=url)
        floor_core, normal_floor_core = build_core(settings, url), as_before_issue_10(build_core(settings, url))
        ours, ours_normal = await prepare(url, settings), await prepare(normal_url, settings, normal_sync=True)
        bare, floor = bare_application(), bare_application(floor_core)
        normal_floor = bare_application(normal_floor_core)
        flow, hello = ["/capnhat", "60", "Bỏ qua"], ["xin chào"]
        async with ours, ours_normal, bare, floor, normal_floor:
            for app, texts, times in ((ours, flow, 1), (ours_normal, flow, 1), (bare, hello, 3), (floor, hello, 3)):
                await timed(app, texts, warmup * times, 1)
            await timed(normal_floor, hello, warmup * 3, 3_000_000)
            ours_samples, normal_samples = await alternating([(ours, flow), (ours_normal, flow)], cycles, 1_000_000)
            bare_samples = await timed(bare, hello, cycles * 3, 1_000_000)
            floors = await alternating([(floor, hello), (normal_floor, hello)], cycles * 3, 2_000_000)
        await floor_core.close()
        await normal_floor_core.close()
    results = {f"ours: {text}": describe(values) for text, values in ours_samples.items()}
    results["ours: all three steps"] = describe([v for values in ours_samples.values() for v in values])
    results["bare PTB handler"] = describe(bare_samples["xin chào"])
    results["bare handler + one write transaction (floor)"] = describe(floors[0]["xin chào"])
    results[NORMAL_OURS] = describe([v for values in normal_samples.values() for v in values])
    results[NORMAL_FLOOR] = describe(floors[1]["xin chào"])
    return results


def report(results: dict[str, dict[str, float]], cycles: int, loop: str) -> str:
    ours, bare = results["ours: all three steps"], results["bare PTB handler"]
    floor = results["bare handler + one write transaction (floor)"]
    ratio = ours["mean_ms"] / bare["mean_ms"]
    floor_ratio = ours["mean_ms"] / floor["mean_ms"]
    rows = [
        "| what | updates | updates/s | mean ms | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['n']:.0f} | {r['per_s']:.0f} | {r['mean_ms']:.2f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} |"
        )
    full_cost = ours["mean_ms"] - results[NORMAL_OURS]["mean_ms"]
    full_p50 = ours["p50_ms"] - results[NORMAL_OURS]["p50_ms"]
    floor_cost = floor["p50_ms"] - results[NORMAL_FLOOR]["p50_ms"]
    verdict_ratio = "met" if ratio <= 3 else "NOT met"
    verdict_p95 = "met" if ours["p95_ms"] <= 5 else "NOT met"
    return "\n".join(
        [
            MARK_START,
            f"Command: `make bench` (`python -m bench.progress_step --cycles {cycles}`), {time.strftime('%Y-%m-%d')}",
            f"Machine: {machine()}; event loop: {loop} (as `lamtheo run` uses)",
            "",
            *rows,
            "",
            f"Cost per update, ours ÷ bare handler (means): **{ratio:.2f}×** (target ≤ 3×: {verdict_ratio}).",
            f"p95 of our steps: **{ours['p95_ms']:.2f} ms** (target ≤ 5 ms: {verdict_p95}).",
            f"Ours ÷ the floor (a bare handler that records the update in one SQLite transaction): {floor_ratio:.2f}×.",
            f"synchronous=FULL ÷ NORMAL: ours +{full_cost:.2f} ms mean, +{full_p50:.2f} ms p50 per update; "
            f"the floor +{floor_cost:.2f} ms p50 per transaction (one more fsync of the WAL at each commit).",
            MARK_END,
        ]
    )


def write_into(doc: Path, section: str) -> None:
    replace_section(doc, section, MARK_START, MARK_END)


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--stock-loop", action="store_true", help="asyncio's own loop instead of uvloop")
    args = parser.parse_args(argv)
    loop = "asyncio" if args.stock_loop or not use_fast_event_loop() else "uvloop"
    results = asyncio.run(run(args.cycles, args.warmup))
    section = report(results, args.cycles, loop)
    out(section)
    if not args.no_write:
        write_into(args.doc, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
