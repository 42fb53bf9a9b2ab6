"""Benchmark: roll-ups and the Excel report on the generated province (bench/make_data.py).

Measured in one process on the database `make bench-data` wrote, through the same code the bot runs
(`rollup_of`, the cell's member list, `excel_attachment`, the chart), with the fixed "now" of the data; every
roll-up is counted in full (`fresh=True`: the per-cell memo of issue 12 is bench/dashboard.py's subject):
- the roll-up of the whole province (100,000 members, 2,000 cells): this month, this year, last month (a past
  period: percentages at its end and members moved since are worked out);
- one cell: the roll-up, and the roll-up with its member list (what a secretary's /tonghop shows);
- the Excel workbook of a 5,000-member district committee (101 sheets), and the chart of the province;
- the peak memory of the process (resource.getrusage maxrss).

Run: make bench-reports   (writes the results into docs/PERFORMANCE.md)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.doc import machine, percentile, replace_section
from bench.make_data import DEFAULT_OUT, NOW, sqlite_url
from bot.cli import use_fast_event_loop
from handlers.reports import chart
from handlers.services.periods import Period, month_of, year_of
from handlers.services.reports import chart_attachment, excel_attachment
from handlers.services.rollup import rollup_of, unit_row
from storage.db import create_engine, normalise_url, session_factory
from storage.models import Unit
from storage.uow import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)
MARK_START, MARK_END = "<!-- bench:reports:start -->", "<!-- bench:reports:end -->"
PG_MARK_START, PG_MARK_END = "<!-- bench:reports-postgresql:start -->", "<!-- bench:reports-postgresql:end -->"


def marks(backend: str) -> tuple[str, str]:
    """SQLite results go between the reports markers, PostgreSQL ones between their own."""
    return (PG_MARK_START, PG_MARK_END) if backend == "postgresql" else (MARK_START, MARK_END)


TARGETS = {"sqlite": {"province": 200.0, "cell": 10.0}, "postgresql": {"province": 100.0, "cell": 5.0}}
EXCEL_TARGET_S, MEMORY_TARGET_MB = 5.0, 200.0


async def timed(work: Callable[[], Awaitable[Any]], runs: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        await work()
    samples = []
    cpu_started = time.process_time()  # all threads of the process: aiosqlite's too
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / runs
    return {
        "cpu_ms": cpu_ms,
        "n": runs,
        "mean_ms": statistics.fmean(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples),
    }


async def run(url: str, runs: int) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with uow() as work:
        units = await work.units.all()
    province = next(u for u in units if u.parent_id is None)
    district = next(u for u in units if u.parent_id == province.id)
    cell = next(u for u in units if u.kind == "cell")
    month, year, last_month = month_of(TODAY, TZ), year_of(2026, TZ), month_of(date(2026, 10, 1), TZ)

    def rollup_job(unit: Unit, period: Period) -> Callable[[], Awaitable[Any]]:
        async def job() -> Any:
            async with uow() as work:
                return await rollup_of(work, unit_row(unit), period, NOW, TZ, fresh=True)

        return job

    async def cell_with_members() -> None:
        async with uow() as work:
            summary = await rollup_of(work, unit_row(cell), month, NOW, TZ, fresh=True)
            await work.reports.cell_members(cell.id, summary.window)

    async def district_excel() -> int:
        async with uow() as work:
            summary = await rollup_of(work, unit_row(district), month, NOW, TZ, fresh=True)
            attachment = await excel_attachment(work, summary, TODAY, TZ)
        return len(attachment.content)

    async def province_chart() -> None:
        summary = await rollup_job(province, month)()
        chart.forget_drawn()  # drawn every time, as before charts were kept
        await chart_attachment(summary)

    results = {
        "province roll-up, this month": await timed(rollup_job(province, month), runs),
        "province roll-up, this year": await timed(rollup_job(province, year), runs),
        "province roll-up, last month (past period)": await timed(rollup_job(province, last_month), runs),
        "district roll-up (5,000 members), this month": await timed(rollup_job(district, month), runs),
        "one cell roll-up, this month": await timed(rollup_job(cell, month), runs * 5),
        "one cell roll-up + member list (secretary's /tonghop)": await timed(cell_with_members, runs * 5),
        "province roll-up + chart PNG": await timed(province_chart, max(3, runs // 5), warmup=1),
        "Excel of a 5,000-member committee": await timed(district_excel, 3, warmup=1),
    }
    summary = await rollup_job(province, month)()
    extra = {
        "members": summary.totals.members,
        "cells": summary.totals.cells,
        "excel_bytes": await district_excel(),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
    }
    await engine.dispose()
    return results, extra


def speed_check() -> float:
    """Milliseconds of CPU a fixed pure-Python loop takes now (best of three): this virtual machine's speed moved
    by half between hours of one night with nothing else running, so each run says how fast it was."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for number in range(3_000_000):
            total += number
        best = min(best, time.process_time() - started)
    return best * 1000


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def report(results: dict[str, dict[str, float]], extra: dict[str, Any], backend: str, command: str) -> str:
    rows = [
        "| what | runs | mean ms | p50 ms | p95 ms | max ms | CPU ms/run |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        times = f"{r['mean_ms']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f}"
        rows.append(f"| {name} | {r['n']:.0f} | {times} | {r['cpu_ms']:.1f} |")
    target = TARGETS[backend]
    province = results["province roll-up, this month"]["p95_ms"]
    cell = results["one cell roll-up, this month"]["p95_ms"]
    excel_s = results["Excel of a 5,000-member committee"]["max_ms"] / 1000
    memory = extra["maxrss_mb"]
    start, end = marks(backend)
    return "\n".join(
        [
            start,
            f"Command: `{command}`, {date.today().isoformat()} ({backend})",
            f"Machine: {machine()}; load average during the run: {extra['load']} "
            "(the machine is shared: wall times include waiting for a core, the CPU column does not)",
            f"Data: {extra['members']:,} members in scope in {extra['cells']:,} cells; "
            "300,000 commitments, 1,000,000 progress entries (bench/make_data.py)",
            "",
            *rows,
            "",
            f"Province roll-up p95: **{province:.1f} ms** (target ≤ {target['province']:.0f} ms: "
            f"{verdict(province, target['province'])}).",
            f"One cell p95: **{cell:.1f} ms** (target ≤ {target['cell']:.0f} ms: {verdict(cell, target['cell'])}).",
            f"Excel of a 5,000-member committee (slowest run): **{excel_s:.2f} s** "
            f"({extra['excel_bytes'] / 1024:.0f} KiB; target ≤ {EXCEL_TARGET_S:.0f} s: "
            f"{verdict(excel_s, EXCEL_TARGET_S)}).",
            f"Peak memory of the process (maxrss): **{memory:.0f} MB** "
            f"(target ≤ {MEMORY_TARGET_MB:.0f} MB: {verdict(memory, MEMORY_TARGET_MB)}).",
            end,
        ]
    )


def write_into(doc: Path, section: str, backend: str) -> None:
    replace_section(doc, section, *marks(backend))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="roll-up and Excel benchmarks on the generated province")
    parser.add_argument("--db", type=Path, default=DEFAULT_OUT, help="the SQLite file make_data wrote")
    parser.add_argument("--url", help="a PostgreSQL URL make_data filled instead")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not args.url and not args.db.exists():
        print(f"{args.db} not found: run `make bench-data` first", file=sys.stderr)
        return 2
    use_fast_event_loop()
    url = normalise_url(args.url) if args.url else sqlite_url(args.db)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    results, extra = asyncio.run(run(url, args.runs))
    command = "make bench-reports" + (f" (python -m bench.rollup --url {url.rsplit('@', 1)[-1]})" if args.url else "")
    section = report(results, extra, backend, command)
    print(section)
    if not args.no_write:
        write_into(args.doc, section, backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
