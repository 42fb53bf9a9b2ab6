"""Study of the year's theme: a cell's leaders record a session and who attended; members confirm with a tap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.services.authz import Actor
from handlers.services.collective import led_cell
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.validation import checked_text, past_day, past_day_value
from handlers.text import fold
from storage.models import StudyAttendance, StudySession, Unit
from storage.repo_members import MemberName
from storage.uow import UnitOfWork

TITLE_MIN, TITLE_MAX = 5, 500
RECENT_DAYS = 366
RECENT_LIMIT = 5


@dataclass(frozen=True)
class SessionView:
    session_id: int
    held_on: date
    title: str
    attendees: int
    attended: bool


def checked_held_on(raw: str | None, today: date) -> date:
    """A session date dd/mm/yyyy: a real day, not in the future, not before the previous year."""
    return past_day(raw, today, rv.STUDY_DATE_FUTURE, rv.STUDY_DATE_TOO_OLD)


def checked_held_on_value(value: date, today: date) -> date:
    return past_day_value(value, today, rv.STUDY_DATE_FUTURE, rv.STUDY_DATE_TOO_OLD)


async def study_cell(uow: UnitOfWork, actor: Actor) -> Unit:
    """The cell whose sessions the actor records (its secretary or deputy)."""
    cell = await led_cell(uow, actor)
    if cell is None:
        raise Forbidden(rv.STUDY_FORBIDDEN)
    return cell


async def cell_roster(uow: UnitOfWork, actor: Actor) -> list[MemberName]:
    cell = await study_cell(uow, actor)
    members = await uow.members.names_in_cell(cell.id)
    return sorted(members, key=lambda member: (fold(member.full_name), member.code))  # "Đ" sorts with "D"


async def default_title(uow: UnitOfWork, year: int) -> str:
    theme = await uow.themes.get(year)
    return theme.title if theme is not None else rv.STUDY_DEFAULT_TITLE.format(year=year)


async def record_session(
    uow: UnitOfWork,
    actor: Actor,
    held_on: date,
    title: str,
    attendee_ids: Sequence[int],
    today: date,
    now: datetime,
) -> StudySession:
    """Save a session of the actor's cell; attendees must be active members of that cell."""
    cell = await study_cell(uow, actor)
    allowed = {member.id for member in await uow.members.in_cells([cell.id])}
    chosen = sorted(set(attendee_ids))
    if any(member_id not in allowed for member_id in chosen):
        raise InvalidInput(t.INVALID_CHOICE)
    session = StudySession(
        unit_id=cell.id,
        held_on=checked_held_on_value(held_on, today),
        title=checked_text(title, TITLE_MIN, TITLE_MAX),
        recorded_by_member_id=actor.member_id,
        created_at=now,
    )
    await uow.study.add(session, chosen)
    return session


async def sessions_for(uow: UnitOfWork, actor: Actor, unit_id: int, today: date) -> list[SessionView]:
    since = today - timedelta(days=RECENT_DAYS)
    sessions = await uow.study.recent(unit_id, since, RECENT_LIMIT)
    rows = await uow.study.attendance([s.id for s in sessions])
    views = []
    for s in sessions:
        present = [row for row in rows if row.session_id == s.id]
        mine = any(row.member_id == actor.member_id for row in present)  # recorded by the leader or confirmed
        views.append(SessionView(s.id, s.held_on, s.title, len(present), mine))
    return views


async def my_cell_sessions(uow: UnitOfWork, actor: Actor, today: date) -> list[SessionView]:
    if actor.cell_id is None:
        raise Forbidden(rv.STUDY_NO_CELL)
    return await sessions_for(uow, actor, actor.cell_id, today)


async def unconfirmed_count(uow: UnitOfWork, actor: Actor, today: date) -> int:
    if actor.cell_id is None:
        return 0
    return sum(1 for view in await sessions_for(uow, actor, actor.cell_id, today) if not view.attended)


async def confirm_attendance(uow: UnitOfWork, actor: Actor, session_id: int, now: datetime) -> StudySession:
    """The member says they attended a session of their own cell."""
    session = await uow.study.get(session_id)
    if session is None or actor.cell_id is None or session.unit_id != actor.cell_id:
        raise NotFound(rv.STUDY_SESSION_GONE)
    row = await uow.study.attendance_of(session.id, actor.member_id)
    if row is None:
        await uow.study.add_attendance(
            StudyAttendance(session_id=session.id, member_id=actor.member_id, confirmed_at=now, recorded_at=now)
        )
    elif row.confirmed_at is None:
        row.confirmed_at = now
    return session


async def study_stats(uow: UnitOfWork, cell_ids: Sequence[int], year: int) -> tuple[int, int]:
    """(members who attended a session of these cells in the year, cells that held at least one): for reports."""
    return await uow.study.stats(cell_ids, year)
