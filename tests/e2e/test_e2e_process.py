"""End to end over real HTTP: the installed `lamtheo` commands as subprocesses against FakeTelegram.

The operator imports the roster and prints invites; the bot runs (`lamtheo run`, long polling);
a member links, consents, registers and logs progress by typing and pressing buttons; the cell's
secretary reads the summary. The bot is then stopped with SIGTERM and restarted against a fresh
server that redelivers already handled updates: nothing is done or sent twice.

Every process runs in a temporary directory, so no `.env` of the repository is read
(pydantic-settings looks for `.env` relative to the working directory).
"""

from __future__ import annotations

import copy
import json
import os
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

from handlers.catalog import admin as a
from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import reports as rp
from handlers.catalog import roster as ro
from tests.fakes.fake_telegram import FakeTelegram, chat_object, command_entities, user_object
from tests.processes import BotProcess, run_cli
from tests.support import EXAMPLE_CSV, ROOT

LAMTHEO = ROOT / ".venv" / "bin" / "lamtheo"
MEMBER, SECRETARY = 5001, 5002
WAIT = 15.0
YEAR = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
CONTENT = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
MEASURES = "Họp tổ dân cư, đến từng nhà hướng dẫn cách phân loại"
NOTE = "Đã có 3 hộ phân loại rác đều đặn"
OUR_SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "TELEGRAM_BOT_USERNAME",
    "DATABASE_URL",
    "DEMO_DATABASE_URL",
    "TIMEZONE",
    "LOG_LEVEL",
)


def _env(fake: FakeTelegram, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in OUR_SETTINGS}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        TIMEZONE="Asia/Ho_Chi_Minh",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Operator:
    """The temporary working directory, its database and everything the CLI printed."""

    workdir: Path
    database: Path
    fake: FakeTelegram
    outputs: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    invite_lines: dict[str, str] = field(default_factory=dict)

    def env(self, fake: FakeTelegram | None = None) -> dict[str, str]:
        return _env(fake or self.fake, self.database)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = run_cli(self.workdir, self.env(), *args, timeout=WAIT)
        self.outputs += [done.stdout, done.stderr]
        return done


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def operator(fake: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Operator:
    workdir = tmp_path_factory.mktemp("lamtheo-e2e")
    (workdir / ".env").write_text("", encoding="utf-8")  # an empty .env here, none from the repo
    op = Operator(workdir, workdir / "lamtheo.db", fake)

    imported = op.cli("import-roster", str(EXAMPLE_CSV))
    assert ro.IMPORT_DONE in imported.stdout

    for code in ("DV001", "DV002"):
        printed = op.cli("invite", "--member", code).stdout
        [line] = [line for line in printed.splitlines() if line.startswith(f"{code}\t")]
        op.invite_lines[code] = line
        op.codes[code] = line.split("\t")[3]
    return op


def test_invite_lines_carry_the_code_and_the_bot_link(fake: FakeTelegram, operator: Operator) -> None:
    assert operator.database.is_file()
    line = operator.invite_lines["DV001"].split("\t")
    assert line[:3] == ["DV001", "Nguyễn Văn An", "Chi bộ thôn Đồng Tâm"]
    code = operator.codes["DV001"]
    assert len(code) == 8 and code.isalnum() and code.isupper()
    # the username comes from getMe against the fake server
    assert f"https://t.me/{fake.username}?start={code}" in operator.invite_lines["DV001"]
    assert f"https://t.me/{fake.username}?start={operator.codes['DV002']}" in operator.invite_lines["DV002"]
    assert operator.codes["DV001"] != operator.codes["DV002"]
    assert fake.calls("getMe"), "invite must ask Telegram for the bot's username"
    for output in operator.outputs:
        assert fake.token not in output
        assert fake.token.split(":", 1)[1] not in output


# ---- the running bot ------------------------------------------------------------------------------


class Bot(BotProcess):
    def __init__(self, operator: Operator, fake: FakeTelegram, name: str) -> None:
        super().__init__(operator.workdir, operator.env(fake), name)

class Chat:
    """One user's private chat with the bot through the fake server."""

    def __init__(self, fake: FakeTelegram, user: int, bot: Bot) -> None:
        self.fake, self.user, self.bot = fake, user, bot
        self.seen = len(fake.sent_messages(user))

    def _replies(self, count: int) -> list[dict[str, Any]]:
        if self.bot.proc.poll() is not None:
            raise AssertionError(f"the bot exited with {self.bot.proc.returncode}:\n{self.bot.output()}")
        try:
            sent = self.fake.wait_for_sent(self.user, self.seen + count, WAIT)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot output ---\n{self.bot.output()}") from None
        new, self.seen = sent[self.seen :], len(sent)
        return new

    def say(self, text: str, replies: int) -> list[str]:
        self.fake.push_text(self.user, text)
        return [m["text"] for m in self._replies(replies)]

    def press(self, label: str, replies: int) -> list[str]:
        self.fake.push_callback(self.user, self.data_of(label))
        return [m["text"] for m in self._replies(replies)]

    def buttons(self) -> list[tuple[str, str]]:
        last = self.fake.sent_messages(self.user)[-1]
        markup = last.get("reply_markup") or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]

    def data_of(self, label: str) -> str:
        for text, data in self.buttons():
            if text == label:
                return data
        raise AssertionError(f"no button {label!r} on the last message; buttons: {self.buttons()}")


