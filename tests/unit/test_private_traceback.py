"""A logged exception keeps its type and stack but never its message, which may quote what a member typed."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from tests.log_capture import bot_log

TYPED = "Nguyễn Văn An 0900000001"


@pytest.fixture
def log_buffer() -> Iterator[io.StringIO]:
    with bot_log("DEBUG") as buffer:
        yield buffer


def parse(text: str) -> int:
    return int(text)


def test_an_exception_and_its_cause_are_logged_without_their_messages(log_buffer: io.StringIO) -> None:
    try:
        try:
            parse(TYPED)
        except ValueError as error:
            raise RuntimeError(f"could not read {TYPED!r}") from error
    except RuntimeError:
        logging.getLogger("lamtheo.test").exception("a step failed")
    logged = log_buffer.getvalue()
    assert TYPED not in logged
    assert "ERROR lamtheo.test: a step failed" in logged
    assert "ValueError (message withheld from the log)" in logged
    assert "RuntimeError (message withheld from the log)" in logged
    assert "in parse" in logged and "return int(text)" in logged  # where it happened stays


def test_the_chatty_libraries_stay_quiet_at_debug(log_buffer: io.StringIO) -> None:
    logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API endpoint `sendMessage` with %s", TYPED)
    logging.getLogger("sqlalchemy.engine.Engine").info("[parameters: (%r,)]", TYPED)
    logging.getLogger("aiosqlite").debug("executing %s", TYPED)
    logging.getLogger("bot.inbox").debug("our own debug line")
    assert log_buffer.getvalue().count("\n") == 1 and "our own debug line" in log_buffer.getvalue()
