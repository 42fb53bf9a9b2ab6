"""Several `lamtheo run` processes on one database (issue 11), as real processes against FakeTelegram:
a second poller of the same bot refuses to start (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
and killing the instance that runs the singletons hands the role to another within 15 s (PostgreSQL).
Every process runs in a temporary directory, so no `.env` of the repository is read."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.catalog import web as w
from tests.fakes.fake_telegram import FakeTelegram
from tests.pg_scratch import scratch_postgres
from tests.processes import BotProcess
from tests.support import PG_URL
from tests.web_support import SECRET

BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
ROLE = "holding the singleton role"
HANDOVER_LIMIT_S = 15.0
OURS = ("TELEGRAM_", "ZALO_", "WEBHOOK_", "DATABASE_URL", "DEMO_DATABASE_URL", "LOG_LEVEL", "LAMTHEO_", "FILE_LINK")


def bot_env(fake: FakeTelegram, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(OURS)}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        DATABASE_URL=url,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def wait_for(process: BotProcess, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in process.output():
            return True
        if process.proc.poll() is not None:
            raise AssertionError(f"exited with {process.proc.returncode}:\n{process.output()}")
        time.sleep(0.05)
    return False


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'lamtheo.db'}"
        return
    with scratch_postgres("instances") as url:
        yield url


@pytest.mark.parametrize("database", BACKENDS, indirect=True)
def test_a_second_poller_of_the_same_bot_refuses_to_start(database: str, tmp_path: Path) -> None:
    with FakeTelegram() as fake:
        env = bot_env(fake, database)
        first = BotProcess(tmp_path, env, "first")
        try:
            assert wait_for(first, ROLE, 30), first.output()  # up and running
            second = BotProcess(tmp_path, env, "second")
            try:
                code = second.proc.wait(30)
            finally:
                second.kill()
            assert code != 0 and w.POLLER_ALREADY_RUNNING in second.output()
            assert first.proc.poll() is None  # the first goes on
            assert first.terminate() == 0
        finally:
            first.kill()
        third = BotProcess(tmp_path, env, "third")  # the guard went with the first process
        try:
            assert wait_for(third, ROLE, 30), third.output()
        finally:
            third.kill()
    assert fake.token.split(":", 1)[1] not in second.output()


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_killing_the_singleton_holder_hands_the_role_over_within_15_s(tmp_path: Path) -> None:
    with FakeTelegram() as fake, scratch_postgres("roles") as url:
        env = bot_env(
            fake,
            url,
            WEBHOOK_BASE_URL="https://bot.example.vn",
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT="0",
            FILE_LINK_KEY="k" * 40,
        )
        instances = [BotProcess(tmp_path, env, f"i{n}", ("run", "--webhook")) for n in range(2)]
        try:
            deadline = time.monotonic() + 60
            while not any(ROLE in one.output() for one in instances) and time.monotonic() < deadline:
                time.sleep(0.1)
            holders = [one for one in instances if ROLE in one.output()]
            assert len(holders) == 1, [one.output() for one in instances]
            time.sleep(6)  # the other has tried at least once more, and stays out
            assert [ROLE in one.output() for one in instances].count(True) == 1
            [holder], [other] = holders, [one for one in instances if one is not holders[0]]
            holder.kill()  # SIGKILL: no clean release
            started = time.monotonic()
            took_over = wait_for(other, ROLE, HANDOVER_LIMIT_S)
            elapsed = time.monotonic() - started
        finally:
            for one in instances:
                one.kill()
    assert took_over, other.output()
    print(f"singleton role handed over {elapsed:.1f} s after SIGKILL of its holder")
