"""What the bot keeps about the platforms: update keys seen, the webhook inbox, files served by signed
links and the monthly message quota."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ProcessedUpdate(Base):
    """An incoming update already handled: a redelivery is recognised and skipped (its unsent replies resent)."""

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)
    # The replies it produced, committed with its effects and blanked once sent: an instance dying in between
    # leaves them here, and the update's next processing (a take-over, a replay) sends them instead of nothing.
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


OPEN = text("processed_at IS NULL")


class InboxUpdate(Base):
    """A webhook update stored before the platform got its 200: processed from here, so a crash loses nothing."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        UniqueConstraint("platform", "update_key", name="uq_inbox_updates_platform_key"),
        # Only the rows not processed yet (a few) are indexed: a claim never walks the days of processed ones.
        Index("ix_inbox_updates_open", "platform", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        Index("ix_inbox_updates_open_chat", "platform", "chat_key", "id", postgresql_where=OPEN, sqlite_where=OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    chat_key: Mapped[str | None] = mapped_column(String(64))  # a chat's updates are processed in arrival order
    lease_owner: Mapped[str | None] = mapped_column(String(64))  # the instance processing it, until lease_until
    lease_until: Mapped[datetime | None]


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
