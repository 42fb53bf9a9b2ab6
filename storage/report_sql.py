"""What a report counts, as SQL: the `Window` of a report and the statements and expressions built for it.
Nothing runs here; `storage/repo_reports.py` executes them and adds the rows up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import CompoundSelect

from storage.enums import CommitmentKind, CommitmentStatus, Platform
from storage.models import (
    ChatAccount,
    Commitment,
    Evidence,
    Member,
    MemberMove,
    ProgressEntry,
    StudyAttendance,
    StudySession,
)

SESSIONS_HELD = "sessions_held"  # a row kind of `unit_figures`, beside the commitment kinds
CAME_BACK = "came_back"  # members moved since the window's end from the cells named by IDS
IDS = "ids"  # the bound list of ids of the statements built once per window (`lookup`)
BUILT_WINDOWS = 64  # windows whose statements are kept (a day's views use a few)


@dataclass(frozen=True)
class Window:
    """What a report counts: commitments of `year`, progress in [start, end), the state at `end`."""

    year: int
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive: the period's end
    last_day: date  # the last local day counted (today while the period runs): pauses and deadlines are dates
    # The period is still running: nothing is later than now, so every row written so far counts and current
    # percentages are those at the end. A running window is thus the same from one moment to the next of a day
    # (the per-cell cache keys on it: handlers/services/cell_figures.py).
    running: bool = False


# --- who and what counts -----------------------------------------------------------------------------------------
def moved_since(at: datetime) -> Select[Any]:
    return select(MemberMove.member_id).where(MemberMove.moved_at >= at)


def in_scope(window: Window) -> ColumnElement[bool]:
    return and_(
        Member.active.is_(True),
        Member.exempt.is_(False),
        or_(Member.paused_until.is_(None), Member.paused_until < window.last_day),
    )


def counted(window: Window) -> ColumnElement[bool]:
    return and_(
        Commitment.year == window.year,
        Commitment.status == CommitmentStatus.ACTIVE.value,
        Commitment.withdrawn_at.is_(None),
        Commitment.created_at < window.end,
    )


def percent_at(end: datetime, running: bool = False) -> ColumnElement[int]:
    """The commitment's percent at `end`: its current one unless it was updated afterwards."""
    if running:
        return Commitment.percent.expression
    latest = (
        select(ProgressEntry.percent)
        .where(ProgressEntry.commitment_id == Commitment.id, ProgressEntry.created_at < end)
        .order_by(ProgressEntry.created_at.desc(), ProgressEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    current = or_(Commitment.last_progress_at.is_(None), Commitment.last_progress_at < end)
    return case((current, Commitment.percent), else_=func.coalesce(latest, 0))


def updated_in(window: Window) -> ColumnElement[int]:
    """1 if the commitment has a progress entry in [start, end); the entries are read only when needed."""
    last = Commitment.last_progress_at
    if window.running:
        return case((last >= window.start, 1), else_=0)
    entry = exists().where(
        ProgressEntry.commitment_id == Commitment.id,
        ProgressEntry.created_at >= window.start,
        ProgressEntry.created_at < window.end,
    )
    return case(
        (or_(last.is_(None), last < window.start), 0),
        (last < window.end, 1),
        (entry, 1),
        else_=0,
    )


# --- members' figures --------------------------------------------------------------------------------------------
def member_columns(window: Window) -> list[ColumnElement[Any]]:
    """members, linked, unreachable, studied, over the rows of `members`."""
    # One probe of a member's accounts says all: NULL without one (other than the console), 1 when every
    # one blocked the bot, 0 otherwise.
    accounts = (
        select(func.min(case((ChatAccount.blocked_at.is_(None), 0), else_=1)))
        .where(ChatAccount.member_id == Member.id, ChatAccount.platform != Platform.CONSOLE.value)
        .scalar_subquery()
    )
    attended = exists().where(
        StudyAttendance.member_id == Member.id,
        StudySession.id == StudyAttendance.session_id,
        StudySession.held_on >= date(window.year, 1, 1),
        StudySession.held_on <= window.last_day,
    )
    return [
        func.count(),
        func.count().filter(and_(Member.consent_at.is_not(None), accounts.is_not(None))),
        func.count().filter(accounts == 1),
        func.count().filter(attended),
    ]


def account_counts_scan(key: Any, where: ColumnElement[bool]) -> Select[Any]:
    accounts = (
        select(
            ChatAccount.member_id.label("mid"),
            func.count().label("n"),
            func.count(ChatAccount.blocked_at).label("blocked"),
        )
        .where(ChatAccount.platform != Platform.CONSOLE.value)
        .group_by(ChatAccount.member_id)
        .subquery()
    )
    return (
        select(
            key,
            func.count().filter(Member.consent_at.is_not(None)),
            func.count().filter(accounts.c.n == accounts.c.blocked),
        )
        .select_from(accounts)
        .join(Member, Member.id == accounts.c.mid)
        .where(where)
        .group_by(key)
    )


def study_counts_scan(key: Any, where: ColumnElement[bool], window: Window) -> Select[Any]:
    attended = (
        select(StudyAttendance.member_id.label("mid"))
        .join(StudySession, StudySession.id == StudyAttendance.session_id)
        .where(StudySession.held_on >= date(window.year, 1, 1), StudySession.held_on <= window.last_day)
        .distinct()
        .subquery()
    )
    return (
        select(key, func.count())
        .select_from(attended)
        .join(Member, Member.id == attended.c.mid)
        .where(where)
        .group_by(key)
    )


def member_and_commitment_counts(key: Any, where: ColumnElement[bool], window: Window) -> Select[Any]:
    """The member counts and the commitment counts in one statement: each member's commitments are
    aggregated through the index on commitments(member_id, ...), then joined to them."""
    per_member = (
        select(Commitment.member_id.label("mid"), *_per_member(window))
        .where(
            Commitment.member_id.in_(select(Member.id).where(where)),
            counted(window),
            Commitment.kind == CommitmentKind.INDIVIDUAL.value,
        )
        .group_by(Commitment.member_id)
        .subquery()
    )
    return (
        select(key, *member_columns(window), *_member_totals(per_member, window))
        .select_from(Member)
        .outerjoin(per_member, per_member.c.mid == Member.id)
        .where(where)
        .group_by(key)
    )


def commitment_counts_scan(key: Any, where: ColumnElement[bool], window: Window) -> Select[Any]:
    per_member = (
        select(Commitment.member_id.label("mid"), *_per_member(window))
        .where(counted(window), Commitment.kind == CommitmentKind.INDIVIDUAL.value)
        .group_by(Commitment.member_id)
        .subquery()
    )
    return (
        select(key, *_member_totals(per_member, window))
        .select_from(per_member)
        .join(Member, Member.id == per_member.c.mid)
        .where(where)
        .group_by(key)
    )


def _per_member(window: Window) -> list[ColumnElement[Any]]:
    """One member's commitments in as few aggregates as SQL allows (each costs a call per row on 300,000
    rows): all done is the lowest percent at 100; updated, while the period runs, is the latest update."""
    percent = percent_at(window.end, window.running)
    late = and_(Commitment.deadline < window.last_day, percent < 100)
    updated = Commitment.last_progress_at if window.running else updated_in(window)
    return [
        func.count().label("n"),
        func.min(percent).label("low"),
        func.count().filter(late).label("behind"),
        func.max(updated).label("updated"),
    ]


def _member_totals(per_member: Any, window: Window) -> list[ColumnElement[Any]]:
    """registered, updated, completed, commitments, behind: summed over the members of a group."""
    c = per_member.c
    updated = c.updated >= window.start if window.running else c.updated == 1
    return [
        func.count(c.mid),
        func.count().filter(updated),
        func.count().filter(c.low >= 100),
        func.sum(c.n),
        func.sum(c.behind),
    ]


# --- what belongs to the cell itself -----------------------------------------------------------------------------
def unit_figures(chunk: Sequence[int] | Any | None, window: Window) -> CompoundSelect[Any]:
    """(unit, kind, count, behind) of collective commitments and models, and study sessions held as rows of
    kind SESSIONS_HELD, for the units of `chunk` (None: every unit)."""
    percent = percent_at(window.end, window.running)
    behind = case((and_(Commitment.deadline < window.last_day, percent < 100), 1), else_=0)
    kinds = (CommitmentKind.COLLECTIVE.value, CommitmentKind.MODEL.value)
    of_cells = Commitment.unit_id.is_not(None) if chunk is None else Commitment.unit_id.in_(chunk)
    owned = (
        select(Commitment.unit_id, Commitment.kind, func.count(), func.sum(behind))
        .where(of_cells, Commitment.kind.in_(kinds), counted(window))
        .group_by(Commitment.unit_id, Commitment.kind)
    )
    held = (
        select(StudySession.unit_id, literal(SESSIONS_HELD), func.count(), literal(0))
        .where(
            StudySession.unit_id.is_not(None) if chunk is None else StudySession.unit_id.in_(chunk),
            StudySession.held_on >= date(window.year, 1, 1),
            StudySession.held_on <= window.last_day,
        )
        .group_by(StudySession.unit_id)
    )
    return union_all(owned, held)


def commitment_lines(where: ColumnElement[bool], window: Window, owner: Any, photos: bool = False) -> Select[Any]:
    """owner, id, kind, content, deadline, percent and last update at the window's end, review state (as of now)
    and, with `photos`, whether a photo is attached (else false), of each commitment."""
    last_before = (
        select(func.max(ProgressEntry.created_at))
        .where(ProgressEntry.commitment_id == Commitment.id, ProgressEntry.created_at < window.end)
        .scalar_subquery()
    )
    current = or_(Commitment.last_progress_at.is_(None), Commitment.last_progress_at < window.end)
    return (
        select(
            owner,
            Commitment.id,
            Commitment.kind,
            Commitment.content,
            Commitment.deadline,
            percent_at(window.end, window.running),
            case((current, Commitment.last_progress_at), else_=last_before),
            Commitment.review_state,
            exists().where(Evidence.commitment_id == Commitment.id) if photos else false(),
        )
        .where(where, counted(window))
        .order_by(Commitment.member_id, Commitment.id)
    )


# --- built once per window ---------------------------------------------------------------------------------------
# A statement of a few cells or members takes milliseconds to build and key for the compiled cache, more than it
# takes to run: these are built once per window, with the ids bound as an expanding list (`IDS`).
@lru_cache(maxsize=BUILT_WINDOWS)
def figures_lookup(by_member: bool, window: Window) -> Select[Any]:
    """`member_and_commitment_counts` of the members named (`by_member`, grouped by member) or of the members of
    the cells named who have not moved since the window's end (grouped by cell)."""
    ids: Any = bindparam(IDS, expanding=True)
    key: Any
    members: ColumnElement[bool]
    if by_member:
        key, members = Member.id, Member.id.in_(ids)
    else:
        key, members = Member.cell_id, and_(Member.cell_id.in_(ids), Member.id.not_in(moved_since(window.end)))
    return member_and_commitment_counts(key, and_(members, in_scope(window)), window)


@lru_cache(maxsize=BUILT_WINDOWS)
def unit_figures_lookup(window: Window) -> CompoundSelect[Any]:
    return unit_figures(bindparam(IDS, expanding=True), window)


@lru_cache(maxsize=BUILT_WINDOWS)
def lines_lookup(of_units: bool, window: Window, photos: bool = False) -> Select[Any]:
    """`commitment_lines` of the members named (their individual commitments) or of the cells named (their
    collective commitments and models)."""
    ids: Any = bindparam(IDS, expanding=True)
    if of_units:
        kinds = (CommitmentKind.COLLECTIVE.value, CommitmentKind.MODEL.value)
        of_cells = and_(Commitment.unit_id.in_(ids), Commitment.kind.in_(kinds))
        return commitment_lines(of_cells, window, Commitment.unit_id, photos)
    own = and_(Commitment.member_id.in_(ids), Commitment.kind == CommitmentKind.INDIVIDUAL.value)
    return commitment_lines(own, window, Commitment.member_id, photos)


@lru_cache(maxsize=BUILT_WINDOWS)
def members_lookup(window: Window) -> Select[Any]:
    """The active members of the cells named at the window's end (those moved since out, those moved out of them
    since, `CAME_BACK`, in): id, cell, code, name, anonymised, in scope, unreachable, exempt, paused until; by
    name."""
    account = and_(ChatAccount.member_id == Member.id, ChatAccount.platform != Platform.CONSOLE.value)
    unreachable = and_(exists().where(account), ~exists().where(account, ChatAccount.blocked_at.is_(None)))
    belongs = or_(
        and_(Member.cell_id.in_(bindparam(IDS, expanding=True)), Member.id.not_in(moved_since(window.end))),
        Member.id.in_(bindparam(CAME_BACK, expanding=True)),
    )
    return (
        select(
            Member.id,
            Member.cell_id,
            Member.code,
            Member.full_name,
            Member.anonymised_at,
            case((in_scope(window), 1), else_=0),
            case((unreachable, 1), else_=0),
            Member.exempt,
            Member.paused_until,
        )
        .where(belongs, Member.active.is_(True))
        .order_by(Member.full_name, Member.code)
    )
