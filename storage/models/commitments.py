"""The year's cycle, commitments, progress entries, evidence photos and the year-end self-assessment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Cycle(Base):
    """The annual cycle of a year, set by the committee: registration deadline, self-assessment start."""

    __tablename__ = "cycles"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    self_assessment_from: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class Commitment(Base):
    """One registered deed (nội dung làm theo) of a member for a year."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_member_status", "member_id", "status"),
        # reports (migration 0004_reports): every figure of a member's commitments from the index alone
        Index(
            "ix_commitments_member_report",
            "member_id",
            "year",
            "status",
            "kind",
            "created_at",
            "withdrawn_at",
            "percent",
            "deadline",
            "last_progress_at",
        ),
        # the web dashboard's pending approvals under a unit (migration 0010_web_sessions): the few pending rows
        # found without reading the approved ones
        Index(
            "ix_commitments_pending",
            "member_id",
            sqlite_where=text("review_state = 'pending'"),
            postgresql_where=text("review_state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    year: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    last_progress_at: Mapped[datetime | None]
    # individual | collective | model; for the last two `unit_id` is the cell and `member_id` who registered it.
    kind: Mapped[str] = mapped_column(String(16), default="individual", server_default="individual")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    review_state: Mapped[str] = mapped_column(String(16), default="pending", server_default="approved")
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class ProgressEntry(Base):
    __tablename__ = "progress_entries"
    __table_args__ = (Index("ix_progress_commitment_created", "commitment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]


class Evidence(Base):
    """A photo a member sent as evidence of progress: the platform's file reference or URL, not the file."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entries.id"))
    platform: Mapped[str] = mapped_column(String(16))
    file_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class SelfAssessment(Base):
    """The member's year-end verdict on one commitment (tự đánh giá), with cause and remedy when not done."""

    __tablename__ = "self_assessments"

    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), primary_key=True)
    result: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime]
