"""Report periods: this month, quarter or year, or a range of local dates, turned into UTC bounds.

A period is a half-open interval [start, end) of aware UTC datetimes: local midnight of the first day to
local midnight after the last day (Asia/Ho_Chi_Minh). Figures "at the period's end" are taken at
`min(end, now)` so a period still running is reported as of now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import reports as rp
from handlers.services.errors import InvalidInput
from handlers.text import fmt_date, fold

MAX_RANGE_DAYS = 3 * 366
_DAY = r"(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{4})"
_RANGE = re.compile(rf"^\s*{_DAY}\s*(?:-|–|—|đến|den|to)\s*{_DAY}\s*$")
_CLI_QUARTER = re.compile(r"^\s*(\d{4})\s*-\s*[qQ]([1-4])\s*$")
_CLI_MONTH = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,2})\s*$")
_CLI_YEAR = re.compile(r"^\s*(\d{4})\s*$")

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"
# Words a user may type after /tonghop (folded): "thang", "quy", "nam", and the English names.
KEYWORDS = {
    "thang": MONTH,
    "thang nay": MONTH,
    "month": MONTH,
    "quy": QUARTER,
    "quy nay": QUARTER,
    "quarter": QUARTER,
    "nam": YEAR,
    "nam nay": YEAR,
    "year": YEAR,
}


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | range
    first_day: date  # local
    last_day: date  # local, inclusive
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    @property
    def year(self) -> int:
        """The commitment year the period reports on: the year of its last day."""
        return self.last_day.year

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return rp.PERIOD_LABEL_MONTH.format(month=self.first_day.month, year=self.first_day.year)
        if self.kind == QUARTER:
            quarter = (self.first_day.month - 1) // 3 + 1
            return rp.PERIOD_LABEL_QUARTER.format(quarter=quarter, year=self.first_day.year)
        if self.kind == YEAR:
            return rp.PERIOD_LABEL_YEAR.format(year=self.first_day.year)
        return rp.PERIOD_LABEL_RANGE.format(start=fmt_date(self.first_day), end=fmt_date(self.last_day))

    def as_of(self, now: datetime) -> datetime:
        """The moment figures are taken at: the period's end, or now while it is still running."""
        return min(self.end, now)

    def as_of_day(self, now: datetime, tz: ZoneInfo) -> date:
        """The last local day the figures cover (today while the period is running)."""
        return min(self.last_day, now.astimezone(tz).date())

    def to_code(self) -> str:
        """A short text that `parse_code` turns back into this period (kept in dialog state)."""
        return f"{self.first_day.isoformat()}_{self.last_day.isoformat()}_{self.kind}"


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def make_period(kind: str, first: date, last: date, tz: ZoneInfo) -> Period:
    start, end = _bounds(first, last, tz)
    return Period(kind, first, last, start, end)


def month_of(day: date, tz: ZoneInfo) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return make_period(MONTH, first, following - timedelta(days=1), tz)


def quarter_of(day: date, tz: ZoneInfo) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    following = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return make_period(QUARTER, first, following - timedelta(days=1), tz)


def year_of(year: int, tz: ZoneInfo) -> Period:
    return make_period(YEAR, date(year, 1, 1), date(year, 12, 31), tz)


def current(kind: str, today: date, tz: ZoneInfo) -> Period:
    if kind == QUARTER:
        return quarter_of(today, tz)
    if kind == YEAR:
        return year_of(today.year, tz)
    return month_of(today, tz)


def _day(day: str, month: str, year: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput(rp.PERIOD_BAD_DATE.format(text=f"{int(day):02d}/{int(month):02d}/{year}")) from None


def parse_range(text: str, tz: ZoneInfo) -> Period | None:
    """'01/10/2026-31/10/2026' as a period; None if the text is not a range at all."""
    match = _RANGE.match(text)
    if not match:
        return None
    first, last = _day(*match.group(1, 2, 3)), _day(*match.group(4, 5, 6))
    if first > last:
        raise InvalidInput(rp.PERIOD_REVERSED.format(start=fmt_date(first), end=fmt_date(last)))
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(rp.PERIOD_TOO_LONG.format(days=MAX_RANGE_DAYS))
    return make_period(RANGE, first, last, tz)


def parse_chat(text: str, today: date, tz: ZoneInfo) -> Period:
    """What follows /tonghop: empty (this month), a keyword (quy, nam...) or a date range."""
    if not text.strip():
        return month_of(today, tz)
    kind = KEYWORDS.get(fold(text))
    if kind is not None:
        return current(kind, today, tz)
    found = parse_range(text, tz)
    if found is None:
        raise InvalidInput(rp.PERIOD_BAD_FORMAT)
    return found


def parse_cli(text: str, tz: ZoneInfo) -> Period:
    """The operator's forms: 2026, 2026-Q4, 2026-11, or a range dd/mm/yyyy-dd/mm/yyyy."""
    if match := _CLI_YEAR.match(text):
        return year_of(int(match.group(1)), tz)
    if match := _CLI_QUARTER.match(text):
        return quarter_of(date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1), tz)
    if match := _CLI_MONTH.match(text):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput(rp.CLI_PERIOD_BAD.format(text=text))
        return month_of(date(int(match.group(1)), month, 1), tz)
    found = parse_range(text, tz)
    if found is None:
        raise InvalidInput(rp.CLI_PERIOD_BAD.format(text=text))
    return found


def parse_code(code: str, tz: ZoneInfo) -> Period:
    """The inverse of Period.to_code (dialog state written by us; a damaged value is a bad input)."""
    try:
        first_text, last_text, kind = code.split("_")
        first, last = date.fromisoformat(first_text), date.fromisoformat(last_text)
    except ValueError:
        raise InvalidInput(rp.PERIOD_BAD_FORMAT) from None
    if first > last or kind not in (MONTH, QUARTER, YEAR, RANGE):
        raise InvalidInput(rp.PERIOD_BAD_FORMAT)
    return make_period(kind, first, last, tz)
