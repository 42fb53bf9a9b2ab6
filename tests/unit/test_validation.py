"""What a member types, read into checked values (handlers/services/validation.py).

Today is 23/11/2026: the latest allowed deadline is 31/12/2027. Errors are compared with the catalog.
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import core as t
from handlers.services.errors import InvalidInput
from handlers.services.validation import checked_deadline, checked_percent, end_of_quarter, end_of_year

TODAY = date(2026, 11, 23)
PAST = t.DATE_PAST.format(today="23/11/2026")
TOO_FAR = t.DATE_TOO_FAR.format(limit="31/12/2027")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/12/2026", date(2026, 12, 31)),
        ("23/11/2026", TODAY),  # today is allowed
        ("31/12/2027", date(2027, 12, 31)),  # the latest allowed
        ("31/12", date(2026, 12, 31)),  # day and month: this year...
        ("23/11", TODAY),
        ("1/3", date(2027, 3, 1)),  # ...or next year once that day has passed
        ("22/11", date(2027, 11, 22)),
        ("31/12/26", date(2026, 12, 31)),  # a two-digit year is 20yy
        ("1/1/27", date(2027, 1, 1)),
        ("5-1-2027", date(2027, 1, 5)),
        ("31.12.2026", date(2026, 12, 31)),
        (" 5 / 1 / 2027 ", date(2027, 1, 5)),
        ("05.01", date(2027, 1, 5)),
    ],
)
def test_deadlines_read(typed: str, expected: date) -> None:
    assert checked_deadline(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("29/02", t.DATE_INVALID.format(text="29/02")),  # neither 2026 nor 2027 has one
        ("31/02/2026", t.DATE_INVALID.format(text="31/02/2026")),
        ("31/11", t.DATE_INVALID.format(text="31/11")),
        ("00/12/2026", t.DATE_INVALID.format(text="00/12/2026")),
        ("12/13", t.DATE_INVALID.format(text="12/13")),
        ("30/11/25", PAST),
        ("22/11/2026", PAST),
        ("01/01/2028", TOO_FAR),
        ("29/02/2028", TOO_FAR),  # a real day, past the limit
        ("1/1/28", TOO_FAR),
        ("abc", t.DATE_FORMAT),
        ("", t.DATE_FORMAT),
        ("   ", t.DATE_FORMAT),
        (None, t.DATE_FORMAT),
        ("31", t.DATE_FORMAT),
        ("31/12/2", t.DATE_FORMAT),
        ("31/12/202", t.DATE_FORMAT),
        ("31/12/20266", t.DATE_FORMAT),
        ("2026-12-31", t.DATE_FORMAT),
        ("31/12/2026 10:00", t.DATE_FORMAT),
        ("cuối năm", t.DATE_FORMAT),  # the words are the deadline question's, not the date parser's
    ],
)
def test_deadlines_refused(typed: str | None, error: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_deadline(typed, TODAY)
    assert refused.value.message == error


def test_day_and_month_on_new_years_eve_and_day() -> None:
    assert checked_deadline("31/12", date(2026, 12, 31)) == date(2026, 12, 31)
    assert checked_deadline("30/12", date(2026, 12, 31)) == date(2027, 12, 30)
    assert checked_deadline("1/1", date(2027, 1, 1)) == date(2027, 1, 1)
    assert checked_deadline("29/02", date(2028, 1, 10)) == date(2028, 2, 29)  # a leap year
    assert checked_deadline("29/02", date(2027, 3, 1)) == date(2028, 2, 29)  # the next 29/02 is next year
    with pytest.raises(InvalidInput) as refused:  # 29/02/2028 passed, 2029 has none
        checked_deadline("29/02", date(2028, 3, 1))
    assert refused.value.message == t.DATE_INVALID.format(text="29/02")


@pytest.mark.parametrize(
    ("today", "quarter", "year"),
    [
        (date(2026, 2, 10), date(2026, 3, 31), date(2026, 12, 31)),
        (date(2026, 4, 1), date(2026, 6, 30), date(2026, 12, 31)),
        (date(2026, 9, 30), date(2026, 9, 30), date(2026, 12, 31)),
        (TODAY, date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_end_of_quarter_and_year(today: date, quarter: date, year: date) -> None:
    assert (end_of_quarter(today), end_of_year(today)) == (quarter, year)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("50", 50), ("50%", 50), (" 100 ", 100), ("0", 0), ("60 %", 60), ("007", 7)],
)
def test_percents_read(typed: str, expected: int) -> None:
    assert checked_percent(typed) == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("-5", t.PERCENT_RANGE.format(value=-5)),
        ("150", t.PERCENT_RANGE.format(value=150)),
        ("101", t.PERCENT_RANGE.format(value=101)),
        ("50.5", t.PERCENT_FORMAT),
        ("50,5", t.PERCENT_FORMAT),
        ("", t.PERCENT_FORMAT),
        (None, t.PERCENT_FORMAT),
        ("%", t.PERCENT_FORMAT),
        ("năm mươi", t.PERCENT_FORMAT),
    ],
)
def test_percents_refused(typed: str | None, error: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_percent(typed)
    assert refused.value.message == error
