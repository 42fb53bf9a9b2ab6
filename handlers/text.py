"""Text helpers: cleaning input, matching typed words, splitting long replies, Vietnamese formats."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache

# U+200D (zero-width joiner) is kept: it joins emoji such as 🧑‍🌾 (farmer); other invisibles go.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]+")


def clean(text: str | None) -> str:
    """NFC, no control characters, no trailing spaces on lines, no surrounding blank space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@lru_cache(maxsize=65_536)  # a paged list folds the same thousands of names on every page turn
def fold(text: str) -> str:
    """Lower case without diacritics, for matching what a user typed ("dang ky" == "Đăng ký")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# A typed number is an answer (a choice, a percent, a count, an id): more digits than this is never one, and
# int() refuses over 4,300 digits anyway (CPython's guard against quadratic conversion).
MAX_TYPED_DIGITS = 9


def typed_number(text: str) -> int | None:
    """The whole number a user typed: decimal digits of any script ("3", "٣", "３"); None for anything else,
    including "²", "①" and "1²" (str.isdigit() takes them but int() refuses them) and over-long numbers."""
    stripped = text.strip()
    if not stripped.isdecimal() or len(stripped) > MAX_TYPED_DIGITS:
        return None
    return int(stripped)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int, length: Callable[[str], int]) -> int:
    """How many characters of `line` fit in `limit`."""
    end = min(len(line), limit)
    while end > 1 and length(line[:end]) > limit:
        end -= 1
    return end


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Split on line boundaries into pieces of at most `limit` (as measured by `length`)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while length(line) > limit:  # a single over-long line: cut it hard
            if current:
                pieces.append(current)
                current = ""
            end = _cut(line, limit, length)
            pieces.append(line[:end])
            line = line[end:]
        candidate = f"{current}\n{line}" if current else line
        if length(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


@lru_cache(maxsize=4096)  # a page prints hundreds of dates, most of them the same few deadlines
def fmt_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def fmt_number(value: int) -> str:
    """'2.510': thousands grouped with a dot, as Vietnamese writes them."""
    return f"{value:,}".replace(",", ".")


def fmt_percent(part: int, whole: int) -> str:
    """'62,5%' with a Vietnamese decimal comma; '0%' of nothing."""
    if whole <= 0:
        return "0%"
    value = round(100 * part / whole, 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}%"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
