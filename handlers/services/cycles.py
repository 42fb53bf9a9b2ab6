"""The annual cycle of a year as the operator sets it: the registration deadline, and the day self-assessment
opens (both dd/mm/yyyy, inside that year)."""

from __future__ import annotations

from datetime import date, datetime

from handlers.catalog import reminders as rc
from handlers.services.errors import InvalidInput
from handlers.services.validation import checked_year
from handlers.text import fmt_date
from storage.models import Cycle
from storage.uow import UnitOfWork


def parse_cycle_date(raw: str, year: int) -> date:
    try:
        value = datetime.strptime(raw.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise InvalidInput(rc.CYCLE_DATE_INVALID.format(text=raw)) from None
    if value.year != year:
        raise InvalidInput(rc.CYCLE_DATE_OTHER_YEAR.format(date=fmt_date(value), year=year))
    return value


async def set_cycle(
    uow: UnitOfWork, year: int, registration_deadline: str, self_assessment_from: str | None, now: datetime
) -> Cycle:
    """Check the year and the dates, then write the cycle; the caller commits."""
    checked_year(year)
    deadline = parse_cycle_date(registration_deadline, year)
    assessment = parse_cycle_date(self_assessment_from, year) if self_assessment_from else None
    return await uow.reminders.set_cycle(year, deadline, assessment, now)


async def cycle_of(uow: UnitOfWork, year: int) -> Cycle | None:
    return await uow.reminders.cycle(year)
