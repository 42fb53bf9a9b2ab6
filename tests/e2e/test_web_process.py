"""`lamtheo run --webhook` and `lamtheo webhook ...` as real processes against the fake platform servers.

The crash test uses the documented test hook LAMTHEO_TEST_EXIT_AFTER_ACK=1: the server SIGKILLs itself
right after it committed an update and sent the 200, before processing it. The next start processes it.
Every process runs in a temporary directory, so no `.env` of the repository is read.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from handlers.catalog import core as t
from handlers.catalog import web as w
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZalo
from tests.support import EXAMPLE_CSV, ROOT
from tests.web_support import SECRET, TELEGRAM_HEADER, ZALO_HEADER, telegram_text

LAMTHEO = ROOT / ".venv" / "bin" / "lamtheo"
PUBLIC = "https://bot.example.vn"
MEMBER, STRANGER = 6001, 6002
WAIT = 30.0  # generous: a loaded CI machine starts the process slowly; a passing run never waits it out
LISTENING = re.compile(r"webhook server listening on 127\.0\.0\.1:(\d+)")


@dataclass
class Site:
    workdir: Path
    telegram: FakeTelegram
    zalo: FakeZalo
    outputs: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.workdir / "lamtheo.db"

    def env(self, *, zalo: bool = False, **extra: str) -> dict[str, str]:
        ours = ("TELEGRAM_", "ZALO_", "WEBHOOK_", "DATABASE_URL", "DEMO_DATABASE_URL", "LOG_LEVEL", "LAMTHEO_")
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith(ours)}
        env.update(
            TELEGRAM_BOT_TOKEN=self.telegram.token,
            TELEGRAM_API_BASE_URL=self.telegram.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{self.database}",
            WEBHOOK_BASE_URL=PUBLIC,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT="0",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if zalo:
            env.update(ZALO_BOT_TOKEN=self.zalo.token, ZALO_API_BASE_URL=self.zalo.base_url)
        env.update(extra)
        return env

    def cli(self, *args: str, expect: int = 0, **env: Any) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(LAMTHEO), *args],
            cwd=self.workdir,
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=WAIT * 2,
            check=False,
        )
        self.outputs += [done.stdout, done.stderr]
        assert done.returncode == expect, f"lamtheo {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def assert_no_secrets_printed(self) -> None:
        for output in self.outputs:
            for secret in (SECRET, self.telegram.token.split(":", 1)[1], self.zalo.token.split(":", 1)[1]):
                assert secret not in output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("lamtheo-web")
    (workdir / ".env").write_text("", encoding="utf-8")
    with FakeTelegram() as telegram, FakeZalo() as zalo:
        yield Site(workdir, telegram, zalo)


class Server:
    """`lamtheo run --webhook` as a subprocess, its output in files (a full pipe could block it)."""

    def __init__(self, site: Site, name: str, **env: Any) -> None:
        self.out_path, self.err_path = site.workdir / f"{name}.out", site.workdir / f"{name}.err"
        self._out: IO[bytes] = self.out_path.open("wb")
        self._err: IO[bytes] = self.err_path.open("wb")
        self.proc = subprocess.Popen(
            [str(LAMTHEO), "run", "--webhook"],
            cwd=site.workdir,
            env=site.env(**env),
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
        )
        self.site = site
        self.port = self._wait_for_port()

    def output(self) -> str:
        return self.out_path.read_text("utf-8", "replace") + self.err_path.read_text("utf-8", "replace")

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = LISTENING.search(self.output())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited with {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"the server did not start listening:\n{self.output()}")

    def post(self, platform: str, payload: dict[str, Any], secret: str = SECRET) -> httpx.Response:
        header = TELEGRAM_HEADER if platform == "telegram" else ZALO_HEADER
        return httpx.post(
            f"http://127.0.0.1:{self.port}/webhook/{platform}",
            json=payload,
            headers={header: secret, "Connection": "close"},
            timeout=WAIT,
        )

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server did not stop within 10s of SIGTERM:\n{self.output()}") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._out.close()
        self._err.close()
        self.site.outputs.append(self.output())


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def test_an_update_acknowledged_right_before_a_crash_is_processed_after_restart(site: Site) -> None:
    site.cli("import-roster", str(EXAMPLE_CSV))
    [line] = [x for x in site.cli("invite", "--member", "DV001").stdout.splitlines() if x.startswith("DV001\t")]
    code = line.split("\t")[3]
    start = telegram_text(4100, MEMBER, f"/start {code}")

    crashing = Server(site, "crash", LAMTHEO_TEST_EXIT_AFTER_ACK="1")
    try:
        [registered] = site.telegram.wait_for_call("setWebhook", 1, WAIT)
        params = registered["params"]
        assert (params["url"], params["secret_token"]) == (f"{PUBLIC}/webhook/telegram", SECRET)
        assert params["allowed_updates"] == ["message", "callback_query"]
        assert crashing.post("telegram", start, secret="wrong").status_code == 403
        assert crashing.post("telegram", start).status_code == 200
        assert crashing.proc.wait(WAIT) == -signal.SIGKILL
    finally:
        crashing.close()
    key = f"{site.telegram.bot_id}:4100"
    [(stored_key, processed_at, attempts, payload)] = rows(
        site.database, "SELECT update_key, processed_at, attempts, payload FROM inbox_updates"
    )
    assert (stored_key, processed_at, attempts, json.loads(payload)) == (key, None, 0, start)
    assert rows(site.database, "SELECT count(*) FROM chat_accounts") == [(0,)]
    assert site.telegram.sent_messages(MEMBER) == []

    server = Server(site, "restart")
    try:
        sent = site.telegram.wait_for_sent(MEMBER, 2, WAIT)
        assert [m["text"] for m in sent] == [
            t.LINKED.format(name="Nguyễn Văn An", cell="Chi bộ thôn Đồng Tâm"),
            t.CONSENT_NOTICE,
        ]
        # Telegram redelivers the same update: acknowledged, not handled again; a later update still is
        assert server.post("telegram", start).status_code == 200
        assert server.post("telegram", telegram_text(4101, STRANGER, "xin chào")).status_code == 200
        assert [m["text"] for m in site.telegram.wait_for_sent(STRANGER, 1, WAIT)] == [t.STRANGER]
        health = httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=WAIT)
        assert health.status_code == 200
        key_file = site.workdir / "data" / "file-link.key"  # no FILE_LINK_KEY: generated at the first start
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert server.terminate() == 0
    finally:
        server.close()
    assert len(site.telegram.sent_messages(MEMBER)) == 2
    processed = rows(site.database, "SELECT update_key, processed_at IS NOT NULL, attempts, payload FROM inbox_updates")
    assert processed == [(key, 1, 1, "{}"), (f"{site.telegram.bot_id}:4101", 1, 1, "{}")]
    assert rows(site.database, "SELECT platform, external_id FROM chat_accounts") == [("telegram", str(MEMBER))]
    output = crashing.output() + server.output()
    assert w.WEBHOOK_RUNNING.split(" {")[0] in output
    assert "Traceback" not in output and code not in output and "xin chào" not in output
    site.assert_no_secrets_printed()
