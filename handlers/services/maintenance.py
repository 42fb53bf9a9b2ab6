"""Housekeeping the bot does on its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.uow import UnitOfWork

# Telegram keeps undelivered updates for 24 hours; a week of keys is a wide margin against redelivery.
KEEP_UPDATE_KEYS = timedelta(days=7)


KEEP_LINK_FAILURES = timedelta(days=1)


async def prune_update_log(uow: UnitOfWork, now: datetime, keep: timedelta = KEEP_UPDATE_KEYS) -> int:
    """Forget processed-update keys older than `keep`, and old wrong-code records; the caller commits.
    Returns how many update keys went."""
    await uow.accounts.prune_link_failures(now - KEEP_LINK_FAILURES)
    return await uow.updates.prune(now - keep)
