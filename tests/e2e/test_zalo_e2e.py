"""End to end on Zalo over real HTTP: `lamtheo run` as a subprocess, polling the fake Zalo Bot API.

The operator imports the roster and prints invite codes with the CLI; the bot runs with only a Zalo token; a
member types the code (lower case, with a space), consents, registers, logs progress with a photo as evidence,
all choices by typed numbers; the cell's secretary reads the summary the same way. SIGTERM stops the bot
cleanly; a restart skips an update Zalo delivers again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.catalog import channels as c
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import reports as rp
from handlers.catalog import roster as ro
from tests.chat import EXEMPLAR_QUESTION
from tests.fakes.fake_zalo import FakeZalo
from tests.processes import BotProcess, run_cli
from tests.support import EXAMPLE_CSV, ROOT

LAMTHEO = ROOT / ".venv" / "bin" / "lamtheo"
MEMBER, SECRETARY = "z-5001", "z-5002"
WAIT = 15.0
YEAR = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
CONTENT = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
MEASURES = "Họp tổ dân cư, đến từng nhà hướng dẫn cách phân loại"
NOTE = "Đã có 3 hộ phân loại rác đều đặn"
PHOTO = "https://photo-stal.zadn.vn/e2e/evidence-1.jpg"
SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_BOT_USERNAME",
    "ZALO_BOT_TOKEN",
    "ZALO_API_BASE_URL",
    "ZALO_MONTHLY_QUOTA",
    "DATABASE_URL",
    "DEMO_DATABASE_URL",
    "TIMEZONE",
    "LOG_LEVEL",
    "WEBHOOK_BASE_URL",
    "WEBHOOK_SECRET",
)


@dataclass
class Operator:
    workdir: Path
    database: Path
    fake: FakeZalo
    codes: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
        env.update(
            ZALO_BOT_TOKEN=self.fake.token,
            ZALO_API_BASE_URL=self.fake.base_url,
            ZALO_MONTHLY_QUOTA="2000",
            DATABASE_URL=f"sqlite+aiosqlite:///{self.database}",
            TIMEZONE="Asia/Ho_Chi_Minh",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = run_cli(self.workdir, self.env(), *args, timeout=60)
        self.outputs += [done.stdout, done.stderr]
        return done


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as server:
        yield server


@pytest.fixture(scope="module")
def operator(fake: FakeZalo, tmp_path_factory: pytest.TempPathFactory) -> Operator:
    workdir = tmp_path_factory.mktemp("lamtheo-zalo-e2e")
    (workdir / ".env").write_text("", encoding="utf-8")
    op = Operator(workdir, workdir / "lamtheo.db", fake)
    assert ro.IMPORT_DONE in op.cli("import-roster", str(EXAMPLE_CSV)).stdout
    for code in ("DV001", "DV002"):
        printed = op.cli("invite", "--member", code).stdout
        [line] = [line for line in printed.splitlines() if line.startswith(f"{code}\t")]
        op.codes[code] = line.split("\t")[3]
    return op


class Bot(BotProcess):
    def __init__(self, operator: Operator, name: str) -> None:
        super().__init__(operator.workdir, operator.env(), name)

class Phone:
    """One Zalo user's private chat with the bot, through the fake server."""

    def __init__(self, fake: FakeZalo, user: str, bot: Bot) -> None:
        self.fake, self.user, self.bot = fake, user, bot
        self.seen = len(fake.sent(user))
        self.last: list[str] = []

    def _replies(self, count: int) -> list[str]:
        if self.bot.proc.poll() is not None:
            raise AssertionError(f"the bot exited with {self.bot.proc.returncode}:\n{self.bot.output()}")
        try:
            sent = self.fake.wait_for_sent(self.user, self.seen + count, WAIT)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot output ---\n{self.bot.output()}") from None
        new, self.seen = sent[self.seen :], len(sent)
        self.last = [str(m.get("text", "")) for m in new]
        return self.last

    def say(self, text: str, replies: int) -> list[str]:
        self.fake.push_text(self.user, text)
        return self._replies(replies)

    def photo(self, url: str, replies: int) -> list[str]:
        self.fake.push_image(self.user, url)
        return self._replies(replies)

    def number_of(self, label: str) -> str:
        for line in self.last[-1].split("\n"):
            number, dot, rest = line.partition(". ")
            if dot and number.isdigit() and rest == label:
                return number
        raise AssertionError(f"no numbered choice {label!r} in {self.last[-1]!r}")


