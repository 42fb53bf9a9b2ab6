"""Logging: plain lines to stderr that never hold what members wrote, nor tokens, at any LOG_LEVEL.

- Libraries that log request bodies, URLs or rows at DEBUG (PTB logs every update and every sendMessage with
  its text; httpx puts the bot token in every URL; SQLAlchemy and aiosqlite log parameters and rows) are kept
  at WARNING, or INFO for PTB, whatever LOG_LEVEL says. Our own modules log at LOG_LEVEL.
- An exception is logged with its type and its stack (files, lines, code) but never its message: a message
  may quote a member's input ("invalid literal for int(): '…'") or a row's values (a unique violation's
  DETAIL). SQLite's and PostgreSQL's error codes stay, since they carry no data.
- Every record passes through a filter that blanks the known secrets anyway.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TextIO

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers kept at this level or above whatever LOG_LEVEL is (see the module's docstring).
QUIET_LOGGERS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "asyncpg": logging.WARNING,
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
}


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class PrivateFormatter(logging.Formatter):
    """The line format; exceptions as their type and stack, without their message."""

    def __init__(self) -> None:
        super().__init__(LINE_FORMAT)

    def formatException(  # logging's name
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        return private_traceback(ei[1]) if ei[1] is not None else ""


def private_traceback(error: BaseException) -> str:
    """Like traceback.format_exception, chained exceptions included, with each message left out."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for index, exc in enumerate(reversed(chain)):
        if index:
            parts.append("\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        parts.append(f"{describe(exc)} (message withheld from the log)\n")
    return "".join(parts).rstrip("\n")


def describe(error: BaseException) -> str:
    """The exception's type, with the database's error code when it has one (SQLITE_BUSY, 23505, …)."""
    name = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
    original = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    return f"{name} [{code}]" if isinstance(code, str) and code else name


def setup_logging(level: str, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """Log to `stream` (default: standard error) at `level`."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PrivateFormatter())
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
