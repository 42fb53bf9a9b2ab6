"""Housekeeping the bot does on its own: forgetting what is no longer needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.uow import UnitOfWork

# Telegram keeps undelivered updates for 24 hours; a week of keys is a wide margin against redelivery.
KEEP_UPDATE_KEYS = timedelta(days=7)
KEEP_PROCESSED_INBOX = timedelta(days=7)  # platforms stop redelivering long before
KEEP_LINK_FAILURES = timedelta(days=1)
# Replies of an update whose sending was never confirmed (a crash, then the update given up): past the inbox's
# age limit nothing resends them, so their texts go long before their key.
KEEP_UNSENT_REPLIES = timedelta(days=1)
# Texts of messages already sent (they may name people) are blanked after this; the rows and counts stay.
KEEP_SENT_TEXTS = timedelta(days=30)


@dataclass(frozen=True)
class Pruned:
    inbox_updates: int
    expired_files: int
    update_keys: int
    sent_texts: int = 0
    web_sessions: int = 0  # expired sessions and login links of the web dashboard


async def prune_update_log(uow: UnitOfWork, now: datetime, keep: timedelta = KEEP_UPDATE_KEYS) -> int:
    """Forget processed-update keys older than `keep` (and blank unsent replies kept past KEEP_UNSENT_REPLIES),
    and old wrong-code records; the caller commits. Returns how many update keys went."""
    await uow.accounts.prune_link_failures(now - KEEP_LINK_FAILURES)
    await uow.updates.blank_unsent_replies(now - KEEP_UNSENT_REPLIES)
    return await uow.updates.prune(now - keep)


async def prune_old_records(uow: UnitOfWork, now: datetime, keep_sent_texts: timedelta = KEEP_SENT_TEXTS) -> Pruned:
    """Forget old processed webhook updates, update keys and wrong-code records, delete the files whose links
    have expired and the web dashboard's expired sessions and login links, and blank the texts of messages
    sent longer than `keep_sent_texts` ago; the caller commits."""
    inbox = await uow.inbox.prune_processed(now - KEEP_PROCESSED_INBOX)
    files = await uow.files.prune_expired(now)
    keys = await prune_update_log(uow, now)
    texts = await uow.deliveries.blank_sent_texts(now - keep_sent_texts)
    return Pruned(inbox, files, keys, texts, await uow.web.prune_expired(now))
