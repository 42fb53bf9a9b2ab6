"""Chat accounts linked to members, invite codes, wrong codes typed, and each account's dialog state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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


class InviteCode(Base):
    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # INVITE_TTL_DAYS after it was issued (migration 0006_invite_expiry)
    platform: Mapped[str | None] = mapped_column(String(16))  # links only on this platform; None: on any
    used_at: Mapped[datetime | None]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("chat_accounts.id"))


class LinkFailure(Base):
    """A wrong invite code typed from a chat account: many in a short time means someone is guessing."""

    __tablename__ = "link_failures"
    __table_args__ = (Index("ix_link_failures_account_time", "platform", "external_id", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime]


class DialogStateRow(Base):
    """Where a chat account is in a conversation; kept here so a restart loses nothing."""

    __tablename__ = "dialog_states"

    account_id: Mapped[int] = mapped_column(ForeignKey("chat_accounts.id"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    nonce: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
