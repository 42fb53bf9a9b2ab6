"""What keeping the figures current adds to a write: the progress step of bench/progress_step.py (/capnhat, "60",
"Bỏ qua": the last one saves the entry) through the real PTB Application, with and without the version bump.

Two members of one database, each with an application of their own: one on sessions that bump the versions (as the
bot runs), one on sessions that do not (`session_factory(track_figures=False)`). Their cycles alternate one by one,
so that the machine's load falls on both alike; the verdict is on CPU time, which other jobs on the machine do not
inflate (wall times are given too). SQLite (a temporary file) unless given a PostgreSQL URL of
an empty database.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bench.doc import percentile
from bench.progress_step import ROOT, TOKEN
from bot.channels.telegram import build_application
from handlers.clock import SystemClock, local_today
from handlers.router import Router
from handlers.services.authz import load_actor
from handlers.services.commitments import Draft, register_commitment
from handlers.services.linking import give_consent
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork
from tests.fakes.recording_request import RecordingRequest, make_text_update

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FLOW = ("/capnhat", "60", "Bỏ qua")
# Two members alike (đảng viên, one commitment, no cell to lead): the same flow, the same statements.
ARMS = {"with the version bump": ("DV001", 5151, True), "without": ("DV009", 5252, False)}
WARMUP = 30


async def _prepare(url: str) -> None:
    clock = SystemClock()
    engine = create_engine(url)
    async with UnitOfWork(session_factory(engine)) as uow:
        await import_roster(uow, read_roster(ROOT / "examples" / "roster.csv").rows, clock.now())
        await uow.commit()
    await engine.dispose()


async def _application(url: str, code: str, user_id: int, track: bool) -> Application:  # type: ignore[type-arg]
    clock = SystemClock()
    engine = create_engine(url)
    sessions = session_factory(engine, track_figures=track)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with uow() as work:
        member = await work.members.by_code(code)
        assert member is not None
        if not await work.accounts.for_member(member.id):
            await work.accounts.add("telegram", str(user_id), member.id, clock.now())
        await give_consent(work, member, clock.now())
        if not await work.commitments.active_for(member.id):  # one commitment: /capnhat asks for the percent
            today = local_today(clock.now(), TZ)
            draft = Draft("Vận động 5 hộ phân loại rác tại nguồn", "Họp tổ, đến từng nhà", today + timedelta(days=60))
            await register_commitment(work, await load_actor(work, member), draft, today, clock.now())
        await work.commit()
    return build_application(
        TOKEN,
        "http://offline.invalid/bot",
        Router(uow, clock, TZ),
        request=RecordingRequest(),
        get_updates_request=RecordingRequest(),
        on_shutdown=engine.dispose,
    )


async def _cycle(app: Application, user_id: int, first_id: int, into: dict[str, list[float]]) -> None:  # type: ignore[type-arg]
    """One /capnhat, "60", "Bỏ qua": each update's wall time into `into[text]`, its CPU time into `into["cpu"]`."""
    for k, text in enumerate(FLOW):
        update = make_text_update(first_id + k, user_id, text, app.bot)
        cpu, started = time.process_time(), time.perf_counter()
        await app.process_update(update)
        into[text].append((time.perf_counter() - started) * 1000)
        into["cpu"].append((time.process_time() - cpu) * 1000)
    request = app.bot.request
    if isinstance(request, RecordingRequest):
        request.clear()


async def _measure(url: str, cycles: int) -> dict[str, dict[str, list[float]]]:
    """The two members' cycles alternate one by one (each going first every other time): what the machine's load
    does to one, it does to the other."""
    await asyncio.to_thread(upgrade, url)
    await _prepare(url)
    apps = {name: await _application(url, code, user, track) for name, (code, user, track) in ARMS.items()}
    found: dict[str, dict[str, list[float]]] = {name: {text: [] for text in (*FLOW, "cpu")} for name in ARMS}
    warm: dict[str, list[float]] = {text: [] for text in (*FLOW, "cpu")}
    update_id = int(time.time()) * 1000
    for app in apps.values():
        await app.initialize()
    try:
        for n in range(WARMUP + cycles):
            order = list(apps.items()) if n % 2 else list(reversed(apps.items()))
            for name, app in order:
                update_id += len(FLOW)
                await _cycle(app, ARMS[name][1], update_id, found[name] if n >= WARMUP else warm)
    finally:
        for app in apps.values():
            await app.shutdown()
    return found


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return f"| {name} | {len(values)} | {statistics.fmean(values):.2f} | {percentile(ordered, 0.5):.2f} | " + (
        f"{percentile(ordered, 0.95):.2f} |"
    )


async def write_cost(url: str | None, cycles: int) -> list[str]:
    """Markdown lines: the progress step with and without the bump, and the verdict on the goal (≤ 10%)."""
    with tempfile.TemporaryDirectory() as folder:
        target = url or f"sqlite+aiosqlite:///{folder}/write-cost.db"
        found = await _measure(target, cycles)
    backend = "PostgreSQL" if target.startswith("postgresql") else "SQLite"
    lines = [
        "",
        f"The progress step with and without keeping the figures current ({backend}, bench/write_cost.py):",
        "",
        "| step | updates | mean ms | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ARMS:
        for text in FLOW:
            lines.append(_line(f"{text} ({name})", found[name][text]))
    on, off = (statistics.median(v for text in FLOW for v in found[name][text]) for name in ARMS)
    save_on, save_off = (statistics.median(found[name]["Bỏ qua"]) for name in ARMS)
    cpu_on, cpu_off = (statistics.fmean(found[name]["cpu"]) for name in ARMS)
    added, added_save, added_cpu = (100 * (a - b) / b for a, b in ((on, off), (save_on, save_off), (cpu_on, cpu_off)))
    verdict = "met" if added_cpu <= 10 else "NOT met"
    lines += [
        "",
        f"Added to the progress step, in CPU time per update (the process's threads, the driver's included): "
        f"**{added_cpu:+.1f}%** (goal ≤ 10%: {verdict}); in wall time (p50 of the three updates): {added:+.1f}%, "
        f"of the update that saves the entry: {added_save:+.1f}%.",
    ]
    return lines
