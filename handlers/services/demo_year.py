"""A plausible year for the terminal demo, so that every leader's command shows something true to life: leaders
register first, members after; registrations approved, one returned, one still waiting; progress through the
months (some this month); a collective commitment, a model and a model following it; a study session; a contest;
an exemplar registered, proposed and commended, a cell proposed and waiting; a member paused for illness.

Everything goes through the services, as the people concerned, at moments spread from 1 January to now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import sample as sp
from handlers.services import commend_decisions as dec
from handlers.services import commendations as co
from handlers.services.activities import record_activity
from handlers.services.authz import Actor, load_actor
from handlers.services.collective import register_for_cell
from handlers.services.commitments import Draft, log_progress, register_commitment
from handlers.services.exemplars import register_exemplar
from handlers.services.preferences import pause_member
from handlers.services.replications import record_replication
from handlers.services.review import approve_registration, return_registration
from handlers.services.study import record_session
from handlers.text import fmt_date
from storage.enums import ActivityKind, CommendationForm, CommitmentKind, NomineeKind
from storage.uow import UnitOfWork

APPROVER = {"DV002": "DV003", "DV007": "DV008", "DV016": "DV017"}  # a secretary's own: the deputy approves it
CELL_SECRETARY = {"DV001": "DV002", "DV003": "DV002", "DV004": "DV002", "DV009": "DV007", "DV018": "DV016"}
PENDING = ("DV012", "DV013")  # left for /duyet
THIS_MONTH = ("DV001", "DV002", "DV004", "DV009")  # their last update is this month


class Year:
    """Moments from 1 January (08:00 local) to now, as fractions of the time passed."""

    def __init__(self, now: datetime, tz: ZoneInfo) -> None:
        self.now, self.tz = now, tz
        start = datetime.combine(date(now.astimezone(tz).year, 1, 1), time(8), tz).astimezone(UTC)
        self.start = start if now - start > timedelta(hours=2) else now - timedelta(hours=2)

    def at(self, fraction: float) -> datetime:
        return self.start + (self.now - timedelta(minutes=30) - self.start) * fraction

    def day(self, fraction: float) -> date:
        return self.at(fraction).astimezone(self.tz).date()


async def _actor(uow: UnitOfWork, code: str) -> Actor:
    member = await uow.members.by_code(code)
    assert member is not None, code  # the example roster
    return await load_actor(uow, member)


async def seed_year(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> bool:
    """Seed the year once, into a database where nobody has registered; the caller commits."""
    if await uow.commitments.any():
        return False
    year = Year(now, tz)
    ids = await _register(uow, year)
    await _review(uow, year, ids)
    await _cell_items(uow, year)
    await _progress(uow, year, ids)
    await _commend(uow, year, ids)
    nurse = await uow.members.by_code("DV006")
    assert nurse is not None
    until = year.day(1.0) + timedelta(weeks=sp.PAUSE_WEEKS)
    await pause_member(uow, await _actor(uow, "DV002"), nurse.id, fmt_date(until), year.day(0.95), year.at(0.95))
    return True


async def _register(uow: UnitOfWork, year: Year) -> dict[str, int]:
    ids = {}
    for n, (code, deed, measures, deadline) in enumerate(sp.REGISTRATIONS):
        fraction = 0.01 + 0.01 * n  # leaders first ("trên trước, dưới sau")
        today = year.day(fraction)
        due = date(today.year, 12, 31) if deadline == "year" else today + timedelta(days=60)
        actor = await _actor(uow, code)
        saved, _ = await register_commitment(uow, actor, Draft(deed, measures, due), today, year.at(fraction))
        ids[code] = saved.id
        if code == "DV001":
            await register_exemplar(uow, actor, NomineeKind.INDIVIDUAL, today.year, year.at(fraction))
    return ids


async def _review(uow: UnitOfWork, year: Year, ids: dict[str, int]) -> None:
    moment = year.at(0.12)
    for code, commitment_id in ids.items():
        if code in PENDING:
            continue
        if code == "DV005":
            await return_registration(uow, await _actor(uow, "DV002"), commitment_id, sp.RETURN_COMMENT, moment)
        else:
            reviewer = APPROVER.get(code) or CELL_SECRETARY[code]
            await approve_registration(uow, await _actor(uow, reviewer), commitment_id, moment)


async def _cell_items(uow: UnitOfWork, year: Year) -> None:
    ngoc, hung = await _actor(uow, "DV002"), await _actor(uow, "DV007")
    today = year.day(0.15)
    end = date(today.year, 12, 31)
    moment = year.at(0.15)
    await register_for_cell(uow, ngoc, CommitmentKind.COLLECTIVE, Draft(*sp.COLLECTIVE, end), today, moment)
    model, _, _ = await register_for_cell(uow, ngoc, CommitmentKind.MODEL, Draft(*sp.MODEL, end), today, moment)
    await register_exemplar(uow, ngoc, NomineeKind.COLLECTIVE, today.year, moment)
    later = year.day(0.25)
    follower, _, _ = await register_for_cell(
        uow, hung, CommitmentKind.MODEL, Draft(*sp.FOLLOWER_MODEL, end), later, year.at(0.25)
    )
    await record_replication(uow, hung, follower, model.id, None, year.at(0.25))
    attendees = [(await _actor(uow, code)).member_id for code in ("DV001", "DV002", "DV003", "DV004")]
    held_on = year.day(0.2)
    await record_session(uow, ngoc, held_on, sp.STUDY_TITLE, attendees, held_on, year.at(0.2))
    contest_day = year.day(0.5)
    await record_activity(
        uow, ngoc, ActivityKind.CONTEST, contest_day, sp.CONTEST, sp.CONTEST_PEOPLE, contest_day, year.at(0.5)
    )


async def _progress(uow: UnitOfWork, year: Year, ids: dict[str, int]) -> None:
    for code, percents, note in sp.PROGRESS:
        actor = await _actor(uow, code)
        for n, percent in enumerate(percents, start=1):
            last = n == len(percents)
            moment = year.now - timedelta(hours=2) if last and code in THIS_MONTH else year.at(0.3 + 0.6 * n / 4)
            await log_progress(uow, actor, ids[code], percent, note if last else None, moment)


async def _commend(uow: UnitOfWork, year: Year, ids: dict[str, int]) -> None:
    ngoc, staff = await _actor(uow, "DV002"), await _actor(uow, "DV025")
    an = await _actor(uow, "DV001")
    today, moment = year.day(0.88), year.at(0.88)
    proposal, _ = await co.propose(uow, ngoc, an.member_id, ids["DV001"], sp.COMMEND_ACCOUNT, today, moment, year.tz)
    decided_on, decided_at = year.day(0.9), year.at(0.9)
    await dec.commend(
        uow,
        staff,
        proposal.id,
        CommendationForm.PRAISE,
        sp.DECISION_NUMBER,
        decided_on,
        decided_on,
        decided_at,
        year.tz,
    )
    hung = await _actor(uow, "DV007")
    await co.propose(uow, hung, None, None, sp.UPWARD_ACCOUNT, year.day(0.92), year.at(0.92), year.tz)
