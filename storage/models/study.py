"""The year's theme and the cells' study sessions with their attendance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Theme(Base):
    """The year's theme (chuyên đề năm)."""

    __tablename__ = "themes"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime]


class StudySession(Base):
    """A session where a cell studied the year's theme."""

    __tablename__ = "study_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    recorded_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime]


class StudyAttendance(Base):
    __tablename__ = "study_attendance"
    __table_args__ = (
        PrimaryKeyConstraint("session_id", "member_id", name="pk_study_attendance"),
        Index("ix_study_attendance_member_session", "member_id", "session_id"),  # reports (0004_reports)
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("study_sessions.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    confirmed_at: Mapped[datetime | None]  # the member confirmed with one tap
    recorded_at: Mapped[datetime]
