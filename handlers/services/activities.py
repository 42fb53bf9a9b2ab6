"""Activities beyond study sessions (/hoatdong): contests (hội thi), seminars (tọa đàm), writing contests and others
a cell held, with the number of participants. A cell's leaders record them; members see their cell's; committee
staff see how many cells of their subtree held one, and the participants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.services.authz import Actor, can_summarise
from handlers.services.collective import led_cell
from handlers.services.errors import Forbidden, InvalidInput
from handlers.services.honours import placement
from handlers.services.periods import year_of
from handlers.services.rollup import rollup
from handlers.services.validation import checked_text, past_day, past_day_value
from handlers.text import fmt_number
from storage.enums import ActivityKind
from storage.models import Activity, Unit
from storage.repo_honours import Honours
from storage.uow import UnitOfWork

TITLE_MIN, TITLE_MAX = 5, 500
PARTICIPANTS_MAX = 100_000
RECENT_DAYS, RECENT_LIMIT = 366, 10
# ASCII digits only ("²", "①" and "٣" are refused): 35, 2510, or grouped by thousands as 2.510, 2,510, 2 510
_COUNT = re.compile(r"^\s*([0-9]{1,3}(?:[., ][0-9]{3})+|[0-9]{1,9})\s*(?:người)?\s*$")


@dataclass(frozen=True)
class UnitActivities:
    name: str
    kind: str
    cells: int
    honours: Honours


@dataclass(frozen=True)
class CommitteeActivities:
    unit_name: str
    year: int
    cells: int
    totals: Honours
    lines: list[UnitActivities] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


def checked_kind(value: str | None) -> ActivityKind:
    try:
        return ActivityKind(value or "")
    except ValueError:
        raise InvalidInput(t.INVALID_CHOICE) from None


def checked_participants(raw: str | None) -> int:
    match = _COUNT.match(raw or "")
    return checked_count(int(re.sub(r"[., ]", "", match.group(1))) if match else 0)


def checked_count(value: int) -> int:
    if not 1 <= value <= PARTICIPANTS_MAX:
        raise InvalidInput(cm.PARTICIPANTS_INVALID.format(maximum=fmt_number(PARTICIPANTS_MAX)))
    return value


def checked_held_on(raw: str | None, today: date) -> date:
    return past_day(raw, today, cm.ACTIVITY_DATE_FUTURE, cm.ACTIVITY_DATE_TOO_OLD)


def checked_title(raw: str | None) -> str:
    return checked_text(raw, TITLE_MIN, TITLE_MAX)


async def activity_cell(uow: UnitOfWork, actor: Actor) -> Unit:
    """The cell whose activities the actor records (its secretary or deputy)."""
    cell = await led_cell(uow, actor)
    if cell is None:
        raise Forbidden(cm.ACTIVITY_FORBIDDEN)
    return cell


async def record_activity(
    uow: UnitOfWork,
    actor: Actor,
    kind: ActivityKind,
    held_on: date,
    title: str,
    participants: int,
    today: date,
    now: datetime,
) -> Activity:
    cell = await activity_cell(uow, actor)
    activity = Activity(
        unit_id=cell.id,
        kind=kind.value,
        held_on=past_day_value(held_on, today, cm.ACTIVITY_DATE_FUTURE, cm.ACTIVITY_DATE_TOO_OLD),
        title=checked_title(title),
        participants=checked_count(participants),
        recorded_by_member_id=actor.member_id,
        created_at=now,
    )
    await uow.honours.add(activity)
    return activity


async def cell_activities(uow: UnitOfWork, actor: Actor, today: date) -> tuple[Unit, list[Activity]]:
    """The recent activities of the actor's cell (the one they lead, or the one they belong to)."""
    cell = await led_cell(uow, actor)
    if cell is None and actor.cell_id is not None:
        cell = await uow.units.get(actor.cell_id)
    if cell is None:
        raise Forbidden(cm.ACTIVITY_NO_CELL)
    return cell, await uow.honours.recent_activities(cell.id, today - timedelta(days=RECENT_DAYS), RECENT_LIMIT)


async def committee_activities(uow: UnitOfWork, actor: Actor, now: datetime, tz: ZoneInfo) -> CommitteeActivities:
    """This year's activities in the actor's subtree: per child unit and in all, counted like the roll-up."""
    if not can_summarise(actor):
        raise Forbidden(cm.ACTIVITY_FORBIDDEN)
    today = now.astimezone(tz).date()
    summary = await rollup(uow, actor, year_of(today.year, tz), now, tz)
    place = await placement(uow, [cell.id for cell in summary.cells], summary.window)
    by_kind: dict[str, int] = {}
    for activity in await uow.honours.activities(today.year, summary.window.last_day):
        if place.of_unit(activity.unit_id) is not None:
            by_kind[activity.kind] = by_kind.get(activity.kind, 0) + 1
    lines = [UnitActivities(line.name, line.kind, line.figures.cells, line.honours) for line in summary.lines]
    return CommitteeActivities(summary.unit_name, today.year, len(summary.cells), summary.honours, lines, by_kind)
