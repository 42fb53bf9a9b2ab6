"""Benchmark: several webhook instances on one PostgreSQL behind Caddy (issue 11).

The cluster of tests/scale_stack.py: a real Caddy running deploy/Caddyfile, N `lamtheo run --webhook` processes,
the fake Telegram server in this process. Two measurements, in one run:

1. Throughput with 1, 2 and 3 instances: 500 members, each with one commitment, log progress at once (the
   progress step: /capnhat, 60, a note: three updates, four replies) through Caddy; updates per second, the
   latency from each POST to its last reply (p50, p95), and the CPU the instances spent per update. The fake
   server and the rate budget are opened wide (1,000 messages/s, no per-chat spacing) so that the instances,
   not the limit, are measured. Two series: the instances free on the machine's cores (what the cores allow),
   then each held to a fixed CPU share (--cpu-share of one core, a cgroup per instance: bench/cpu_caps.py), as if
   each ran on its own small machine, so that the instances' quota and not the shared cores is the bottleneck:
   whether the design lets throughput grow with instances. Skipped, with the reason, where cgroups are not
   writable.
2. The broadcast rate with replies interleaved: the fake server at Telegram's 30 messages/s (429 beyond), three
   instances at the default limits; a secretary's announcement to 600 members while 50 members log progress.
   Messages per second accepted while the announcement runs (replies and announcement together: one budget),
   against the limit, and the 429s.

Run: make bench-scale  (needs PostgreSQL: BENCH_SCALE_URL or TEST_DATABASE_URL, an expendable database; and caddy)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.cpu_caps import CpuCaps
from bench.doc import machine, percentile, replace_section
from bot.rate_budget import BudgetLimits
from storage.db import normalise_url
from storage.migrate import upgrade
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.scale_people import NOTE, Gateway, NoReply, TelegramPerson, announce, announcement_copies
from tests.scale_stack import (
    AUDIENCE,
    SECRETARY_CHAT,
    TALK,
    Cluster,
    add_commitments,
    collector_held,
    noon_zone,
    populate,
    telegram_chat,
)
from tests.support import _drop_everything

ROOT = Path(__file__).resolve().parent.parent
MARK_START, MARK_END = "<!-- bench:scale:start -->", "<!-- bench:scale:end -->"
WIDE_OPEN = {"TELEGRAM_MESSAGES_PER_SECOND": "1000", "TELEGRAM_PER_CHAT_SECONDS": "0", "REPLY_BURST": "20"}
# Updates each instance handles at once (deploy/README.md's value). With the default, 1, an instance handles the
# 500 chats' updates one at a time (150-280 ms each here): each reply waited behind ~460 others, 90-120 s, and
# past tests/scale_people.REPLY_WAIT (120 s) the run stopped with a reply "not come" that was only late.
INBOX_WORKERS = "8"
# The capped series: 3 instances at a quarter of a core leave 1.25 of the 2 cores to PostgreSQL, Caddy, the fakes and
# the simulated people, so the quota binds, not the machine. 200 chats keep every instance's 8 workers busy while a
# reply's wait behind the queue (chats / updates per second: ~35 s with one capped instance) stays far below 120 s.
CPU_SHARE = 0.25
CAPPED_TALKERS = 200


async def fresh_province(url: str, talkers: int, audience: int, zone: str) -> None:
    """An empty schema, then the cells of tests/scale_stack.py, and one commitment for every talker."""
    await _drop_everything(url)
    await asyncio.to_thread(upgrade, url)
    await populate(url, {AUDIENCE: (audience, 0), TALK: (talkers, 0)}, zone)
    await add_commitments(url, TALK, talkers)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def progress_cycle(person: TelegramPerson) -> None:
    await person.say("/capnhat", 1)
    await person.say("60", 1)
    await person.say(NOTE, 2)


async def load(cluster: Cluster, talkers: int) -> tuple[Gateway, float]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as http:
        gateway = Gateway(http, cluster.public)
        people = [TelegramPerson(gateway, cluster.telegram, telegram_chat(TALK, i)) for i in range(talkers)]
        started = time.monotonic()
        try:
            await asyncio.gather(*(progress_cycle(person) for person in people))
        except NoReply:
            print(explain(cluster, [person for person in people if person.stuck], started), flush=True)
            raise
        return gateway, time.monotonic() - started


def explain(cluster: Cluster, stuck: list[TelegramPerson], started: float) -> str:
    """What the fake Telegram server saw for each stuck chat (seconds since the load started)."""
    lines = []
    for person in stuck:
        lines.append(f"--- chat {person.chat}: {person.stuck}")
        for key, posted, acked in person.posted:
            lines.append(f"  posted {key} at {posted - started:.1f} s, acknowledged at {acked - started:.1f} s")
        for call in cluster.telegram.calls():
            if str(call["params"].get("chat_id")) == person.chat:
                text = str(call["params"].get("text", ""))[:50].replace("\n", " ")
                lines.append(f"  {call['method']} {call['status']} at {call['time'] - started:.1f} s: {text!r}")
    return "\n".join(lines)


def throughput(url: str, instances: int, talkers: int, workdir: Path, share: float = 0.0) -> dict[str, float]:
    """One run of the progress step; `share`: each instance held to that share of a core (0: free)."""
    zone = noon_zone()
    asyncio.run(fresh_province(url, talkers, 10, zone))
    with FakeTelegram() as telegram, FakeZalo() as zalo, CpuCaps(share or 1.0) as caps:
        settings = WIDE_OPEN | {"INBOX_WORKERS": INBOX_WORKERS}
        name = f"n{instances}" + (f"-cap{share:g}" if share else "")
        cluster = Cluster(workdir / name, url, telegram, zalo, zone, settings=settings)
        cluster.workdir.mkdir()
        groups = []
        try:
            for number in range(1, instances + 1):
                cluster.start_instance(number)
                if share:  # once it answers: started at full speed, held to the share for the load
                    groups.append(caps.cap(cluster.instances[number].proc.pid, f"{name}-{number}"))
            cluster.start_caddy()
            pids = [process.proc.pid for process in cluster.instances.values()]
            before = sum(cpu_seconds(pid) for pid in pids)
            gateway, wall = asyncio.run(load(cluster, talkers))
            cpu = sum(cpu_seconds(pid) for pid in pids) - before
            throttled = sum(caps.throttled(group) for group in groups) / len(groups) if groups else 0.0
        finally:
            cluster.stop()
    updates = len(gateway.acked)
    return {
        "share": share,
        "throttled": throttled,
        "instances": instances,
        "updates": updates,
        "rate": updates / wall,
        "p50": percentile(gateway.latencies, 0.5) * 1000,
        "p95": percentile(gateway.latencies, 0.95) * 1000,
        "cpu_ms": cpu / updates * 1000,
        "load": os.getloadavg()[0],
    }


async def broadcast_load(cluster: Cluster, talkers: int) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        gateway = Gateway(http, cluster.public)
        await announce(TelegramPerson(gateway, cluster.telegram, SECRETARY_CHAT))
        people = [TelegramPerson(gateway, cluster.telegram, telegram_chat(TALK, i)) for i in range(talkers)]
        await asyncio.gather(*(progress_cycle(person) for person in people))


def broadcast(url: str, audience: int, talkers: int, workdir: Path, log_level: str | None) -> dict[str, float]:
    zone = noon_zone()
    asyncio.run(fresh_province(url, talkers, audience, zone))
    with FakeTelegram() as telegram, FakeZalo() as zalo, collector_held():
        telegram.rate_limit_per_second = 30
        # The default INBOX_WORKERS (1), as recorded before: at 8, the replies' CPU on this 2-core machine took the
        # announcement from 0.74-0.82 of 30/s to 0.60-0.65 (two runs each, load 5-6.5)
        settings = {"LOG_LEVEL": log_level} if log_level else {}
        cluster = Cluster(workdir / "broadcast", url, telegram, zalo, zone, settings=settings)
        cluster.workdir.mkdir()
        try:
            for number in (1, 2, 3):
                cluster.start_instance(number)
            cluster.start_caddy()
            asyncio.run(broadcast_load(cluster, talkers))
            deadline = time.monotonic() + audience / 20 + 60
            while len(announced(telegram.calls())) < audience + 1:
                assert time.monotonic() < deadline, "the announcement did not finish"
                time.sleep(0.5)
            time.sleep(2)  # a copy sent twice would come within the sender's retry: counted below
        finally:
            cluster.stop()
        calls = telegram.calls()
        most = telegram.most_sent_in_any_window(1.0)
    ok = [c for c in calls if c["status"] == 200 and c["method"] == "sendMessage"]
    copies = announced(calls)
    marked = [c["time"] for c in copies]
    first, last = min(marked), max(marked)
    inside = [c for c in ok if first <= c["time"] <= last]
    rate = (len(inside) - 1) / (last - first)
    arrivals = sorted(c["time"] for c in inside)
    spacing = BudgetLimits().spacing
    holes = [b - a for a, b in itertools.pairwise(arrivals) if b - a > 2 * spacing]
    copy_ids = {id(c) for c in copies}  # the server's arrivals, kept in the folder for a closer look (--keep)
    sends = [c for c in calls if c["method"] == "sendMessage"]  # 429s too: [time from the first copy, ...]
    kept = [[round(c["time"] - first, 4), id(c) in copy_ids, c["status"], c["params"].get("chat_id")] for c in sends]
    (workdir / "broadcast" / "arrivals.json").write_text(json.dumps(kept))
    return {
        "most_in_1s": most,
        "holes": len(holes),  # gaps between arrivals longer than two slots
        "holes_s": sum(hole - spacing for hole in holes),  # the time they lost (beyond one slot each)
        "audience": audience + 1,
        "talkers": talkers,
        "sent": len(inside),
        "announced": len(copies),
        "twice": len(copies) - len({str(c["params"].get("chat_id")) for c in copies}),
        "rate": rate,
        "ratio": rate / 30,
        "429s": sum(1 for c in calls if c["status"] == 429),
        "load": os.getloadavg()[0],
    }


def announced(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls that delivered a copy of the announcement (the secretary's preview is not one)."""
    ok = [c for c in calls if c["status"] == 200 and c["method"] == "sendMessage"]
    copies = {id(params) for params in announcement_copies([c["params"] for c in ok], SECRETARY_CHAT)}
    return [c for c in ok if id(c["params"]) in copies]


