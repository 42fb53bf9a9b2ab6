"""The organisation tree and its members: units, their changes, member moves and consent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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