def db_rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def link(phone: Phone, code: str, name: str) -> None:
    linked, notice = phone.say(f"{code[:4].lower()} {code[4:].lower()}", 2)
    assert linked == t.LINKED.format(name=name, cell="Chi bộ thôn Đồng Tâm")
    assert notice.startswith(t.CONSENT_NOTICE) and f"1. {t.CONSENT_YES}" in notice
    given, menu = phone.say(phone.number_of(t.CONSENT_YES), 2)
    assert given.startswith("Cảm ơn đồng chí. Sự đồng ý đã được ghi nhận lúc ")
    assert menu.startswith(t.MENU_PROMPT)


def test_member_and_secretary_on_zalo_typing_numbers(fake: FakeZalo, operator: Operator) -> None:
    for output in operator.outputs:
        assert fake.token not in output
    bot = Bot(operator, "run1")
    try:
        member = Phone(fake, MEMBER, bot)
        link(member, operator.codes["DV001"], "Nguyễn Văn An")
        assert member.say(member.number_of(t.MENU_REGISTER), 1)[0].startswith(t.ASK_CONTENT)
        assert member.say(CONTENT, 1)[0].startswith(t.ASK_MEASURES)
        assert member.say(MEASURES, 1)[0].startswith(t.ASK_DEADLINE)
        [exemplar] = member.say("1", 1)
        assert exemplar.startswith(EXEMPLAR_QUESTION)
        [confirm] = member.say(member.number_of(cm.EXEMPLAR_NO), 1)
        assert confirm.startswith("Xin đồng chí kiểm tra lại bản đăng ký") and CONTENT in confirm
        registered, menu = member.say(member.number_of(t.CONFIRM), 2)
        assert registered == t.REGISTERED.format(number=1, year=YEAR)

        [ask] = member.say(member.number_of(t.MENU_PROGRESS), 1)
        assert ask.startswith(t.ASK_PERCENT.format(content=CONTENT, percent=0))
        received, again = member.photo(PHOTO, 2)
        assert received == c.PHOTO_RECEIVED and again == ask
        assert member.say("60", 1)[0].startswith(t.ASK_NOTE)
        saved, attached, menu = member.say(NOTE, 3)
        assert saved.startswith(f"Đã ghi nhận tiến độ 60% cho nội dung «{CONTENT}» lúc ")
        assert attached == c.PHOTOS_ATTACHED.format(count=1)
        assert menu.startswith(t.MENU_PROMPT)

        secretary = Phone(fake, SECRETARY, bot)
        link(secretary, operator.codes["DV002"], "Trần Thị Bích Ngọc")
        summary, question = secretary.say(secretary.number_of(t.MENU_SUMMARY), 2)
        assert summary.startswith("Tổng hợp Chi bộ thôn Đồng Tâm — tháng ")  # this month's roll-up
        assert "Đã liên kết với bot: 2/6" in summary
        assert f"Cá nhân đã đăng ký năm {YEAR}: 1/6" in summary
        assert "Cập nhật trong kỳ: 1/1 (100%)" in summary
        assert question.startswith(rp.OTHER_PERIOD_ASK) and secretary.number_of(rp.DRILL_DONE) == "4"
        fake.wait_until_consumed(WAIT)
        assert bot.terminate() == 0
    finally:
        bot.kill()
    output = bot.output()
    assert c.RUNNING_ZALO in output
    assert fake.token not in output and fake.token.split(":", 1)[1] not in output
    for private in (CONTENT, MEASURES, NOTE, PHOTO):
        assert private not in output
    assert "Traceback" not in output and " ERROR " not in output
    assert all(len(m.get("text", "")) <= 2000 for m in fake.sent())

    assert db_rows(operator.database, "SELECT percent, note FROM progress_entries") == [(60, NOTE)]
    assert db_rows(operator.database, "SELECT platform, file_ref, progress_entry_id IS NOT NULL FROM evidence") == [
        ("zalo", PHOTO, 1)
    ]
    assert db_rows(operator.database, "SELECT platform, count(*) FROM chat_accounts GROUP BY platform") == [("zalo", 2)]
    [(month, counted)] = db_rows(operator.database, "SELECT month, sent FROM message_quota WHERE platform = 'zalo'")
    assert counted == len(fake.sent()) and month == datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")

    # ---- a restart: Zalo delivers an already handled message again, then a new one -------------------------------
    sent_before = len(fake.sent())
    already = fake.text_update(MEMBER, NOTE)
    already["message"]["message_id"] = _handled_message_id(operator.database, fake)
    fake.push_update(already)
    started = time.monotonic()
    bot = Bot(operator, "run2")
    try:
        member = Phone(fake, MEMBER, bot)
        help_text, menu = member.say("trogiup", 2)
        assert help_text.startswith(t.HELP_MEMBER) and menu.startswith(t.MENU_PROMPT)
        assert bot.terminate() == 0
    finally:
        bot.kill()
    assert len(fake.sent()) == sent_before + 2
    assert "duplicate update skipped" in bot.output()
    assert db_rows(operator.database, "SELECT count(*) FROM progress_entries") == [(1,)]
    assert time.monotonic() - started < 30


