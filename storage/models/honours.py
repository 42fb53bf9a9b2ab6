"""Exemplars, commendations with their steps, replicated models and activities (migration 0005_honours)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ExemplarRegistration(Base):
    """A member, or a cell, registered to become an exemplar (đăng ký xây dựng điển hình) in a year."""

    __tablename__ = "exemplar_registrations"
    __table_args__ = (Index("ix_exemplar_registrations_year_kind", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # individual | collective
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)  # individual
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # collective: the cell
    registered_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]


class Commendation(Base):
    """A proposal to commend a member or a cell, and the decision on it.

    It waits at `level_unit_id` (first the committee above the cell); that committee's staff commend it, propose
    it to the level above (the level moves up), or return it (to the level that sent it, or to the proposer).
    """

    __tablename__ = "commendations"
    __table_args__ = (Index("ix_commendations_level_state", "level_unit_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # individual | collective
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)  # the nominee
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the cell it comes from
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))  # the deed or model, if any
    account: Mapped[str] = mapped_column(Text)  # what was done and its result
    state: Mapped[str] = mapped_column(String(16))
    level_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    proposed_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    form: Mapped[str | None] = mapped_column(String(16))  # praise (biểu dương) | reward (khen thưởng)
    decision_number: Mapped[str | None] = mapped_column(String(50))
    decision_date: Mapped[date | None] = mapped_column(Date)
    decided_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)  # the last return's comment
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CommendationStep(Base):
    """One step of a commendation: proposed, resubmitted, forwarded, returned, commended, withdrawn."""

    __tablename__ = "commendation_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    commendation_id: Mapped[int] = mapped_column(ForeignKey("commendations.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))  # who
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the level (or cell) it happened at
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # where it went (forward, return)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class ModelReplication(Base):
    """A model (commitments.kind = model) that follows another unit's model: one in the bot, or one named."""

    __tablename__ = "model_replications"

    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), primary_key=True, autoincrement=False)
    source_commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    source_text: Mapped[str | None] = mapped_column(Text)  # a pilot outside the bot, as typed
    created_at: Mapped[datetime]


class Activity(Base):
    """A contest (hội thi), seminar (tọa đàm), writing contest or other activity a cell held, with participants."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_unit_held", "unit_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    participants: Mapped[int] = mapped_column(Integer)
    recorded_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]
