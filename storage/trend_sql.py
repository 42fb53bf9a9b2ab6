"""The year's trend as SQL: members, registered, updated and completed of every month so far, per cell, in one
statement (`months_counts`) instead of one roll-up per month. Nothing runs here: `storage/repo_reports.py` runs it.

The months are windows of one year, back to back (each ends where the next starts; only the last may run). A
moment `x` is placed by its *position*: 0 before the first month, m inside month m, K+1 after the last (K months).
Then "x < end of month m" is "position <= m" and "x >= start of month m" is "position >= m". Each commitment is
read once with its progress entries, as a few positions:
- `pc`: where it was created (it counts from that month on);
- `pl`: where it was last updated (0 when never): in a month m >= pl its percent then is its current one and
  it was updated in m when pl = m; in a month before pl, the entries tell (see `report_sql.percent_at`);
- `pfd`: where its first entry at 100% or more lies. A commitment whose entries never went back below 100% after
  one at 100% ("regular") was at 100% at the end of a month m < pl exactly when pfd <= m. A member with an
  irregular commitment (an entry below 100% at or after one at 100%) is left to the exact per-month count, as is
  a member moved since the first month ended (their cell differs from month to month): `special` names them.
- `months`: the months with a progress entry, as bits (bit m: month m).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal, literal_column, or_, select

from storage.enums import CommitmentKind, CommitmentStatus
from storage.models import Commitment, Member, MemberMove, ProgressEntry
from storage.report_sql import Window, in_scope

FIGURES_PER_MONTH = 4  # members, registered, updated, completed
SPECIAL = "special_member"


def bounds_of(windows: Sequence[Window]) -> list[datetime]:
    """start of month 1, end of month 1, ..., end of month K (the months follow each other)."""
    for before, after in pairwise(windows):
        if before.end != after.start or before.year != after.year or before.running:
            raise ValueError("the trend's months must follow each other in one year, only the last running")
    return [windows[0].start, *[window.end for window in windows]]


def position(moment: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """How many of `bounds` are <= `moment` (a binary search of CASEs: a few comparisons a row)."""

    def between(low: int, high: int) -> ColumnElement[int] | Any:
        # the answer is in [low, high]: bounds[low - 1] <= moment < bounds[high] (as far as those exist)
        if low == high:
            return literal(low)
        middle = (low + high + 1) // 2
        return case((moment < bounds[middle - 1], between(low, middle - 1)), else_=between(middle, high))

    return between(0, len(bounds))


def _bit(exponent: Any) -> ColumnElement[int]:
    return literal(1).op("<<")(exponent)


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
    first_done = func.min(entry).filter(ProgressEntry.percent >= 100)
    last_open = func.max(entry).filter(ProgressEntry.percent < 100)
    return (
        select(
            Commitment.member_id.label("mid"),
            position(Commitment.created_at, bounds).label("pc"),
            case(
                (Commitment.last_progress_at.is_(None), 0), else_=position(Commitment.last_progress_at, bounds)
            ).label("pl"),
            case((Commitment.percent >= 100, 1), else_=0).label("full"),
            position(first_done, bounds).label("pfd"),  # none at 100%: NULL compares false, so K+1 (never)
            func.coalesce(func.sum(distinct(_bit(position(entry, bounds)))), 0).label("months"),
            case((last_open >= first_done, 1), else_=0).label("irregular"),
        )
        .select_from(Commitment)
        .outerjoin(ProgressEntry, ProgressEntry.commitment_id == Commitment.id)
        .where(*where)
        .group_by(Commitment.id)
        .subquery()
    )


def per_member(windows: Sequence[Window], members: Select[Any] | None) -> Any:
    """A row per member with a commitment that may count: the first month one counts (`reg`), whether one is
    irregular, and for each month m: `u{m}` one counted was updated in it, `d{m}` every one counted was at 100%."""
    c = per_commitment(windows, members).c
    columns: list[ColumnElement[Any]] = [c.mid, func.min(c.pc).label("reg"), func.max(c.irregular).label("irr")]
    for month, window in enumerate(windows, start=1):
        counts = c.pc <= month
        if window.running:  # the current percent; updated since the month began
            updated = and_(counts, c.pl >= month)
            done = c.full == 1
        else:
            in_month = (c.months.op("&")(_bit(month))) != 0
            updated = and_(counts, or_(c.pl == month, and_(c.pl > month, in_month)))
            done = case((c.pl <= month, c.full == 1), else_=c.pfd <= month)
        columns.append(func.max(case((updated, 1), else_=0)).label(f"u{month}"))
        columns.append(func.min(case((c.pc > month, 1), (done, 1), else_=0)).label(f"d{month}"))
    return select(*columns).group_by(c.mid).subquery()


def months_counts(windows: Sequence[Window], cells: Sequence[int] | None) -> Select[Any]:
    """(cell, special member or NULL, then members, registered, updated, completed of each month): the members
    of `cells` (None: of every cell) summed per cell, except the special ones (irregular or moved since the first
    month ended), a row each, for the caller to count exactly."""
    members = None if cells is None else select(Member.id).where(Member.cell_id.in_(cells))
    table = per_member(windows, members)
    m = table.c
    moved = Member.id.in_(select(MemberMove.member_id).where(MemberMove.moved_at >= windows[0].end))
    special = case((or_(m.irr == 1, moved), Member.id)).label(SPECIAL)
    columns: list[Any] = [Member.cell_id, special]
    for month, window in enumerate(windows, start=1):
        scope = in_scope(window)
        registered = and_(scope, m.reg <= month)
        columns += [
            func.count().filter(scope),
            func.count().filter(registered),
            func.count().filter(and_(registered, m[f"u{month}"] == 1)),
            func.count().filter(and_(registered, m[f"d{month}"] == 1)),
        ]
    where = Member.cell_id.is_not(None) if cells is None else Member.cell_id.in_(cells)
    return (
        select(*columns)
        .select_from(Member)
        .outerjoin(table, m.mid == Member.id)
        .where(where, Member.active.is_(True))
        .group_by(Member.cell_id, literal_column(SPECIAL))  # by name: PostgreSQL would see new parameters
    )
