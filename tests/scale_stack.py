"""Several `lamtheo run --webhook` instances on one PostgreSQL behind the shipped deploy/Caddyfile, served by a
real Caddy, against the fake Telegram and Zalo servers of this process: the scale-out fault test
(tests/e2e/test_scale_out.py) and `make bench-scale` (bench/scale.py) both run on it.

Every process works in its own temporary folder (no `.env` of the repository is read); Caddy's admin endpoint is
off and its data folder is the temporary one, so nothing of a system Caddy is touched.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import httpx

from handlers.services.authz import load_actor
from handlers.services.commitments import Draft, register_commitment
from storage.db import create_engine, session_factory
from storage.enums import Role, UnitKind
from storage.models import ChatAccount, MeetingSchedule, Member
from storage.uow import UnitOfWork
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.processes import BotProcess
from tests.support import ROOT
from tests.web_support import SECRET

CADDYFILE = ROOT / "deploy" / "Caddyfile"
LINK_KEY = "scale-out-file-link-key-0123456789abcdef"
SECRETARY_CHAT = 809_999_999
START_WAIT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def noon_zone(now: datetime | None = None) -> str:
    """A fixed-offset zone where it is about noon now: outside everyone's quiet hours, whenever the test runs."""
    hours = 12 - (now or datetime.now(UTC)).hour
    return f"Etc/GMT{-hours:+d}"


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """While a measured run goes: what this process holds is frozen and its garbage collector waits.

    The fake servers stand for the platforms' own machines, which our process never stops. A full collection here
    (120-190 ms seen after the throughput series; 400 ms with a bigger heap) holds their request threads; the
    requests that arrived meanwhile are timestamped together when it ends, a burst the instances never sent, and
    one second later the rate limit counts 31 and answers 429 (seen: a 429 a second after each forced collection).
    A run allocates a few megabytes: nothing to collect for."""
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if not frozen:  # what was frozen before (by whom, it cannot tell) stays frozen
            gc.unfreeze()


def wait_healthy(url: str, timeout: float, alive: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"{url}: the process exited with {alive.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 within {timeout:g} s")


