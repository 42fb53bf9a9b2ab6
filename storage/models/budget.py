"""The shared rate budget of each bot token (bot/rate_budget.py; migration 0009_rate_budget)."""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class RateBudgetRow(Base):
    """One row per bot token (the overall budget and the pause after a 429) and one per chat of that token.

    `key` is "<platform>:<token hash>" for the token and "<platform>:<token hash>:<chat id>" for a chat (never the
    token itself). Times are seconds since the epoch: `next_at` is when the next message may start (a chat's row:
    its theoretical next arrival), `paused_until` when a 429's retry_after ends (token rows only)."""

    __tablename__ = "rate_budget"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    next_at: Mapped[float] = mapped_column(Double, default=0.0)
    paused_until: Mapped[float] = mapped_column(Double, default=0.0)
