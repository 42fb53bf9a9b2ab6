"""Report periods: local calendar periods as UTC bounds, typed ranges, and the operator's forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.catalog import reports as rp
from handlers.services.errors import InvalidInput
from handlers.services.periods import (
    current,
    month_of,
    parse_chat,
    parse_cli,
    parse_code,
    parse_range,
    quarter_of,
    year_of,
)
from tests.support import TZ

TODAY = date(2026, 11, 23)


def test_month_is_local_midnight_to_local_midnight_in_utc() -> None:
    period = month_of(TODAY, TZ)
    assert (period.first_day, period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 00:00 on 01/11 in Hà Nội
    assert period.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert period.label == "tháng 11/2026"
    assert month_of(date(2026, 2, 10), TZ).last_day == date(2026, 2, 28)
    assert month_of(date(2028, 2, 10), TZ).last_day == date(2028, 2, 29)
    assert month_of(date(2026, 12, 31), TZ).last_day == date(2026, 12, 31)


def test_quarter_and_year() -> None:
    quarter = quarter_of(TODAY, TZ)
    assert (quarter.first_day, quarter.last_day, quarter.label) == (date(2026, 10, 1), date(2026, 12, 31), "quý 4/2026")
    assert quarter_of(date(2026, 5, 5), TZ).first_day == date(2026, 4, 1)
    assert quarter_of(date(2026, 3, 31), TZ).last_day == date(2026, 3, 31)
    year = year_of(2026, TZ)
    assert year.start == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert year.end == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert year.label == "năm 2026"
    assert current("year", TODAY, TZ) == year


def test_a_running_period_is_counted_as_of_now() -> None:
    period = month_of(TODAY, TZ)
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert period.as_of(now) == now
    assert period.as_of_day(now, TZ) == TODAY
    past = month_of(date(2026, 10, 5), TZ)
    assert past.as_of(now) == past.end
    assert past.as_of_day(now, TZ) == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "month"),
        ("thang", "month"),
        ("Tháng này", "month"),
        ("quy", "quarter"),
        ("QUÝ", "quarter"),
        ("nam", "year"),
        ("Năm nay", "year"),
    ],
)
def test_chat_keywords(text: str, kind: str) -> None:
    assert parse_chat(text, TODAY, TZ).kind == kind


def test_ranges() -> None:
    period = parse_chat("01/10/2026-31/10/2026", TODAY, TZ)
    assert (period.kind, period.first_day, period.last_day) == ("range", date(2026, 10, 1), date(2026, 10, 31))
    assert period.label == "từ 01/10/2026 đến 31/10/2026"
    assert period.year == 2026
    spaced = parse_range(" 1/9/2026 – 15/9/2026 ", TZ)
    assert spaced is not None and spaced.last_day == date(2026, 9, 15)
    one_day = parse_range("05/11/2026-05/11/2026", TZ)
    assert one_day is not None and (one_day.end - one_day.start).days == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2026-15/03/2026", rp.PERIOD_BAD_DATE.format(text="31/02/2026")),
        ("01/01/2026-31/02/2026", rp.PERIOD_BAD_DATE.format(text="31/02/2026")),
        ("31/10/2026-01/10/2026", rp.PERIOD_REVERSED.format(start="31/10/2026", end="01/10/2026")),
        ("01/01/2020-01/01/2026", rp.PERIOD_TOO_LONG.format(days=3 * 366)),
        ("hôm qua", rp.PERIOD_BAD_FORMAT),
        ("<b>x</b>", rp.PERIOD_BAD_FORMAT),
        ("🎉" * 50, rp.PERIOD_BAD_FORMAT),
        ("1" * 5000, rp.PERIOD_BAD_FORMAT),
    ],
)
def test_bad_ranges_are_refused_politely(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_chat(text, TODAY, TZ)
    assert refused.value.message == message


def test_operator_forms() -> None:
    assert parse_cli("2026", TZ) == year_of(2026, TZ)
    assert parse_cli("2026-Q4", TZ) == quarter_of(date(2026, 10, 1), TZ)
    assert parse_cli("2026-q1", TZ).last_day == date(2026, 3, 31)
    assert parse_cli("2026-11", TZ) == month_of(date(2026, 11, 1), TZ)
    assert parse_cli("01/10/2026-31/10/2026", TZ).kind == "range"
    for bad in ("2026-13", "2026-Q5", "26", "31/02/2026-01/03/2026", "tháng 11"):
        with pytest.raises(InvalidInput):
            parse_cli(bad, TZ)


def test_code_round_trip() -> None:
    for period in (month_of(TODAY, TZ), quarter_of(TODAY, TZ), parse_cli("01/10/2026-31/10/2026", TZ)):
        assert parse_code(period.to_code(), TZ) == period
    for damaged in ("", "x_y_z", "2026-11-30_2026-11-01_month", "2026-11-01_2026-11-30_week"):
        with pytest.raises(InvalidInput):
            parse_code(damaged, TZ)