@dataclass
class Cluster:
    """The instances (by number), Caddy in front, the fakes behind; `url` is the PostgreSQL database."""

    workdir: Path
    url: str
    telegram: FakeTelegram
    zalo: FakeZalo
    zone: str
    settings: dict[str, str] = field(default_factory=dict)
    caddy_port: int = field(default_factory=free_port)
    ports: dict[int, int] = field(default_factory=dict)
    instances: dict[int, BotProcess] = field(default_factory=dict)
    caddy: subprocess.Popen[bytes] | None = None
    _caddy_log: IO[bytes] | None = None

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.caddy_port}"

    def env(self, instance: int) -> dict[str, str]:
        ours = ("TELEGRAM_", "ZALO_", "WEBHOOK_", "DATABASE_URL", "DEMO_DATABASE_URL", "LOG_LEVEL", "LAMTHEO_")
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith(ours)}
        env.update(
            TELEGRAM_BOT_TOKEN=self.telegram.token,
            TELEGRAM_API_BASE_URL=self.telegram.base_url,
            TELEGRAM_BOT_USERNAME=self.telegram.username,
            ZALO_BOT_TOKEN=self.zalo.token,
            ZALO_API_BASE_URL=self.zalo.base_url,
            DATABASE_URL=self.url,
            TIMEZONE=self.zone,
            WEBHOOK_BASE_URL=self.public,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(self.ports[instance]),
            FILE_LINK_KEY=LINK_KEY,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env | self.settings

    def start_instance(self, number: int, wait: bool = True) -> BotProcess:
        self.ports.setdefault(number, free_port())
        folder = self.workdir / f"instance-{number}"
        folder.mkdir(exist_ok=True)
        runs = len(list(folder.glob("run-*.out")))
        process = BotProcess(folder, self.env(number), f"run-{runs}", ("run", "--webhook"))
        self.instances[number] = process
        if wait:
            self.wait_instance(number)
        return process

    def wait_instance(self, number: int) -> None:
        process = self.instances[number]
        try:
            wait_healthy(f"http://127.0.0.1:{self.ports[number]}/healthz", START_WAIT, process.proc)
        except AssertionError as error:
            raise AssertionError(f"instance {number}: {error}\n{process.output()}") from None

    def kill_instance(self, number: int) -> None:
        """SIGKILL: no clean-up of any kind, as a crash or the OOM killer would."""
        self.instances[number].kill()

    def start_caddy(self) -> None:
        caddy = shutil.which("caddy")
        assert caddy is not None
        upstreams = " ".join(f"127.0.0.1:{port}" for _, port in sorted(self.ports.items()))
        home = self.workdir / "caddy"
        home.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home),
            "XDG_CONFIG_HOME": str(home),
            "LAMTHEO_SITE": self.public,
            "LAMTHEO_UPSTREAMS": upstreams,
            "LAMTHEO_CADDY_ADMIN": "off",
        }
        self._caddy_log = (self.workdir / "caddy.log").open("wb")
        self.caddy = subprocess.Popen(
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._caddy_log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(f"{self.public}/healthz", START_WAIT, self.caddy)

    def outputs(self) -> str:
        found = [path.read_text("utf-8", "replace") for path in sorted(self.workdir.glob("instance-*/run-*.*"))]
        return "\n".join(found)

    def stop(self) -> None:
        for process in self.instances.values():
            if process.proc.poll() is None:
                process.terminate(timeout=20)
            process.kill()
        if self.caddy is not None:
            self.caddy.terminate()
            self.caddy.wait(10)
        if self._caddy_log is not None:
            self._caddy_log.close()


@dataclass(frozen=True)
class Province:
    """What `populate` made: three cells (the announcement's audience with its secretary, the talkers, the
    reminded), each member linked on one platform; chat ids by `telegram_chat` and `zalo_chat`."""

    cells: dict[str, int]
    counts: dict[str, tuple[int, int]]  # cell -> (telegram members, zalo members)
    schedule_id: int


AUDIENCE, TALK, REMINDED = "audience", "talk", "reminded"
CELL_NAMES = {AUDIENCE: "Chi bộ thông báo", TALK: "Chi bộ hội thoại", REMINDED: "Chi bộ nhắc việc"}
FIRST_CHAT = {AUDIENCE: 810_000_000, TALK: 820_000_000, REMINDED: 830_000_000}


def telegram_chat(cell: str, index: int) -> int:
    return FIRST_CHAT[cell] + index


def zalo_chat(cell: str, index: int) -> str:
    return f"zalo-{cell}-{index:05d}"


async def populate(url: str, counts: dict[str, tuple[int, int]], zone: str) -> Province:
    """Consenting, linked members in the three cells (Telegram first, then Zalo), the audience's secretary on
    Telegram (SECRETARY_CHAT), and a meeting day of the reminded cell that puts a member reminder due an hour ago
    (the clock fires it at start)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    async with UnitOfWork(session_factory(engine)) as uow:
        session = uow.members.session
        cells = {key: (await uow.units.add(name, UnitKind.CELL, None, now)).id for key, name in CELL_NAMES.items()}
        people = [("S000000", Role.SECRETARY, cells[AUDIENCE], "telegram", str(SECRETARY_CHAT))]
        for key, (on_telegram, on_zalo) in counts.items():
            prefix = key[0].upper()
            people += [
                (f"{prefix}T{i:05d}", Role.MEMBER, cells[key], "telegram", str(telegram_chat(key, i)))
                for i in range(on_telegram)
            ]
            people += [
                (f"{prefix}Z{i:05d}", Role.MEMBER, cells[key], "zalo", zalo_chat(key, i)) for i in range(on_zalo)
            ]
        members = [
            Member(
                code=code,
                full_name=f"Đảng viên {code}",
                role=role.value,
                cell_id=cell_id,
                consent_at=now,
                created_at=now,
                updated_at=now,
            )
            for code, role, cell_id, _, _ in people
        ]
        members[0].scope_unit_id = cells[AUDIENCE]  # the secretary administers the audience's cell
        session.add_all(members)
        await session.flush()
        session.add_all(
            ChatAccount(platform=platform, external_id=external, member_id=member.id, linked_at=now, last_seen_at=now)
            for member, (_, _, _, platform, external) in zip(members, people, strict=True)
        )
        schedule = reminder_due_an_hour_ago(cells[REMINDED], now, zone)
        session.add(schedule)
        await session.flush()
        await uow.commit()
        found = Province(cells, counts, schedule.id)
    await engine.dispose()
    return found


async def add_commitments(url: str, cell: str, count: int) -> None:
    """One registered commitment for each of the first `count` Telegram members of `cell`."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    draft = Draft("Vận động các hộ phân loại rác tại nguồn", "Họp tổ, đến từng nhà", date(now.year, 12, 31))
    async with UnitOfWork(session_factory(engine)) as uow:
        members = await uow.members.by_codes(f"{cell[0].upper()}T{i:05d}" for i in range(count))
        for member in members.values():
            await register_commitment(uow, await load_actor(uow, member), draft, now.date(), now)
        await uow.commit()
    await engine.dispose()


def reminder_due_an_hour_ago(unit_id: int, now: datetime, zone: str) -> MeetingSchedule:
    """Meeting in 3 days on that day of the month, reminder 3 days before at the last full hour (local time)."""
    local = now.astimezone(ZoneInfo(zone))
    meeting = local.date() + timedelta(days=3)
    return MeetingSchedule(
        unit_id=unit_id,
        rule="monthday",
        day=meeting.day,
        remind_days_before=3,
        digest_days_before=1,
        send_hour=(local - timedelta(hours=1)).hour,
        active=True,
        updated_at=now - timedelta(hours=3),
    )
