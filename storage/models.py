"""Typed SQLAlchemy models. The schema changes only through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC everywhere (SQLite has no time zones) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class Unit(Base):
    """A node of the organisation tree: a committee (đảng bộ) or a cell (chi bộ)."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_units_parent_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path of ids ("/1/4/9/"): a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (  # reports (migration 0004_reports): a cell's members counted from the index alone
        Index("ix_members_cell_report", "cell_id", "active", "exempt", "paused_until", "consent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # The unit this member administers: their cell (secretary, deputy) or committee (cấp ủy).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_at: Mapped[datetime | None]
    # Where the bot's own messages go when the member has accounts on several platforms (None: last used).
    preferred_platform: Mapped[str | None] = mapped_column(String(16))
    # Reminder preferences, in local time (Asia/Ho_Chi_Minh): hour to be reminded, quiet hours, pause.
    remind_hour: Mapped[int | None] = mapped_column(Integer)
    quiet_from: Mapped[int] = mapped_column(Integer, default=21, server_default="21")
    quiet_to: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    paused_until: Mapped[date | None] = mapped_column(Date)
    paused_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # Consent withdrawn: personal data erased, past entries still counted, anonymously.
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberMove(Base):
    """A member moved from one cell to another (their history moves with them)."""

    __tablename__ = "member_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    moved_at: Mapped[datetime]


class ConsentEvent(Base):
    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # given | declined | withdrawn
    notice_version: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class InviteCode(Base):
    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))


class ChatAccount(Base):
    __tablename__ = "chat_accounts"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_chat_accounts_platform_external"),
        Index("ix_chat_accounts_member_report", "member_id", "platform", "blocked_at"),  # reports (0004_reports)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    linked_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # The platform said the user blocked the bot (Telegram 403); cleared when they write again.
    blocked_at: Mapped[datetime | None]


class Theme(Base):
    """The year's theme (chuyên đề năm)."""

    __tablename__ = "themes"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime]


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


class DialogStateRow(Base):
    """Where a chat account is in a conversation; kept here so a restart loses nothing."""

    __tablename__ = "dialog_states"

    account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    nonce: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class LinkFailure(Base):
    """A wrong invite code typed from a chat account: many in a short time means someone is guessing."""

    __tablename__ = "link_failures"
    __table_args__ = (Index("ix_link_failures_account_time", "platform", "external_id", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """An incoming update already handled: a redelivery is recognised and skipped."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class Evidence(Base):
    """A photo a member sent as evidence of progress: the platform's file reference or URL, not the file."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    progress_entry_id: Mapped[int | None] = mapped_column(ForeignKey("progress_entries.id"))
    platform: Mapped[str] = mapped_column(String(16))
    file_ref: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class InboxUpdate(Base):
    """A webhook update stored before the platform got its 200: processed from here, so a crash loses nothing."""

    __tablename__ = "inbox_updates"
    __table_args__ = (UniqueConstraint("platform", "update_key", name="uq_inbox_updates_platform_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class StoredFile(Base):
    """A generated report or chart, served to one member by a signed, expiring link (Zalo has no documents)."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class MessageQuota(Base):
    """Messages sent per platform and month (Zalo counts them against a monthly quota)."""

    __tablename__ = "message_quota"
    __table_args__ = (PrimaryKeyConstraint("platform", "month", name="pk_message_quota"),)

    platform: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11", local time
    sent: Mapped[int] = mapped_column(Integer, default=0)
    warned_at: Mapped[datetime | None]


class Cycle(Base):
    """The annual cycle of a year, set by the committee: registration deadline, self-assessment start."""

    __tablename__ = "cycles"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    self_assessment_from: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


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


class SelfAssessment(Base):
    """The member's year-end verdict on one commitment (tự đánh giá), with cause and remedy when not done."""

    __tablename__ = "self_assessments"

    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), primary_key=True)
    result: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime]


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


class UnitEvent(Base):
    """An organisation change (merge, move, dissolve): kept so past periods report the tree as it was."""

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # merge | move | dissolve
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    old_path: Mapped[str] = mapped_column(String(400))
    members_moved: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime]
