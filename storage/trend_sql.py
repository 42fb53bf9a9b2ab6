"""The year's trend as SQL: members, registered, updated and completed of every month so far, per cell, in one
statement (`months_counts`) instead of one roll-up per month. Nothing runs here: `storage/repo_reports.py` runs it.

The months are windows of one year, back to back (each ends where the next starts; only the last may run). A
moment `x` is placed by its *position*: 0 before the first month, m inside month m, K+1 after the last (K months).
Then "x < end of month m" is "position <= m" and "x >= start of month m" is "position >= m". Each commitment is
read once with its progress entries (those before its last update: the only ones that tell anything), as:
- `pc`: where it was created (it counts from that month on);
- `pl`: where it was last updated (0 when never): in a month m >= pl its percent then is its current one and
  it was updated in m when pl = m; in a month before pl, the entries tell (see `report_sql.percent_at`);
- `pfd`: where its first entry at 100% or more lies. A commitment whose entries never went back below 100% after
  one at 100% ("regular") was at 100% at the end of a month m < pl exactly when pfd <= m;
- `months`: the months with a progress entry.
Per-month facts are packed in one integer (`_field`: 4 bits a month), so that a member's commitments are added
up in two sums rather than two aggregates a month, and each level is a grouped subquery: every expression is
computed once a row. A member with an irregular commitment, more than 15 commitments (a month's field would
overflow) or moved since the first month ended (their cell differs from month to month) is *special*: a row of
their own, which the caller counts exactly, month by month, with the roll-up's own statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    or_,
    select,
)

from storage.enums import CommitmentKind, CommitmentStatus
from storage.models import Commitment, Member, MemberMove, ProgressEntry
from storage.report_sql import Window

FIGURES_PER_MONTH = 4  # members, registered, updated, completed
SPECIAL = "special_member"
FIELD, FIELD_MASK = 4, 15  # a month's count in packed columns: 4 bits, up to 15 (a member's commitments)
ONES = sum(1 << (FIELD * index) for index in range(14))  # the lowest bit of each month's field (months 0 .. 13)


def bounds_of(windows: Sequence[Window]) -> list[datetime]:
    """start of month 1, end of month 1, ..., end of month K (the months follow each other)."""
    for before, after in pairwise(windows):
        if before.end != after.start or before.year != after.year or before.running:
            raise ValueError("the trend's months must follow each other in one year, only the last running")
    return [windows[0].start, *[window.end for window in windows]]


def position(moment: Any, bounds: Sequence[datetime | date]) -> ColumnElement[int]:
    """How many of `bounds` are <= `moment` (a binary search of CASEs: a few comparisons a row)."""

    def between(low: int, high: int) -> ColumnElement[int] | Any:
        # the answer is in [low, high]: bounds[low - 1] <= moment < bounds[high] (as far as those exist)
        if low == high:
            return _int(low)
        middle = (low + high + 1) // 2
        return case((moment < bounds[middle - 1], between(low, middle - 1)), else_=between(middle, high))

    return between(0, len(bounds))


def _int(value: int) -> ColumnElement[int]:
    """A constant written into the statement (PostgreSQL shifts a bigint by an integer, not by a bound bigint)."""
    return literal_column(str(int(value)), Integer)


def _field(index: Any) -> ColumnElement[int]:
    """The flag of month `index`: one bit every FIELD bits (a column of per-month counts up to 15)."""
    shift = _int(index * FIELD) if isinstance(index, int) else cast(index * FIELD, Integer)
    return cast(literal_column("1"), BigInteger).op("<<")(shift)  # PostgreSQL: a bare 1 is a 32-bit integer


def _fields(low: Any, high: Any) -> ColumnElement[int]:
    """The flags of months low .. high - 1 (none when low >= high); a constant when both are."""
    if isinstance(low, int) and isinstance(high, int):
        flags = ((1 << FIELD * high) - (1 << FIELD * low)) & ONES if low < high else 0
        return literal_column(str(flags), BigInteger)
    span = (_field(high) - _field(low)).op("&")(literal_column(str(ONES), BigInteger))
    return case((_as_sql(low) < _as_sql(high), span), else_=literal_column("0", BigInteger))


def _as_sql(value: Any) -> Any:
    return _int(value) if isinstance(value, int) else value


def _month(packed: Any, month: int) -> ColumnElement[int]:
    """The count of `month` in a packed column."""
    count: ColumnElement[int] = packed.op(">>")(_int(FIELD * month)).op("&")(_int(FIELD_MASK))
    return count


def per_commitment(windows: Sequence[Window], members: Select[Any] | None) -> Any:
    """A row per individual commitment of the year that may count in a month (of `members`' commitments):
    member, positions and months with entries (see the module's docstring)."""
    bounds = bounds_of(windows)
    entry = ProgressEntry.created_at
    where = [
        Commitment.year == windows[0].year,
        Commitment.status == CommitmentStatus.ACTIVE.value,
        Commitment.withdrawn_at.is_(None),
        Commitment.kind == CommitmentKind.INDIVIDUAL.value,
        Commitment.created_at < windows[-1].end,
    ]
    if members is not None:
        where.append(Commitment.member_id.in_(members))
    first_done = func.min(entry).filter(ProgressEntry.percent >= _int(100))
    last_open = func.max(entry).filter(ProgressEntry.percent < _int(100))
    before_last = entry < Commitment.last_progress_at
    last = case((Commitment.last_progress_at.is_(None), _int(0)), else_=position(Commitment.last_progress_at, bounds))
    return (
        select(
            Commitment.member_id.label("mid"),
            position(Commitment.created_at, bounds).label("pc"),
            last.label("pl"),
            case((Commitment.percent >= _int(100), _int(1)), else_=_int(0)).label("full"),
            position(first_done, bounds).label("pfd"),  # none at 100%: NULL compares false, so K+1 (never)
            cast(func.coalesce(func.sum(distinct(_field(position(entry, bounds)))), 0), BigInteger).label("months"),
            case((last_open >= first_done, _int(1)), else_=_int(0)).label("irregular"),
        )
        .select_from(Commitment)
        # Only the entries before the last update tell anything (about the months before it: see the docstring).
        .outerjoin(ProgressEntry, and_(ProgressEntry.commitment_id == Commitment.id, before_last))
        .where(*where)
        .group_by(Commitment.id)
        .subquery()
    )


def per_member(windows: Sequence[Window], members: Select[Any] | None) -> Any:
    """A row per member with a commitment that may count: the first month one counts (`reg`), whether one is
    irregular, how many, and per month (packed, see `_field`): how many counted were updated in it (`updated`),
    how many counted were below 100% at its end (`open`)."""
    c = per_commitment(windows, members).c
    months = len(windows)
    running = windows[-1].running
    past = _fields(1, months if running else months + 1)
    counts = _fields(c.pc, months + 1)
    updated: ColumnElement[Any] = (_field(c.pl) + c.months.op("&")(_field(c.pl) - 1)).op("&")(past)
    at_full = case((c.full == _int(1), _fields(c.pl, months + 1)), else_=_int(0))  # from the last update on
    done: ColumnElement[Any] = (at_full + _fields(c.pfd, c.pl)).op("&")(past)  # and before, from the entries
    if running:  # the current percent; updated since the month began
        updated = updated + case((c.pl >= _int(months), _field(months)), else_=_int(0))
        done = done + case((c.full == _int(1), _field(months)), else_=_int(0))
    return (
        select(
            c.mid,
            func.min(c.pc).label("reg"),
            func.max(c.irregular).label("irr"),
            func.count().label("n"),
            cast(func.sum(counts.op("&")(updated)), BigInteger).label("updated"),
            cast(func.sum(counts - counts.op("&")(done)), BigInteger).label("open"),
        )
        .group_by(c.mid)
        .subquery()
    )


def members_of(windows: Sequence[Window], cells: Sequence[int] | None) -> Any:
    """A row per active member of `cells` (None: of every cell): their cell, whether they are special, the first
    month they are in scope (`scope`; the last days grow month by month, so once in scope they stay) and
    registered (`reg`), and `updated` and `open` of `per_member`."""
    members = None if cells is None else select(Member.id).where(Member.cell_id.in_(cells))
    c = per_member(windows, members).c
    months = len(windows)
    scope = case(
        (Member.exempt.is_(True), _int(months + 1)),
        (Member.paused_until.is_(None), _int(1)),
        else_=position(Member.paused_until, [window.last_day for window in windows]) + _int(1),
    )
    first = func.max(c.reg)
    moved = Member.id.in_(select(MemberMove.member_id).where(MemberMove.moved_at >= windows[0].end))
    special = or_(func.max(c.irr) == _int(1), func.max(c.n) > _int(FIELD_MASK), moved)
    where = Member.cell_id.is_not(None) if cells is None else Member.cell_id.in_(cells)
    # Grouped by member (one row each) so that each column is computed once, not again where it is used.
    return (
        select(
            Member.cell_id.label("cell_id"),
            case((special, Member.id)).label(SPECIAL),
            scope.label("scope"),
            case((first.is_(None), _int(months + 1)), (first > scope, first), else_=scope).label("reg"),
            func.max(c.updated).label("updated"),
            func.max(c.open).label("open"),
        )
        .select_from(Member)
        .outerjoin(c[0].table, c.mid == Member.id)
        .where(where, Member.active.is_(True))
        .group_by(Member.id)
        .subquery()
    )


def months_counts(windows: Sequence[Window], cells: Sequence[int] | None) -> Select[Any]:
    """(cell, special member or NULL, then members, registered, updated, completed of each month): the members
    of `cells` (None: of every cell) summed per cell, except the special ones (irregular, with more than 15
    commitments, or moved since the first month ended), a row each, for the caller to count exactly."""
    m = members_of(windows, cells).c
    columns: list[Any] = [m.cell_id, m[SPECIAL]]
    for month in range(1, len(windows) + 1):
        registered = m.reg <= _int(month)
        columns += [
            func.count().filter(m.scope <= _int(month)),
            func.count().filter(registered),
            func.count().filter(registered, _month(m.updated, month) > _int(0)),
            func.count().filter(registered, _month(m.open, month) == _int(0)),
        ]
    return select(*columns).group_by(m.cell_id, m[SPECIAL])
