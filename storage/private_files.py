"""Files holding personal data (the SQLite database, exports, reports) are readable by the operator's account
alone: created with mode 0600, in folders the bot creates with mode 0700, whatever the umask. A file that is
already there is tightened to 0600 when the bot writes it or opens it as its database."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700; folders that exist are left as they are."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # created meanwhile by another process
            continue
        path.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask


def make_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist; tighten it to 0600 if it does (when it is ours)."""
    make_private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return
    try:
        os.fchmod(descriptor, FILE_MODE)  # the mode given to open() is masked by the umask too
    finally:
        os.close(descriptor)


def tighten(path: Path) -> None:
    """Take group and others' permissions off an existing file; a file of another user is left alone."""
    try:
        current = path.stat().st_mode & 0o777
        if current & 0o077:
            path.chmod(current & FILE_MODE)
    except (FileNotFoundError, PermissionError):
        return


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path` (replacing what was there) as a file only its owner can read."""
    make_private_file(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