def link_and_consent(fake: FakeTelegram, bot: Bot, user: int, code: str, name: str) -> Chat:
    chat = Chat(fake, user, bot)
    assert chat.say(f"/start {code}", 2) == [t.LINKED.format(name=name, cell="Chi bộ thôn Đồng Tâm"), t.CONSENT_NOTICE]
    buttons = chat.buttons()
    assert [label for label, _ in buttons] == [t.CONSENT_YES, t.CONSENT_NO]
    assert buttons[0][1].endswith("|yes") and buttons[1][1].endswith("|no")
    answered = len(fake.calls("answerCallbackQuery"))
    given, menu = chat.press(t.CONSENT_YES, 2)
    assert given.startswith("Cảm ơn đồng chí. Sự đồng ý đã được ghi nhận lúc ")
    assert menu == t.MENU_PROMPT
    assert len(fake.calls("answerCallbackQuery")) == answered + 1
    return chat


def raw_update(fake: FakeTelegram, predicate: Any) -> dict[str, Any]:
    """An update the bot already fetched from `fake` (as delivered), chosen by `predicate`."""
    for call in fake.calls("getUpdates"):
        for update in call["result"] or []:
            if predicate(update):
                return copy.deepcopy(update)
    raise AssertionError("no such update was delivered")


def db_rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def test_member_and_secretary_over_real_http(fake: FakeTelegram, operator: Operator) -> None:
    started = time.monotonic()
    bot = Bot(operator, fake, "run1")
    try:
        member = link_and_consent(fake, bot, MEMBER, operator.codes["DV001"], "Nguyễn Văn An")
        assert [label for label, _ in member.buttons()] == [
            t.MENU_REGISTER,
            t.MENU_PROGRESS,
            t.MENU_PLEDGES,
            t.MENU_HELP,
        ]
        # the bot set its command menu at start-up
        commands = fake.calls("setMyCommands")[-1]["params"]["commands"]
        commands = json.loads(commands) if isinstance(commands, str) else commands
        assert [(c["command"], c["description"]) for c in commands] == [tuple(c) for c in t.COMMAND_MENU]

        assert member.say("/dangky", 1) == [t.ASK_CONTENT]
        assert member.say(CONTENT, 1) == [t.ASK_MEASURES]
        assert member.say(MEASURES, 1) == [t.ASK_DEADLINE]
        deadline_label = member.buttons()[0][0]
        assert deadline_label.startswith("Cuối quý này (")
        [exemplar] = member.press(deadline_label, 1)
        assert exemplar == cm.ASK_EXEMPLAR_INDIVIDUAL.format(year=YEAR)
        [confirm] = member.press(cm.EXEMPLAR_NO, 1)
        assert confirm.startswith("Xin đồng chí kiểm tra lại bản đăng ký")
        assert CONTENT in confirm and MEASURES in confirm
        registered, menu = member.press(t.CONFIRM, 2)
        assert registered == t.REGISTERED.format(number=1, year=YEAR)
        assert menu == t.MENU_PROMPT

        [ask] = member.say("/capnhat", 1)
        assert ask == t.ASK_PERCENT.format(content=CONTENT, percent=0)
        assert member.say("60", 1) == [t.ASK_NOTE]
        saved, menu = member.say(NOTE, 2)
        assert saved.startswith(f"Đã ghi nhận tiến độ 60% cho nội dung «{CONTENT}» lúc ")
        assert menu == t.MENU_PROMPT

        secretary = link_and_consent(fake, bot, SECRETARY, operator.codes["DV002"], "Trần Thị Bích Ngọc")
        assert t.MENU_SUMMARY in [label for label, _ in secretary.buttons()]
        summary, question = secretary.say("/tonghop", 2)  # this month's roll-up, then the other periods
        assert summary.startswith("Tổng hợp Chi bộ thôn Đồng Tâm — tháng ")
        assert question == rp.OTHER_PERIOD_ASK
        assert rp.DRILL_DONE in [label for label, _ in secretary.buttons()]
        assert "Đã liên kết với bot: 2/6" in summary
        assert f"Cá nhân đã đăng ký năm {YEAR}: 1/6" in summary
        assert "Cập nhật trong kỳ: 1/1 (100%)" in summary
        not_registered = summary.split("Chưa đăng ký (5): ", 1)[1].split("\n", 1)[0]
        assert "Trần Thị Bích Ngọc" in not_registered and "Nguyễn Văn An" not in not_registered

        fake.wait_until_consumed(WAIT)
        assert bot.terminate() == 0
    finally:
        bot.kill()
    first_run = bot.output()
    assert a.RUNNING in first_run
    assert fake.token not in first_run and fake.token.split(":", 1)[1] not in first_run
    for private in (CONTENT, MEASURES, NOTE):  # what members type is never logged
        assert private not in first_run
    assert "Traceback" not in first_run and " ERROR " not in first_run

    assert db_rows(operator.database, "SELECT content, measures, percent FROM commitments") == [(CONTENT, MEASURES, 60)]
    assert db_rows(operator.database, "SELECT percent, note FROM progress_entries") == [(60, NOTE)]
    sent_before_restart = len(fake.sent_messages())

    # ---- restart on the same server: handled updates were acknowledged, nothing is re-sent ----
    gets_before_restart = len(fake.calls("getUpdates"))
    bot = Bot(operator, fake, "run2")
    try:
        member = Chat(fake, MEMBER, bot)
        [help_text, menu] = member.say("/trogiup", 2)
        assert help_text.startswith(t.HELP_MEMBER) and menu == t.MENU_PROMPT
        assert bot.terminate() == 0
    finally:
        bot.kill()
    assert len(fake.calls("getUpdates")) > gets_before_restart
    assert len(fake.sent_messages()) == sent_before_restart + 2  # the help and the menu, nothing else
    assert "duplicate update skipped" not in bot.output()

    # ---- restart again: a fresh server that redelivers two handled updates ----
    confirm_press = raw_update(
        fake, lambda u: "callback_query" in u and str(u["callback_query"].get("data", "")).endswith("|confirm")
    )
    note_message = raw_update(fake, lambda u: u.get("message", {}).get("text") == NOTE)
    with FakeTelegram(token=fake.token, username=fake.username) as fresh:
        fresh.push_update(confirm_press)
        fresh.push_update(note_message)
        later = max(confirm_press["update_id"], note_message["update_id"]) + 10_000
        message = {
            "message_id": 900,
            "date": int(time.time()),
            "chat": chat_object(MEMBER),
            "from": user_object(MEMBER),
            "text": "/camket",
            "entities": command_entities("/camket"),
        }
        fresh.push_update({"update_id": later, "message": message})
        bot = Bot(operator, fresh, "run3")
        try:
            chat = Chat(fresh, MEMBER, bot)
            listing, choose = chat._replies(2)
            fresh.wait_until_consumed(WAIT)
            assert bot.terminate() == 0
        finally:
            bot.kill()
        second_run = bot.output()
        # only /camket was answered: the redelivered press and note were recognised and skipped
        assert [m["text"] for m in fresh.sent_messages()] == [listing["text"], choose["text"]]
        assert listing["text"].startswith(t.PLEDGES_HEADER)
        assert listing["text"].count(CONTENT) == 1 and "Tiến độ 60%" in listing["text"]
        assert choose["text"] == t.PLEDGES_CHOOSE
        # a redelivered button press is still acknowledged, so the user's spinner stops
        assert [c["params"]["callback_query_id"] for c in fresh.calls("answerCallbackQuery")] == [
            confirm_press["callback_query"]["id"]
        ]
    assert second_run.count("duplicate update skipped") == 2
    assert fake.token not in second_run and fake.token.split(":", 1)[1] not in second_run
    assert db_rows(operator.database, "SELECT count(*) FROM commitments") == [(1,)]
    assert db_rows(operator.database, "SELECT count(*) FROM progress_entries") == [(1,)]
    assert time.monotonic() - started < 50, "the end-to-end run is far slower than expected"
