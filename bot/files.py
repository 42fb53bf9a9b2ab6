"""Generated files as signed, expiring links to the web server (Zalo has no documents).

A link is `<base>/files/<token>?e=<expiry epoch>&s=<signature>`; the signature is an HMAC-SHA256 over
`token|expiry` with a key derived from FILE_LINK_KEY (or, when that is unset, from a key generated into
./data/file-link.key on the first start): never from WEBHOOK_SECRET, which every link would otherwise expose
to an offline guess. The token (192 random bits) names one stored file of one member; the signature binds its
expiry. Shape, signature and expiry are checked before the database is touched: a forged or malformed link
costs no transaction.
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
EXPIRY_SHAPE = re.compile(r"[1-9][0-9]{0,11}")  # ASCII digits only: str.isdigit() also takes "²" and "①"
SIGNATURE_SHAPE = re.compile(r"[0-9a-f]{64}")  # what hexdigest() gives
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

    def signature(self, token: str, expiry: int) -> str:
        return hmac.new(self._key, f"{token}|{expiry}".encode(), hashlib.sha256).hexdigest()

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
        return f"{self.base_url}/files/{token}?e={expiry}&s={self.signature(token, expiry)}"

    async def open(self, token: str, expiry_text: str | None, signature: str | None) -> FileAnswer:
        """Check a link (shape, signature, expiry: no database) and return its file or a refusal."""
        checked = self.verify(token, expiry_text, signature)
        if isinstance(checked, FileAnswer):
            return checked
        async with self.uow_factory().read_only() as uow:  # a download never waits for the write lock
            stored = await uow.files.by_token(token)
        if stored is None:
            return NOT_FOUND
        if stored.expires_at <= self.clock.now() or int(stored.expires_at.timestamp()) != checked:
            return EXPIRED
        return FileAnswer(200, filename=stored.filename, mime=stored.mime, content=stored.content)

    def verify(self, token: str, expiry_text: str | None, signature: str | None) -> int | FileAnswer:
        """The link's expiry when its shape and signature (compared in constant time) are right and it has not
        expired; otherwise the refusal to answer."""
        if not (
            TOKEN_SHAPE.fullmatch(token)
            and EXPIRY_SHAPE.fullmatch(expiry_text or "")
            and SIGNATURE_SHAPE.fullmatch(signature or "")
        ):
            return FORBIDDEN
        expiry = int(expiry_text or "0")
        if not hmac.compare_digest(self.signature(token, expiry), signature or ""):
            return FORBIDDEN
        if expiry <= self.clock.now().timestamp():
            return EXPIRED
        return expiry


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
