"""Polling stays single: `lamtheo run` (polling) refuses to start beside another poller of the same bot token on
the same database, since two pollers would take each other's updates (Telegram answers the second getUpdates
with a conflict, and their replies would run out of order).

On PostgreSQL the guard is a session-level advisory lock per token (keyed on the token's hash) held on a
dedicated connection for as long as the poller runs; on SQLite a file lock beside the database file. Both
go with the process, also when it is killed: a stale guard never blocks the next start.
"""

from __future__ import annotations

import hashlib

from bot.settings import Settings
from storage.db import is_sqlite
from storage.locks import FileLock, SessionLock, poller_key


def bot_identities(settings: Settings) -> list[str]:
    """One identity per platform token set ("platform:token"); only its hash ever leaves this function."""
    tokens = {"telegram": settings.telegram_bot_token, "zalo": settings.zalo_bot_token}
    return [f"{platform}:{token.get_secret_value()}" for platform, token in tokens.items() if token is not None]


class PollerGuard:
    def __init__(self, settings: Settings) -> None:
        identities = bot_identities(settings)
        url = settings.database_url
        self.sqlite = is_sqlite(url)
        self.files = [FileLock(url, "poller-" + hashlib.sha256(i.encode()).hexdigest()[:16]) for i in identities]
        self.locks = [SessionLock(url, poller_key(identity)) for identity in identities]
        if self.sqlite:
            self.locks = []
        else:
            self.files = []

    async def acquire(self) -> bool:
        """True: no other poller of these tokens runs on this database, and none can start until release()."""
        taken = [lock.try_acquire() for lock in self.files] + [await lock.try_acquire() for lock in self.locks]
        if all(taken):
            return True
        await self.release()
        return False

    async def release(self) -> None:
        for file_lock in self.files:
            file_lock.release()
        for lock in self.locks:
            await lock.release()
