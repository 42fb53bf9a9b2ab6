"""Generated files as signed, expiring links to the web server (Zalo has no documents).

A link is `<base>/files/<token>?e=<expiry epoch>&s=<signature>`; the signature is an HMAC-SHA256 over
`token|member_id|expiry` with a key derived from FILE_LINK_KEY (or, when that is unset, from a key generated
into ./data/file-link.key on the first start): never from WEBHOOK_SECRET, which every link would otherwise
expose to an offline guess. The member is not in the link: the signature is checked against the member the
stored file belongs to, so a link signed for anyone else, or with another expiry, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from handlers.catalog import web as w
from handlers.clock import Clock
from handlers.messages import Attachment
from storage.enums import Platform
from storage.models import StoredFile
from storage.uow import UnitOfWork

KEY_PURPOSE = b"lamtheo/file-links/v2"  # the configured key itself is never used as the signing key
GENERATED_KEY_FILE = Path("data") / "file-link.key"
MIN_KEY_LENGTH = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_FILENAME = 200


@dataclass(frozen=True)
class FileAnswer:
    """What the web server answers for a file link: the file (200) or a short Vietnamese refusal."""

    status: int
    title: str = ""
    message: str = ""
    filename: str = ""
    mime: str = ""
    content: bytes = b""


FORBIDDEN = FileAnswer(403, w.FILE_FORBIDDEN_TITLE, w.FILE_FORBIDDEN)
EXPIRED = FileAnswer(410, w.FILE_EXPIRED_TITLE, w.FILE_EXPIRED)
NOT_FOUND = FileAnswer(404, w.FILE_NOT_FOUND_TITLE, w.FILE_NOT_FOUND)


class FileLinks:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        base_url: str,
        key: str,
        ttl: timedelta,
        clock: Clock,
    ) -> None:
        self.uow_factory = uow_factory
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.clock = clock
        self._key = hmac.new(key.encode("utf-8"), KEY_PURPOSE, hashlib.sha256).digest()

    def signature(self, token: str, member_id: int, expiry: int) -> str:
        message = f"{token}|{member_id}|{expiry}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    async def link_for(self, attachment: Attachment, member_id: int) -> str:
        """Store the file for `member_id` and return a link only valid for them, until it expires."""
        now = self.clock.now()
        expiry = int((now + self.ttl).timestamp())
        token = secrets.token_urlsafe(24)
        stored = StoredFile(
            token=token,
            member_id=member_id,
            filename=attachment.filename[:MAX_FILENAME],
            mime=attachment.mime[:100],
            content=attachment.content,
            created_at=now,
            expires_at=datetime.fromtimestamp(expiry, UTC),
        )
        async with self.uow_factory() as uow:
            await uow.files.add(stored)
            await uow.commit()
        return f"{self.base_url}/files/{token}?e={expiry}&s={self.signature(token, member_id, expiry)}"

    async def open(self, token: str, expiry_text: str | None, signature: str | None) -> FileAnswer:
        """Check a link (shape, expiry, owner's signature, in constant time) and return its file or a refusal."""
        if not TOKEN_SHAPE.fullmatch(token) or not signature or not (expiry_text or "").isdigit():
            return FORBIDDEN
        expiry = int(expiry_text or "0")
        now = self.clock.now()
        if expiry <= now.timestamp():
            return EXPIRED
        async with self.uow_factory() as uow:
            stored = await uow.files.by_token(token)
        if stored is None:
            return NOT_FOUND
        expected = self.signature(token, stored.member_id, expiry)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape")):
            return FORBIDDEN
        if stored.expires_at <= now or int(stored.expires_at.timestamp()) != expiry:
            return EXPIRED
        return FileAnswer(200, filename=stored.filename, mime=stored.mime, content=stored.content)


def load_or_create_link_key(configured: str | None, path: Path = GENERATED_KEY_FILE) -> str:
    """FILE_LINK_KEY when set; otherwise the key stored in `path`, generated there (mode 0600, its folder 0700)
    on the first start. ValueError naming the file when it cannot be read or holds no usable key."""
    if configured:
        return configured
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # an earlier start (or another process just now) made it
            key = path.read_text(encoding="ascii").strip()
        else:
            key = secrets.token_urlsafe(32)
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(key + "\n")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: {type(error).__name__}") from None
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"{path}: shorter than {MIN_KEY_LENGTH} characters")
    return key


def zalo_file_link(links: FileLinks) -> Callable[[Attachment, str], Awaitable[str | None]]:
    """The `file_link` a ZaloChannel takes: the link for the member behind a Zalo user id (None: not linked)."""

    async def link(attachment: Attachment, zalo_user_id: str) -> str | None:
        async with links.uow_factory() as uow:
            account = await uow.accounts.find(Platform.ZALO.value, zalo_user_id)
            member_id = account.member_id if account is not None else None
        if member_id is None:
            return None
        return await links.link_for(attachment, member_id)

    return link