def _handled_message_id(database: Path, fake: FakeZalo) -> str:
    """The message id of an update the bot already handled (its key is in the update log)."""
    [(key,)] = db_rows(
        database, "SELECT update_key FROM processed_updates WHERE platform = 'zalo' ORDER BY update_key LIMIT 1"
    )
    assert str(key).startswith("msg")
    return str(key)


def test_telegram_and_zalo_from_one_process(fake: FakeZalo, operator: Operator) -> None:
    """Both tokens set: one `lamtheo run` answers on both platforms, and SIGTERM stops both."""
    from handlers.catalog import admin as a
    from tests.fakes.fake_telegram import FakeTelegram

    codes = {}
    for code in ("DV003", "DV004"):
        printed = operator.cli("invite", "--member", code).stdout
        [line] = [line for line in printed.splitlines() if line.startswith(f"{code}\t")]
        codes[code] = line.split("\t")[3]
    with FakeTelegram() as telegram:
        env = operator.env()
        env.update(TELEGRAM_BOT_TOKEN=telegram.token, TELEGRAM_API_BASE_URL=telegram.base_url)
        out = operator.workdir / "both.out"
        with out.open("wb") as sink:
            proc = subprocess.Popen(
                [str(LAMTHEO), "run"], cwd=operator.workdir, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
            )
            try:
                telegram.push_text(6003, f"/start {codes['DV003']}")
                fake.push_text("z-6004", codes["DV004"])
                tg_linked, tg_notice = (m["text"] for m in telegram.wait_for_sent(6003, 2, WAIT))
                zalo_linked, zalo_notice = (m["text"] for m in fake.wait_for_sent("z-6004", 2, WAIT))
                assert tg_linked.startswith("Xin chào đồng chí") and tg_notice == t.CONSENT_NOTICE
                assert zalo_linked.startswith("Xin chào đồng chí") and zalo_notice.startswith(t.CONSENT_NOTICE)
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(10) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(5)
    output = out.read_text("utf-8", "replace")
    assert a.RUNNING in output and c.RUNNING_ZALO in output
    assert "Traceback" not in output, output[-4000:]
    for secret in (fake.token, telegram.token.split(":", 1)[1]):
        assert secret not in output
    platforms = db_rows(operator.database, "SELECT platform FROM chat_accounts ORDER BY platform")
    assert ("telegram",) in platforms and ("zalo",) in platforms
