"""Housekeeping the bot does on its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.uow import UnitOfWork

# Telegram keeps undelivered updates for 24 hours; a week of keys is a wide margin against redelivery.
KEEP_UPDATE_KEYS = timedelta(days=7)


async def prune_update_log(uow: UnitOfWork, now: datetime, keep: timedelta = KEEP_UPDATE_KEYS) -> int:
    """Forget processed-update keys older than `keep`; the caller commits. Returns how many went."""
    return await uow.updates.prune(now - keep)
