"""Repositories: queries and additions. They flush when they must but never commit."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, delete, distinct, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import CommitmentStatus, Platform, UnitKind
from storage.models import (
    ChatAccount,
    Commitment,
    ConsentEvent,
    DialogStateRow,
    InviteCode,
    LinkFailure,
    Member,
    MemberMove,
    ProcessedUpdate,
    ProgressEntry,
    Theme,
    Unit,
    UnitEvent,
)

IN_LIST_CHUNK = 5000  # well under SQLite's and PostgreSQL's limits on bound parameters


def chunked(ids: Sequence[int], size: int = IN_LIST_CHUNK) -> Iterable[Sequence[int]]:
    return (ids[start : start + size] for start in range(0, len(ids), size))


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _scalars(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.scalars(stmt)).all())


class UnitRepository(_Repo):
    async def get(self, unit_id: int) -> Unit | None:
        return await self.session.get(Unit, unit_id)

    async def child(self, parent_id: int | None, name: str) -> Unit | None:
        parent_match = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
        return (await self.session.scalars(select(Unit).where(parent_match, Unit.name == name))).first()

    async def moved_away(self, parent_id: int | None, name: str) -> Unit | None:
        """A unit of this name that used to be under `parent_id` and was moved elsewhere (`lamtheo unit move`)."""
        old_parent = UnitEvent.old_parent_id.is_(None) if parent_id is None else UnitEvent.old_parent_id == parent_id
        stmt = (
            select(Unit)
            .join(UnitEvent, UnitEvent.unit_id == Unit.id)
            .where(UnitEvent.action == "move", old_parent, Unit.name == name)
            .order_by(UnitEvent.at.desc())
        )
        return (await self.session.scalars(stmt)).first()

    async def add(self, name: str, kind: UnitKind, parent: Unit | None, now: datetime) -> Unit:
        unit = Unit(name=name, kind=kind.value, parent_id=parent.id if parent else None, created_at=now)
        self.session.add(unit)
        await self.session.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        await self.session.flush()
        return unit

    async def find_by_name(self, name: str) -> list[Unit]:
        # Compared in Python: SQLite's lower() folds ASCII only ("Đ", "Â" stay), so SQL would miss
        # "chi bộ đồng tâm" for "Chi bộ Đồng Tâm". The unit table is small.
        wanted = unicodedata.normalize("NFC", name).casefold()
        units = await self._scalars(select(Unit).order_by(Unit.id))
        return [unit for unit in units if unicodedata.normalize("NFC", unit.name).casefold() == wanted]

    async def cells_in_subtree(self, unit: Unit) -> list[Unit]:
        stmt = select(Unit).where(
            Unit.path.startswith(unit.path), Unit.kind == UnitKind.CELL.value, Unit.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Unit.path))

    async def ancestors(self, unit: Unit) -> list[Unit]:
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        rows = await self._scalars(select(Unit).where(Unit.id.in_(ids)))
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def all(self) -> list[Unit]:
        return await self._scalars(select(Unit).order_by(Unit.path))


class MemberRepository(_Repo):
    async def get(self, member_id: int) -> Member | None:
        return await self.session.get(Member, member_id)

    async def by_code(self, code: str) -> Member | None:
        """Codes are stored in upper case (the roster reader does that); lookups accept any case."""
        stmt = select(Member).where(Member.code == code.strip().upper())
        return (await self.session.scalars(stmt)).first()

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Member]:
        rows = await self._scalars(select(Member).where(Member.code.in_(list(codes))))
        return {row.code: row for row in rows}

    async def add(self, member: Member) -> Member:
        self.session.add(member)
        await self.session.flush()
        return member

    async def in_cells(self, cell_ids: Sequence[int]) -> list[Member]:
        stmt = select(Member).where(Member.cell_id.in_(cell_ids), Member.active.is_(True))
        return await self._scalars(stmt.order_by(Member.full_name, Member.code))

    async def in_subtree(self, unit: Unit) -> list[Member]:
        """Active members whose cell, or the unit they administer, lies in the subtree."""
        units = select(Unit.id).where(Unit.path.startswith(unit.path))
        stmt = select(Member).where(
            or_(Member.cell_id.in_(units), Member.scope_unit_id.in_(units)), Member.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Member.code))

    async def record_move(self, member: Member, to_unit_id: int | None, now: datetime) -> None:
        self.session.add(
            MemberMove(member_id=member.id, from_unit_id=member.cell_id, to_unit_id=to_unit_id, moved_at=now)
        )

    async def record_consent(self, member: Member, action: str, version: str, now: datetime) -> None:
        self.session.add(ConsentEvent(member_id=member.id, action=action, notice_version=version, at=now))

    async def consent_events(self, member_id: int) -> list[ConsentEvent]:
        stmt = select(ConsentEvent).where(ConsentEvent.member_id == member_id).order_by(ConsentEvent.id)
        return await self._scalars(stmt)


class AccountRepository(_Repo):
    async def find(self, platform: str, external_id: str) -> ChatAccount | None:
        stmt = select(ChatAccount).where(ChatAccount.platform == platform, ChatAccount.external_id == external_id)
        return (await self.session.scalars(stmt)).first()

    async def add(self, platform: str, external_id: str, member_id: int, now: datetime) -> ChatAccount:
        account = ChatAccount(
            platform=platform, external_id=external_id, member_id=member_id, linked_at=now, last_seen_at=now
        )
        self.session.add(account)
        await self.session.flush()
        return account

    async def for_member(self, member_id: int) -> list[ChatAccount]:
        return await self._scalars(select(ChatAccount).where(ChatAccount.member_id == member_id))

    async def platforms_of(self, member_ids: Sequence[int]) -> dict[int, set[str]]:
        """The platforms each member has linked, for many members in one query."""
        linked: dict[int, set[str]] = {}
        for chunk in chunked(member_ids):
            stmt = select(ChatAccount.member_id, ChatAccount.platform).where(ChatAccount.member_id.in_(chunk))
            for member_id, platform in (await self.session.execute(stmt)).all():
                linked.setdefault(member_id, set()).add(platform)
        return linked

    async def record_link_failure(self, platform: str, external_id: str, now: datetime) -> None:
        self.session.add(LinkFailure(platform=platform, external_id=external_id, failed_at=now))
        await self.session.flush()

    async def link_failures_since(self, platform: str, external_id: str, since: datetime) -> int:
        stmt = select(func.count(LinkFailure.id)).where(
            LinkFailure.platform == platform, LinkFailure.external_id == external_id, LinkFailure.failed_at >= since
        )
        return int(await self.session.scalar(stmt) or 0)

    async def prune_link_failures(self, before: datetime) -> int:
        result = await self.session.execute(delete(LinkFailure).where(LinkFailure.failed_at < before))
        return int(getattr(result, "rowcount", 0) or 0)


class InviteRepository(_Repo):
    async def by_code(self, code: str) -> InviteCode | None:
        return (await self.session.scalars(select(InviteCode).where(InviteCode.code == code))).first()

    async def unused_for(self, member_ids: Sequence[int]) -> dict[int, InviteCode]:
        unused: dict[int, InviteCode] = {}
        for chunk in chunked(member_ids):
            stmt = select(InviteCode).where(InviteCode.member_id.in_(chunk), InviteCode.used_at.is_(None))
            unused.update({row.member_id: row for row in await self._scalars(stmt.order_by(InviteCode.id))})
        return unused

    async def add(self, code: str, member_id: int, now: datetime) -> InviteCode:
        invite = InviteCode(code=code, member_id=member_id, created_at=now)
        self.session.add(invite)
        await self.session.flush()
        return invite


class ThemeRepository(_Repo):
    async def get(self, year: int) -> Theme | None:
        return await self.session.get(Theme, year)

    async def set(self, year: int, title: str, now: datetime) -> Theme:
        theme = await self.get(year)
        if theme is None:
            theme = Theme(year=year, title=title, set_at=now)
            self.session.add(theme)
        else:
            theme.title, theme.set_at = title, now
        await self.session.flush()
        return theme


class CommitmentRepository(_Repo):
    async def get(self, commitment_id: int) -> Commitment | None:
        return await self.session.get(Commitment, commitment_id)

    async def add(self, commitment: Commitment) -> Commitment:
        self.session.add(commitment)
        await self.session.flush()
        return commitment

    async def active_for(self, member_id: int) -> list[Commitment]:
        stmt = select(Commitment).where(
            Commitment.member_id == member_id, Commitment.status == CommitmentStatus.ACTIVE.value
        )
        return await self._scalars(stmt.order_by(Commitment.year, Commitment.id))

    async def add_progress(self, entry: ProgressEntry) -> ProgressEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def progress_of(self, commitment_id: int) -> list[ProgressEntry]:
        stmt = select(ProgressEntry).where(ProgressEntry.commitment_id == commitment_id)
        return await self._scalars(stmt.order_by(ProgressEntry.created_at, ProgressEntry.id))


class LoadedChat(NamedTuple):
    account: ChatAccount | None
    member: Member | None
    dialog: DialogStateRow | None
    scope: Unit | None  # the unit the member administers, if any


class DialogRepository(_Repo):
    async def load_for(self, platform: str, external_id: str) -> LoadedChat:
        """Account, member, dialog state and the member's scope unit in one round trip (every update's hot path)."""
        scope = aliased(Unit)
        stmt = (
            select(ChatAccount, Member, DialogStateRow, scope)
            .join(Member, Member.id == ChatAccount.member_id)
            .outerjoin(DialogStateRow, DialogStateRow.account_id == ChatAccount.id)
            .outerjoin(scope, scope.id == Member.scope_unit_id)
            .where(ChatAccount.platform == platform, ChatAccount.external_id == external_id)
            .with_for_update(of=ChatAccount)
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return LoadedChat(None, None, None, None)
        return LoadedChat(row[0], row[1], row[2], row[3])

    async def load(self, account_id: int) -> DialogStateRow | None:
        # FOR UPDATE serialises two instances working on one chat (PostgreSQL); SQLite's
        # BEGIN IMMEDIATE already does.
        stmt = select(DialogStateRow).where(DialogStateRow.account_id == account_id).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def save(self, row: DialogStateRow) -> None:
        self.session.add(row)
        await self.session.flush()


class UpdateLog(_Repo):
    async def claim(self, platform: str, update_key: str, now: datetime) -> bool:
        """Record an incoming update; False when it was already recorded (a redelivery)."""
        values = {"platform": platform, "update_key": update_key, "processed_at": now}
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(ProcessedUpdate).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def prune(self, before: datetime) -> int:
        """Forget update keys older than `before` (platforms stop redelivering long before)."""
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before))
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class CellCounts:
    cell_id: int
    members: int = 0
    linked: int = 0
    registered: int = 0
    updated: int = 0
    commitments: int = 0
    completed: int = 0


class StatsRepository(_Repo):
    """Aggregates for summaries, computed in SQL (one query per figure, grouped by cell)."""

    async def cell_counts(
        self, cell_ids: Sequence[int], year: int, since: datetime, today: date | None = None
    ) -> dict[int, CellCounts]:
        """Members in scope: active, not exempt, and (given `today`) not paused on that day."""
        in_scope = and_(Member.cell_id.in_(cell_ids), *self._counted(today))
        active = and_(Commitment.status == CommitmentStatus.ACTIVE.value, Commitment.year == year)
        members = await self._grouped(select(Member.cell_id, func.count(Member.id)).where(in_scope))
        linked = await self._grouped(
            select(Member.cell_id, func.count(distinct(Member.id)))
            .join(ChatAccount, ChatAccount.member_id == Member.id)
            .where(in_scope, ChatAccount.platform != Platform.CONSOLE.value, Member.consent_at.is_not(None))
        )
        with_commitments = select(Member.cell_id).join(Commitment, Commitment.member_id == Member.id)
        registered = await self._grouped(
            with_commitments.add_columns(func.count(distinct(Member.id))).where(in_scope, active)
        )
        updated = await self._grouped(
            with_commitments.add_columns(func.count(distinct(Member.id))).where(
                in_scope, active, Commitment.last_progress_at >= since
            )
        )
        done = case((Commitment.percent >= 100, 1), else_=0)
        stmt = with_commitments.add_columns(func.count(Commitment.id), func.sum(done)).where(in_scope, active)
        totals = {row[0]: (int(row[1]), int(row[2] or 0)) for row in await self._rows(stmt)}
        return {
            cell_id: CellCounts(
                cell_id=cell_id,
                members=members.get(cell_id, 0),
                linked=linked.get(cell_id, 0),
                registered=registered.get(cell_id, 0),
                updated=updated.get(cell_id, 0),
                commitments=totals.get(cell_id, (0, 0))[0],
                completed=totals.get(cell_id, (0, 0))[1],
            )
            for cell_id in cell_ids
        }

    async def members_without_commitment(self, cell_id: int, year: int, today: date | None = None) -> list[Member]:
        has = select(Commitment.id).where(
            Commitment.member_id == Member.id,
            Commitment.status == CommitmentStatus.ACTIVE.value,
            Commitment.year == year,
        )
        stmt = select(Member).where(*self._in_cell(cell_id, today), ~has.exists())
        return await self._scalars(stmt.order_by(Member.full_name))

    async def members_not_updated(
        self, cell_id: int, year: int, since: datetime, today: date | None = None
    ) -> list[Member]:
        commitment_of_member = and_(
            Commitment.member_id == Member.id,
            Commitment.status == CommitmentStatus.ACTIVE.value,
            Commitment.year == year,
        )
        has_any = select(Commitment.id).where(commitment_of_member)
        has_recent = select(Commitment.id).where(commitment_of_member, Commitment.last_progress_at >= since)
        stmt = select(Member).where(*self._in_cell(cell_id, today), has_any.exists(), ~has_recent.exists())
        return await self._scalars(stmt.order_by(Member.full_name))

    @classmethod
    def _in_cell(cls, cell_id: int, today: date | None = None) -> tuple[Any, ...]:
        return (Member.cell_id == cell_id, *cls._counted(today))

    @staticmethod
    def _counted(today: date | None) -> tuple[Any, ...]:
        """Exempt members, and members paused on `today` (illness, leave), are left out of rates."""
        counted: tuple[Any, ...] = (Member.active.is_(True), Member.exempt.is_(False))
        if today is not None:
            counted = (*counted, or_(Member.paused_until.is_(None), Member.paused_until < today))
        return counted

    async def _rows(self, stmt: Select[Any]) -> Sequence[Any]:
        rows: Sequence[Any] = (await self.session.execute(stmt.group_by(Member.cell_id))).all()
        return rows

    async def _grouped(self, stmt: Select[Any, Any]) -> dict[int, int]:
        return {row[0]: int(row[1]) for row in await self._rows(stmt)}
