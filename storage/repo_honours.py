"""Repositories of exemplars, commendations, replicated models and activities, and the rows roll-ups count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import and_, exists, or_, select, update

from storage.enums import (
    CommendationAction,
    CommendationState,
    CommitmentKind,
    CommitmentStatus,
    NomineeKind,
    Role,
)
from storage.models import (
    Activity,
    Commendation,
    CommendationStep,
    Commitment,
    ExemplarRegistration,
    Member,
    ModelReplication,
    Unit,
    UnitEvent,
)
from storage.repo_base import Repo, chunked

ABSORBING_ACTIONS = ("merge", "dissolve")  # a unit whose members and items went to `target_unit_id`


@dataclass
class Honours:
    """Counts of one cell, or a sum of cells (see handlers/services/honours.py for what counts where)."""

    exemplar_individual: int = 0
    exemplar_collective: int = 0
    proposed_individual: int = 0
    proposed_collective: int = 0
    commended_individual: int = 0
    commended_collective: int = 0
    upward_individual: int = 0
    upward_collective: int = 0
    replications: int = 0
    activities: int = 0
    participants: int = 0
    cells_active: int = 0  # cells that held at least one activity

    def add(self, other: Honours) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def bump(self, prefix: str, kind: str) -> None:
        name = f"{prefix}_{'individual' if kind == NomineeKind.INDIVIDUAL.value else 'collective'}"
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True)
class HonourRow:
    """One counted item: of a member (counted in their cell at the report's moment) or of a cell."""

    kind: str  # individual | collective
    member_id: int | None
    member_cell_id: int | None  # the member's cell today
    unit_id: int | None  # the cell it was registered or proposed in


@dataclass(frozen=True)
class CommendationRow:
    item: HonourRow
    commended: bool  # decided by the report's moment
    forwarded: bool  # proposed to a level above by then


class HonoursRepository(Repo):
    # --- exemplar registrations ----------------------------------------------------------------------------------
    async def exemplar_of_member(self, year: int, member_id: int) -> ExemplarRegistration | None:
        stmt = select(ExemplarRegistration).where(
            ExemplarRegistration.year == year, ExemplarRegistration.member_id == member_id
        )
        return (await self.session.scalars(stmt.limit(1))).first()

    async def exemplar_of_cell(self, year: int, unit_id: int) -> ExemplarRegistration | None:
        stmt = select(ExemplarRegistration).where(
            ExemplarRegistration.year == year,
            ExemplarRegistration.unit_id == unit_id,
            ExemplarRegistration.member_id.is_(None),
        )
        return (await self.session.scalars(stmt.limit(1))).first()

    async def add(
        self, row: ExemplarRegistration | Commendation | CommendationStep | ModelReplication | Activity
    ) -> None:
        self.session.add(row)
        await self.session.flush()

    # --- commendations -------------------------------------------------------------------------------------------
    async def commendation(self, commendation_id: int) -> Commendation | None:
        return await self.session.get(Commendation, commendation_id)

    async def waiting_at(self, unit_id: int) -> list[Commendation]:
        stmt = select(Commendation).where(
            Commendation.level_unit_id == unit_id, Commendation.state == CommendationState.PENDING.value
        )
        return await self._scalars(stmt.order_by(Commendation.created_at, Commendation.id))

    async def of_cells(self, cell_ids: Sequence[int], year: int) -> list[Commendation]:
        """The year's commendations proposed in these cells (withdrawn ones too: the caller decides)."""
        if not cell_ids:
            return []
        stmt = select(Commendation).where(Commendation.unit_id.in_(list(cell_ids)), Commendation.year == year)
        return await self._scalars(stmt.order_by(Commendation.created_at, Commendation.id))

    async def proposals_of_year(self, year: int, before: datetime) -> list[Commendation]:
        """The year's proposals made before `before`, withdrawn ones left out, oldest first."""
        stmt = select(Commendation).where(
            Commendation.year == year,
            Commendation.created_at < before,
            Commendation.state != CommendationState.WITHDRAWN.value,
        )
        return await self._scalars(stmt.order_by(Commendation.created_at, Commendation.id))

    async def of_member(self, member_id: int) -> tuple[list[ExemplarRegistration], list[Commendation]]:
        """A member's own exemplar registrations and the proposals naming them (for /dulieu and the export)."""
        exemplars = select(ExemplarRegistration).where(ExemplarRegistration.member_id == member_id)
        proposals = select(Commendation).where(Commendation.member_id == member_id)
        return (
            await self._scalars(exemplars.order_by(ExemplarRegistration.year)),
            await self._scalars(proposals.order_by(Commendation.created_at, Commendation.id)),
        )

    async def erase_accounts(self, member_id: int, placeholder: str) -> None:
        """Consent withdrawn: what was written about the member (accounts, return comments) is replaced."""
        proposals = select(Commendation.id).where(Commendation.member_id == member_id)
        await self.session.execute(
            update(Commendation).where(Commendation.member_id == member_id).values(account=placeholder, comment=None)
        )
        await self.session.execute(
            update(CommendationStep)
            .where(CommendationStep.commendation_id.in_(proposals), CommendationStep.note.is_not(None))
            .values(note=placeholder)
        )

    async def commended_member(self, member_id: int) -> list[Commendation]:
        stmt = select(Commendation).where(
            Commendation.member_id == member_id, Commendation.state == CommendationState.COMMENDED.value
        )
        return await self._scalars(stmt.order_by(Commendation.decision_date, Commendation.id))

    async def steps(self, commendation_ids: Sequence[int]) -> list[CommendationStep]:
        if not commendation_ids:
            return []
        stmt = select(CommendationStep).where(CommendationStep.commendation_id.in_(list(commendation_ids)))
        return await self._scalars(stmt.order_by(CommendationStep.at, CommendationStep.id))

    async def staff_of(self, unit_id: int) -> list[Member]:
        """Committee staff of a unit (who decide the proposals waiting there)."""
        stmt = select(Member).where(
            Member.scope_unit_id == unit_id, Member.role == Role.COMMITTEE.value, Member.active.is_(True)
        )
        return await self._scalars(stmt.order_by(Member.code))

    # --- replicated models ---------------------------------------------------------------------------------------
    async def model_options(self, years: Sequence[int]) -> list[tuple[Commitment, Unit]]:
        """Active models of those years, with the cell that runs each (the pilots a new model may follow)."""
        stmt = (
            select(Commitment, Unit)
            .join(Unit, Unit.id == Commitment.unit_id)
            .where(
                Commitment.kind == CommitmentKind.MODEL.value,
                Commitment.status == CommitmentStatus.ACTIVE.value,
                Commitment.year.in_(list(years)),
            )
            .order_by(Unit.name, Commitment.content, Commitment.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def replications(self, commitment_ids: Sequence[int]) -> dict[int, ModelReplication]:
        if not commitment_ids:
            return {}
        stmt = select(ModelReplication).where(ModelReplication.commitment_id.in_(list(commitment_ids)))
        return {row.commitment_id: row for row in await self._scalars(stmt)}

    async def replication_rows(self, year: int, before: datetime) -> list[tuple[int, int, int | None, str | None]]:
        """(model id, its cell, the pilot model's id, the pilot typed) of the year's active replicated models.

        The few replications first, then their models by id: as one join, SQLite may scan every commitment."""
        replication = ModelReplication
        stmt = select(replication.commitment_id, replication.source_commitment_id, replication.source_text)
        replications = (await self.session.execute(stmt)).all()
        cells: dict[int, int] = {}
        for chunk in chunked([row[0] for row in replications]):
            models = select(Commitment.id, Commitment.unit_id).where(
                Commitment.id.in_(chunk),
                Commitment.year == year,
                Commitment.status == CommitmentStatus.ACTIVE.value,
                Commitment.created_at < before,
                Commitment.unit_id.is_not(None),
            )
            cells.update({model_id: unit_id or 0 for model_id, unit_id in (await self.session.execute(models)).all()})
        return [(model, cells[model], source, text) for model, source, text in replications if model in cells]

    # --- activities ----------------------------------------------------------------------------------------------
    async def recent_activities(self, unit_id: int, since: date, limit: int) -> list[Activity]:
        stmt = select(Activity).where(Activity.unit_id == unit_id, Activity.held_on >= since)
        return await self._scalars(stmt.order_by(Activity.held_on.desc(), Activity.id.desc()).limit(limit))

    async def activities(self, year: int, last_day: date) -> list[Activity]:
        """Every activity held from 1 January of `year` to `last_day` (the caller keeps the cells it counts)."""
        stmt = select(Activity).where(Activity.held_on >= date(year, 1, 1), Activity.held_on <= last_day)
        return await self._scalars(stmt.order_by(Activity.held_on, Activity.id))

    # --- what roll-ups count -------------------------------------------------------------------------------------
    async def absorptions(self, before: datetime) -> dict[int, int]:
        """unit -> the unit it was merged or dissolved into, for changes made before `before`."""
        stmt = select(UnitEvent.unit_id, UnitEvent.target_unit_id).where(
            UnitEvent.action.in_(ABSORBING_ACTIONS), UnitEvent.at < before, UnitEvent.target_unit_id.is_not(None)
        )
        return {unit_id: target for unit_id, target in (await self.session.execute(stmt)).all() if target is not None}

    async def exemplar_rows(self, year: int, before: datetime) -> list[HonourRow]:
        stmt = (
            select(
                ExemplarRegistration.kind, ExemplarRegistration.member_id, Member.cell_id, ExemplarRegistration.unit_id
            )
            .outerjoin(Member, Member.id == ExemplarRegistration.member_id)
            .where(
                ExemplarRegistration.year == year,
                ExemplarRegistration.created_at < before,
                or_(ExemplarRegistration.member_id.is_(None), Member.active.is_(True)),
            )
        )
        return [HonourRow(*row) for row in (await self.session.execute(stmt)).all()]

    async def commendation_rows(self, year: int, before: datetime) -> list[CommendationRow]:
        forwarded = exists().where(
            CommendationStep.commendation_id == Commendation.id,
            CommendationStep.action == CommendationAction.FORWARDED.value,
            CommendationStep.at < before,
        )
        commended = and_(
            Commendation.state == CommendationState.COMMENDED.value,
            Commendation.decided_at.is_not(None),
            Commendation.decided_at < before,
        )
        stmt = (
            select(
                Commendation.kind, Commendation.member_id, Member.cell_id, Commendation.unit_id, commended, forwarded
            )
            .outerjoin(Member, Member.id == Commendation.member_id)
            .where(
                Commendation.year == year,
                Commendation.created_at < before,
                Commendation.state != CommendationState.WITHDRAWN.value,
            )
        )
        rows = (await self.session.execute(stmt)).all()
        return [CommendationRow(HonourRow(*row[:4]), bool(row[4]), bool(row[5])) for row in rows]
