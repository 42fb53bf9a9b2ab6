"""Parsing what a member typed into checked values; failures raise InvalidInput with a clear message."""

from __future__ import annotations

import re
from datetime import date

from handlers.catalog import core as t
from handlers.services.errors import InvalidInput
from handlers.text import clean, fmt_date

CONTENT_MIN, CONTENT_MAX = 5, 1000
MEASURES_MIN, MEASURES_MAX = 3, 1000
NOTE_MAX = 1000

# dd/mm/yyyy, also d/m/yy and dd/mm (this year, or next year when that day has passed); / . - as separators
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*(?:[/.\-]\s*(\d{4}|\d{2})\s*)?$")
_PERCENT = re.compile(r"^\s*(-?\d+)\s*%?\s*$")


def checked_text(raw: str | None, minimum: int, maximum: int) -> str:
    text = clean(raw)
    if not text:
        raise InvalidInput(t.TEXT_EMPTY)
    if len(text) < minimum:
        raise InvalidInput(t.TEXT_TOO_SHORT.format(minimum=minimum))
    if len(text) > maximum:
        raise InvalidInput(t.TEXT_TOO_LONG.format(length=len(text), maximum=maximum))
    return text


def checked_percent(raw: str | None) -> int:
    match = _PERCENT.match(raw or "")
    if not match:
        raise InvalidInput(t.PERCENT_FORMAT)
    value = int(match.group(1))
    if not 0 <= value <= 100:
        raise InvalidInput(t.PERCENT_RANGE.format(value=value))
    return value


def latest_deadline(today: date) -> date:
    return date(today.year + 1, 12, 31)


def checked_deadline(raw: str | None, today: date) -> date:
    match = _DATE.match(raw or "")
    if not match:
        raise InvalidInput(t.DATE_FORMAT)
    day, month = int(match.group(1)), int(match.group(2))
    year_text = match.group(3)
    year = today.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        value = date(year, month, day)
        if year_text is None and value < today:
            value = date(year + 1, month, day)
    except ValueError:
        raise InvalidInput(t.DATE_INVALID.format(text=clean(raw))) from None
    return checked_deadline_value(value, today)


def checked_deadline_value(value: date, today: date) -> date:
    if value < today:
        raise InvalidInput(t.DATE_PAST.format(today=fmt_date(today)))
    if value > latest_deadline(today):
        raise InvalidInput(t.DATE_TOO_FAR.format(limit=fmt_date(latest_deadline(today))))
    return value


def end_of_quarter(today: date) -> date:
    last_month = ((today.month - 1) // 3 + 1) * 3
    next_first = date(today.year + 1, 1, 1) if last_month == 12 else date(today.year, last_month + 1, 1)
    return date.fromordinal(next_first.toordinal() - 1)


def end_of_year(today: date) -> date:
    return date(today.year, 12, 31)
