"""Meeting schedules, answers to reminders, and broadcasts with one delivery row per recipient."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MeetingSchedule(Base):
    """When a cell meets each month: a day of the month (capped at the month's end) or an nth weekday."""

    __tablename__ = "meeting_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    rule: Mapped[str] = mapped_column(String(16))  # monthday | weekday
    day: Mapped[int | None] = mapped_column(Integer)  # 1..31 for monthday
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday, for weekday
    week: Mapped[int | None] = mapped_column(Integer)  # 1..4, or -1 for the last
    remind_days_before: Mapped[int] = mapped_column(Integer, default=3)
    digest_days_before: Mapped[int] = mapped_column(Integer, default=1)
    send_hour: Mapped[int] = mapped_column(Integer, default=8)  # local hour
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    updated_at: Mapped[datetime]


class ReminderResponse(Base):
    """A member's answer to a reminder: remind me later, or not applicable this month (with a reason)."""

    __tablename__ = "reminder_responses"
    __table_args__ = (Index("ix_reminder_responses_member_meeting", "member_id", "meeting_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    meeting_on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(16))  # snooze | not_applicable
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]  # the snoozed reminder was queued
    created_at: Mapped[datetime]


class Broadcast(Base):
    """One sending to many: a scheduled reminder, a digest, an announcement. Unique per firing."""

    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("schedule_id", "kind", "due_at", name="uq_broadcasts_schedule_kind_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_schedules.id"))
    due_at: Mapped[datetime | None]
    meeting_on: Mapped[date | None] = mapped_column(Date)
    created_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Delivery(Base):
    """One recipient of a broadcast: pending -> sending -> sent | blocked | failed | unknown (or skipped)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "member_id", name="uq_deliveries_broadcast_member"),
        Index("ix_deliveries_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))
    platform: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    text: Mapped[str] = mapped_column(Text)
    # The reply's choices as [[label, value], ...]; the recipient's dialog is set to offer them when sent.
    choices: Mapped[list[Any] | None] = mapped_column(JSON)
    not_before: Mapped[datetime | None]  # quiet hours and preferred hour push it later
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))  # the sender holding it in SENDING, until lease_until
    lease_until: Mapped[datetime | None]
    resent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # sent again after a crash
