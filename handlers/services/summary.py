"""The rolling cell summary (the last 30 days) behind the secretary's digest before a meeting.

`/tonghop` answers with the period roll-up (`handlers/services/rollup.py`); this summary stays for the digest,
which looks back over the time since the last meeting rather than over a calendar period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from handlers.catalog import core as t
from handlers.services.authz import Actor, cells_in_scope
from handlers.text import fmt_date, fmt_percent
from storage.enums import UnitKind
from storage.models import Member
from storage.repo_stats import CellCounts
from storage.uow import UnitOfWork

RECENT_DAYS = 30


@dataclass(frozen=True)
class CellSummary:
    cell_name: str
    year: int
    days: int
    counts: CellCounts
    not_registered: list[str] = field(default_factory=list)
    not_updated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CellLine:
    cell_id: int
    cell_name: str
    parent_name: str
    counts: CellCounts


@dataclass(frozen=True)
class CommitteeSummary:
    unit_name: str
    year: int
    days: int
    lines: list[CellLine]
    totals: CellCounts


def add_counts(rows: list[CellCounts]) -> CellCounts:
    return CellCounts(
        cell_id=0,
        members=sum(r.members for r in rows),
        linked=sum(r.linked for r in rows),
        registered=sum(r.registered for r in rows),
        updated=sum(r.updated for r in rows),
        commitments=sum(r.commitments for r in rows),
        completed=sum(r.completed for r in rows),
    )


def full_name(member: Member) -> str:
    return member.full_name


async def summarise(
    uow: UnitOfWork,
    actor: Actor,
    today: date,
    now: datetime,
    days: int = RECENT_DAYS,
    named: Callable[[Member], str] = full_name,
) -> CellSummary | CommitteeSummary:
    """The summary of the actor's scope; `named` gives how members are written (the digest, queued until it
    is sent, names them by reference)."""
    unit, cells = await cells_in_scope(uow, actor)
    since = now - timedelta(days=days)
    # Paused members (illness, leave) are out of the rates like exempt ones.
    counts = await uow.stats.cell_counts([cell.id for cell in cells], today.year, since, today)
    if unit.kind == UnitKind.CELL.value:
        missing = await uow.stats.members_without_commitment(unit.id, today.year, today)
        stale = await uow.stats.members_not_updated(unit.id, today.year, since, today)
        return CellSummary(
            cell_name=unit.name,
            year=today.year,
            days=days,
            counts=counts[unit.id],
            not_registered=[named(m) for m in missing],
            not_updated=[named(m) for m in stale],
        )
    parents = {cell.parent_id for cell in cells if cell.parent_id is not None}
    parent_names = {pid: (await uow.units.get(pid)) for pid in parents}
    lines = [
        CellLine(
            cell_id=cell.id,
            cell_name=cell.name,
            parent_name=getattr(parent_names.get(cell.parent_id or 0), "name", ""),
            counts=counts[cell.id],
        )
        for cell in cells
    ]
    return CommitteeSummary(
        unit_name=unit.name, year=today.year, days=days, lines=lines, totals=add_counts(list(counts.values()))
    )


def _figures(counts: CellCounts) -> dict[str, object]:
    return {
        "members": counts.members,
        "linked": counts.linked,
        "registered": counts.registered,
        "registered_pct": fmt_percent(counts.registered, counts.members),
        "updated": counts.updated,
        "updated_pct": fmt_percent(counts.updated, counts.members),
        "completed": counts.completed,
        "commitments": counts.commitments,
        "completed_pct": fmt_percent(counts.completed, counts.commitments),
    }


def render_cell(summary: CellSummary, today: date) -> str:
    """The digest's text: the cell's figures over the last days and who has not registered or updated."""
    lines = [
        t.CELL_SUMMARY.format(
            cell=summary.cell_name,
            date=fmt_date(today),
            year=summary.year,
            days=summary.days,
            **_figures(summary.counts),
        ),
        "",
    ]
    if summary.not_registered:
        names = ", ".join(summary.not_registered)
        lines.append(t.CELL_NOT_REGISTERED.format(count=len(summary.not_registered), names=names))
    elif summary.counts.members:
        lines.append(t.CELL_ALL_REGISTERED)
    if summary.not_updated:
        names = ", ".join(summary.not_updated)
        count = len(summary.not_updated)
        lines.append(t.CELL_NOT_UPDATED.format(days=summary.days, count=count, names=names))
    return "\n".join(lines).strip()
