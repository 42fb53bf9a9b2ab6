"""Benchmark: roll-ups fast enough to click through, from per-cell figures (issue 12).

Measured in one process on the database `make bench-data` wrote (2,000 cells, 100,000 members, 1,000,000 progress
entries), through the code the bot runs, with the data's fixed "now" (23/11/2026):
- the province's roll-up of this month (`rollup_of`): cold (the process's memo of cells' figures emptied before
  each run: a new process, or a new day), warm with nothing changed since the last view, and warm with 100 cells
  (5%) changed since: before each run, untimed, one transaction moves a commitment's percent in 100 random cells;
- a cell's view, as the secretary's /tonghop and the web cell page show it (roll-up and member list), its cell
  changed before each run;
- the same through the router: /tonghop of the province's committee staff (text and chart) and of a secretary;
- the cost added to a write by keeping the figures current: bench/write_cost.py.
The commitments moved are put back at the end (each a write like any other).

A measure is a `Measure` (what is timed, what runs untimed before each run, the goal); the web dashboard's pages
are timed as more of them: a GET through the real HTTP route, with a session opened by a login link
(bench/dashboard_http.py): the province's page (its roll-up, breadcrumb and pending approvals) and a cell's page.

Run: make bench-dashboard   (writes the results into docs/PERFORMANCE.md; BENCH_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.dashboard_http import cell_page, http_pages, province_page, province_trend
from bench.dashboard_world import World, open_world
from bench.doc import machine, percentile, replace_section
from bench.make_data import DEFAULT_OUT, sqlite_url
from bench.rollup import speed_check, verdict
from bench.write_cost import write_cost
from bot.cli import use_fast_event_loop
from bot.runtime import settle_heap
from handlers.services.periods import month_of
from handlers.services.rollup import rollup_of, unit_row
from storage.db import normalise_url

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)
CHANGED_CELLS = 100  # 5% of the province's 2,000
MARKS = {
    "sqlite": ("<!-- bench:dashboard:start -->", "<!-- bench:dashboard:end -->"),
    "postgresql": ("<!-- bench:dashboard-postgresql:start -->", "<!-- bench:dashboard-postgresql:end -->"),
}
Job = Callable[[World], Awaitable[Any]]


@dataclass(frozen=True)
class Measure:
    name: str
    job: Job  # timed
    before: Job | None = None  # untimed, before each run
    runs: int = 30
    goal_ms: float | None = None  # on the p95 (the max for runs < 20)


async def province(world: World) -> None:
    async with world.uow() as uow:
        await rollup_of(uow, unit_row(world.province), month_of(TODAY, TZ), world.now, TZ)


async def cell_view(world: World) -> None:
    async with world.uow() as uow:
        summary = await rollup_of(uow, unit_row(world.cell), month_of(TODAY, TZ), world.now, TZ)
        await uow.reports.cell_members(world.cell.id, summary.window)


async def forget(world: World) -> None:
    world.memo.clear()


async def change_five_percent(world: World) -> None:
    await world.change(random.sample(world.cells, CHANGED_CELLS))


async def change_the_cell(world: World) -> None:
    await world.change([world.cell.id])


async def staff_summary(world: World) -> None:
    await world.say(world.staff_account, "/tonghop")


async def secretary_summary(world: World) -> None:
    await world.say(world.secretary_account, "/tonghop")


def measures(runs: int) -> list[Measure]:
    few = max(5, runs // 3)
    staff = "/tonghop of the province's staff (text + chart)"
    return [
        Measure("province roll-up, cold (memo empty)", province, forget, few, 1000.0),
        Measure("province roll-up, warm, nothing changed", province, None, runs),
        Measure("province roll-up, warm, 100 cells (5%) changed", province, change_five_percent, runs, 150.0),
        Measure("a cell's view (roll-up + member list), its cell changed", cell_view, change_the_cell, runs * 2, 30.0),
        Measure(f"{staff}, cold", staff_summary, forget, few),
        Measure(f"{staff}, 5% changed", staff_summary, change_five_percent, runs),
        Measure("/tonghop of a secretary (cell + member list), cell changed", secretary_summary, change_the_cell, runs),
        Measure("web: the province's page over HTTP, cold", province_page, forget, few, 1000.0),
        Measure("web: the province's page over HTTP, 5% changed", province_page, change_five_percent, runs, 150.0),
        Measure("web: a cell's page over HTTP, its cell changed", cell_page, change_the_cell, runs * 2, 30.0),
        Measure("web: the province's trend (SVG, 11 months), cold", province_trend, forget, few),
        Measure("web: the province's trend (SVG, 11 months), 5% changed", province_trend, change_five_percent, few),
    ]


async def timed(world: World, measure: Measure) -> dict[str, float]:
    for _ in range(2):  # warm-up: statements compiled, pages cached
        if measure.before:
            await measure.before(world)
        await measure.job(world)
    samples: list[float] = []
    cpu = 0.0
    for _ in range(measure.runs):
        if measure.before:
            await measure.before(world)
        cpu_started, started = time.process_time(), time.perf_counter()
        await measure.job(world)
        samples.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - cpu_started
    ordered = sorted(samples)
    return {
        "n": len(samples),
        "p50": percentile(ordered, 0.5),
        "p95": percentile(ordered, 0.95),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
        "cpu": cpu * 1000 / len(samples),
    }


def goal_text(measure: Measure, result: dict[str, float]) -> str:
    if measure.goal_ms is None:
        return ""
    statistic = "p95" if measure.runs >= 20 else "max"
    value = result[statistic]
    return f"{statistic} ≤ {measure.goal_ms:.0f} ms: {verdict(value, measure.goal_ms)}"


def report(
    results: list[tuple[Measure, dict[str, float]]], writes: list[str], backend: str, command: str, load: str
) -> str:
    rows = [
        "| what | runs | p50 ms | p95 ms | max ms | CPU ms/run | goal |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for measure, r in results:
        times = f"{r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['cpu']:.1f}"
        rows.append(f"| {measure.name} | {r['n']:.0f} | {times} | {goal_text(measure, r)} |")
    by_name = {measure.name: r["p50"] for measure, r in results}
    cold = by_name.get("province roll-up, cold (memo empty)")
    warm = by_name.get("province roll-up, warm, 100 cells (5%) changed")
    still = by_name.get("province roll-up, warm, nothing changed")
    ratio = (
        f"Cold ÷ warm (p50): **{cold / warm:.1f}×** with 5% of cells changed, {cold / still:.1f}× with none."
        if cold and warm and still
        else "(--only: no cold ÷ warm ratio)"
    )
    start, end = MARKS[backend]
    return "\n".join(
        [
            start,
            f"Command: `{command}`, {date.today().isoformat()} ({backend})",
            f"Machine: {machine()}; load average at the start: {load} (the machine is shared: wall times include "
            "waiting for a core, the CPU column does not)",
            "Data: bench/make_data.py (2,000 cells, 100,000 members, 300,000 commitments, 1,000,000 progress entries)",
            "",
            *rows,
            "",
            ratio,
            f"Peak memory of the process (maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.",
            *writes,
            end,
        ]
    )


def write_into(doc: Path, section: str, backend: str) -> None:
    replace_section(doc, section, *MARKS[backend])


async def run(url: str, runs: int, write_url: str | None, only: str | None) -> tuple[list[Any], list[str], str]:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    speed = speed_check()
    results = []
    now = datetime.fromisoformat("2026-11-23T03:00:00+00:00")
    async with open_world(url, now) as world, http_pages(world) as pages:
        world.http = pages
        settle_heap()  # as `lamtheo run` does once started
        for measure in measures(runs):
            if only is None or only in measure.name:
                results.append((measure, await timed(world, measure)))
                print(f"{measure.name}: p50 {results[-1][1]['p50']:.1f} ms, p95 {results[-1][1]['p95']:.1f} ms")
    speed_after = speed_check()
    writes = await write_cost(write_url, cycles=max(100, runs * 30)) if only is None else []
    load += (
        f"; a fixed Python loop (bench/rollup.speed_check) took {speed:.0f} ms of CPU at the start, "
        f"{speed_after:.0f} ms after the views"
    )
    return results, writes, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="roll-ups from per-cell figures on the generated province")
    parser.add_argument("--db", type=Path, default=DEFAULT_OUT, help="the SQLite file make_data wrote")
    parser.add_argument("--url", help="a PostgreSQL URL make_data filled instead")
    parser.add_argument("--write-url", help="an empty PostgreSQL database for the write-cost part (else SQLite)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="only the measures whose name contains this (nothing written)")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not args.url and not args.db.exists():
        print(f"{args.db} not found: run `make bench-data` first", file=sys.stderr)
        return 2
    use_fast_event_loop()
    url = normalise_url(args.url) if args.url else sqlite_url(args.db)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    write_url = normalise_url(args.write_url) if args.write_url else None
    results, writes, load = asyncio.run(run(url, args.runs, write_url, args.only))
    command = "make bench-dashboard" + (f" (BENCH_URL=…{url.rsplit('@', 1)[-1]}" if args.url else "")
    if write_url:
        command += (", " if args.url else " (") + f"BENCH_WRITE_URL=…{write_url.rsplit('@', 1)[-1]}"
    command += ")" if args.url or write_url else ""
    section = report(results, writes, backend, command, load)
    print(section)
    if not args.no_write and args.only is None:
        write_into(args.doc, section, backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
