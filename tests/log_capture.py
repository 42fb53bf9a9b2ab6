"""The bot's own log set-up (bot/logs.py), writing into a buffer for one test; the test's logging is restored after."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from bot.logs import QUIET_LOGGERS, setup_logging


@contextmanager
def bot_log(level: str, secrets: Iterable[str] = ()) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    buffer = io.StringIO()
    setup_logging(level, secrets, stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(root_level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