def report(rows: list[dict[str, float]], cast: dict[str, float], command: str, skipped: str) -> str:
    lines = [
        MARK_START,
        f"Command: `{command}`, {time.strftime('%Y-%m-%d')}",
        f"Machine: {machine()}; PostgreSQL on the same machine; Caddy {caddy_version()}; "
        f"INBOX_WORKERS={INBOX_WORKERS} per instance "
        "for the throughput (the default, 1, for the broadcast)",
        "",
        "| each instance | instances | updates | updates/s | × one instance | p50 POST→reply | p95 POST→reply | "
        "CPU per update (instances) | periods throttled | load (1 min) after |",
        "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        one = next(other["rate"] for other in rows if other["share"] == row["share"])
        cap = f"{row['share']:g} of a core" if row["share"] else "free (2 shared cores)"
        throttled = f"{row['throttled']:.0%}" if row["share"] else "—"
        lines.append(
            f"| {cap} | {row['instances']:.0f} | {row['updates']:.0f} | {row['rate']:.1f} | {row['rate'] / one:.2f} | "
            f"{row['p50']:.0f} ms | {row['p95']:.0f} ms | {row['cpu_ms']:.1f} ms | {throttled} | {row['load']:.1f} |"
        )
    if skipped:
        lines += ["", f"The series with each instance held to a CPU share was skipped: {skipped}."]
    verdict = "met" if cast["ratio"] >= 0.95 and cast["429s"] == 0 and cast["twice"] == 0 else "NOT met"
    lines += [
        "",
        f"Broadcast with replies interleaved (3 instances, fake Telegram at 30 messages/s, 429 beyond): an "
        f"announcement to {cast['audience']:.0f} members while {cast['talkers']:.0f} members log progress; "
        f"{cast['sent']:.0f} messages accepted while it ran ({cast['announced']:.0f} of them the announcement, "
        f"{cast['twice']:.0f} to a member who had it already): "
        f"**{cast['rate']:.1f} messages/s = {cast['ratio']:.3f} of the limit, {cast['429s']:.0f} 429s** "
        f"(target ≥ 0.95, zero 429s: {verdict}); at most {cast['most_in_1s']:.0f} in any second at the server, "
        f"{cast['holes']:.0f} gaps longer than two slots ({cast['holes_s']:.2f} s lost); load (1 min) after "
        f"{cast['load']:.1f}.",
        MARK_END,
    ]
    return "\n".join(lines)


def caddy_version() -> str:
    done = subprocess.run(["caddy", "version"], capture_output=True, text=True, check=False)
    return done.stdout.split()[0] if done.stdout else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("BENCH_SCALE_URL") or os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--talkers", type=int, default=500)
    parser.add_argument("--audience", type=int, default=600)
    parser.add_argument("--instances", default="1,2,3")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the instances' folders (logs) in this new folder")
    parser.add_argument("--log-level", help="LOG_LEVEL of the instances (WARNING by default; DEBUG logs claims)")
    parser.add_argument("--no-broadcast", action="store_true", help="the throughput runs only")
    series = ("both", "free", "capped", "none")
    parser.add_argument("--series", choices=series, default="both", help="throughput: free, capped, both, none")
    parser.add_argument("--cpu-share", type=float, default=CPU_SHARE, help="the capped series: share of a core")
    parser.add_argument("--capped-talkers", type=int, default=CAPPED_TALKERS, help="the capped series' chats")
    args = parser.parse_args(argv)
    if not args.url or not args.url.startswith("postgresql"):
        print("bench-scale needs an expendable PostgreSQL database: BENCH_SCALE_URL=postgresql://...", file=sys.stderr)
        return 2
    args.url = normalise_url(args.url)  # postgresql://... as the help says: the asyncpg driver
    if args.log_level:
        WIDE_OPEN["LOG_LEVEL"] = args.log_level
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        rows, skipped = [], ""
        counts = [int(n) for n in args.instances.split(",")] if args.series != "none" else []
        if args.series in ("both", "free"):
            for n in counts:
                rows.append(throughput(args.url, n, args.talkers, folder))
                print(rows[-1], flush=True)
        if args.series in ("both", "capped"):
            skipped = CpuCaps(args.cpu_share).unavailable()
            if skipped:
                print(f"the capped series is skipped: {skipped}", flush=True)
            for n in [] if skipped else counts:
                rows.append(throughput(args.url, n, args.capped_talkers, folder, args.cpu_share))
                print(rows[-1], flush=True)
        if args.no_broadcast:
            return 0
        cast = broadcast(args.url, args.audience, 50, folder, args.log_level)
        print(cast, flush=True)
    command = (
        f"make bench-scale (python -m bench.scale --talkers {args.talkers} --audience {args.audience} "
        f"--cpu-share {args.cpu_share:g} --capped-talkers {args.capped_talkers})"
    )
    section = report(rows, cast, command, skipped)
    print(section)
    if args.no_write or args.series != "both":
        print("(not written into the document: --no-write, or not both series)")
    else:
        write_into(args.doc, section)
    return 0


def write_into(doc: Path, section: str) -> None:
    replace_section(doc, section, MARK_START, MARK_END, "## Several instances behind Caddy (issue 11)")


if __name__ == "__main__":
    sys.exit(main())
