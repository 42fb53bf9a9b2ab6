"""`lamtheo db backup --out FILE` and `lamtheo db restore FILE` (storage/backup.py does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.catalog import admin as a
from storage.backup import BackupError, backup, restore


def backup_command(url: str, action: str, path: Path) -> int:
    try:
        if action == "backup":
            backup(url, path)
        else:
            restore(url, path)
    except BackupError as error:
        print(a.DB_BACKUP_FAILED[error.reason].format(detail=error.detail), file=sys.stderr)
        return 1
    print((a.DB_BACKED_UP if action == "backup" else a.DB_RESTORED).format(path=path))
    return 0
