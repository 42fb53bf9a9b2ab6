"""Parsing what a member typed into checked values; failures raise InvalidInput with a clear message."""

from __future__ import annotations

import re
from datetime import date

from handlers.catalog import admin as a
from handlers.catalog import core as t
from handlers.services.errors import InvalidInput
from handlers.text import clean, fmt_date

FIRST_YEAR, LAST_YEAR = 2000, 2100  # of a theme or an annual cycle
CONTENT_MIN, CONTENT_MAX = 5, 1000
MEASURES_MIN, MEASURES_MAX = 3, 1000
NOTE_MAX = 1000

# dd/mm/yyyy, also d/m/yy and dd/mm (this year, or next year when that day has passed); / . - as separators
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*(?:[/.\-]\s*(\d{4}|\d{2})\s*)?$")
_FULL_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_PERCENT = re.compile(r"^\s*(-?\d{1,9})\s*%?\s*$")


def checked_text(raw: str | None, minimum: int, maximum: int) -> str:
    text = clean(raw)
    if not text:
        raise InvalidInput(t.TEXT_EMPTY)
    if len(text) < minimum:
        raise InvalidInput(t.TEXT_TOO_SHORT.format(minimum=minimum))
    if len(text) > maximum:
        raise InvalidInput(t.TEXT_TOO_LONG.format(length=len(text), maximum=maximum))
    return text


def checked_year(year: int) -> int:
    """The year of a theme or an annual cycle, as the operator gives it."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(a.YEAR_INVALID.format(year=year))
    return year


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
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is not None:
        years = [int(year_text) + (2000 if len(year_text) == 2 else 0)]
    else:  # "dd/mm": the next such day from today (29/02 may only exist next year)
        years = [today.year, today.year + 1]
    for year in years:
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if year_text is not None or value >= today:
            return checked_deadline_value(value, today)
    raise InvalidInput(t.DATE_INVALID.format(text=clean(raw)))


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


def past_day(raw: str | None, today: date, future: str, too_old: str) -> date:
    """A day that has happened, typed dd/mm/yyyy: a real day, not after today, not before 1 January of last year.
    `future` and `too_old` are the messages (with {today} and {limit}) for what the day is about."""
    match = _FULL_DATE.match(raw or "")
    if not match:
        raise InvalidInput(t.DATE_FORMAT)
    try:
        value = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        raise InvalidInput(t.DATE_INVALID.format(text=clean(raw))) from None
    return past_day_value(value, today, future, too_old)


def past_day_value(value: date, today: date, future: str, too_old: str) -> date:
    if value > today:
        raise InvalidInput(future.format(today=fmt_date(today)))
    earliest = date(today.year - 1, 1, 1)
    if value < earliest:
        raise InvalidInput(too_old.format(limit=fmt_date(earliest)))
    return value
