"""Access to the leaders' web dashboard: personal login links sent in the chat and the sessions they open.

A link `<base>/login/<token>` is single use, valid LOGIN_TTL and bound to the member who asked with /web; it
opens a session of SESSION_TTL. Only SHA-256 hashes of both tokens are stored (256 random bits each: a hash is
enough, no salt or slow hash is needed), so the rows open nothing. A session ends with «Đăng xuất», consent
withdrawal, unlinking, `lamtheo web sessions --revoke`, and it is refused (and ended) as soon as its member's
role or scope differs from what it was opened with, or the member is no longer linked and consenting.
Wrong links are counted per address in `link_failures` (platform "web"): MAX_BAD_LOGINS in BAD_LOGIN_WINDOW
and no link from that address is even looked at.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.catalog import web as w
from handlers.services.authz import Actor, can_summarise, load_actor
from handlers.services.errors import Forbidden, NotFound
from storage.enums import Platform
from storage.models import Member
from storage.uow import UnitOfWork

LOGIN_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
MAX_BAD_LOGINS = 10
BAD_LOGIN_WINDOW = timedelta(hours=1)
FAILURE_PLATFORM = "web"  # the rows of `link_failures` counting wrong login links, per address
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


async def issue_login(uow: UnitOfWork, actor: Actor, now: datetime) -> str:
    """A new login token for a leader (the caller builds the link and commits)."""
    if not can_summarise(actor):
        raise Forbidden(w.WEB_FOR_LEADERS)
    token = new_token()
    await uow.web.add_login(token_hash(token), actor.member_id, now, now + LOGIN_TTL)
    return token


@dataclass(frozen=True)
class Opened:
    session: str  # the cookie's value
    expires_at: datetime


async def open_login(uow: UnitOfWork, token: str, address: str, now: datetime) -> Opened:
    """Spend a login token and open a session. NotFound for a wrong, used or expired token (counted against
    the address); Forbidden when the address tried too many. The caller commits either way."""
    since = now - BAD_LOGIN_WINDOW
    if await uow.accounts.link_failures_since(FAILURE_PLATFORM, address[:64], since) >= MAX_BAD_LOGINS:
        raise Forbidden(w.LOGIN_TOO_MANY)
    member_id = await uow.web.spend_login(token_hash(token), now) if TOKEN_SHAPE.fullmatch(token) else None
    member = await uow.members.get(member_id) if member_id is not None else None
    if member is None or not await may_use_web(uow, member):
        await uow.accounts.record_link_failure(FAILURE_PLATFORM, address[:64], now)
        raise NotFound(w.LOGIN_INVALID)
    session = new_token()
    expires_at = now + SESSION_TTL
    await uow.web.add_session(token_hash(session), member, now, expires_at)
    return Opened(session, expires_at)


async def may_use_web(uow: UnitOfWork, member: Member) -> bool:
    """Active, consenting, not anonymised, a leader, and linked to a chat (the link came through one)."""
    accounts = await uow.accounts.for_member(member.id)
    linked = any(account.platform != Platform.CONSOLE.value for account in accounts)
    return web_allowed(member, await load_actor(uow, member), linked)


def web_allowed(member: Member, actor: Actor, linked: bool) -> bool:
    if not member.active or member.consent_at is None or member.anonymised_at is not None:
        return False
    return can_summarise(actor) and linked


async def session_actor(uow: UnitOfWork, session: str | None, now: datetime) -> tuple[Actor | None, bool]:
    """The actor behind a session cookie, or None (no cookie, unknown or expired); and whether the session is
    stale (its member's role or scope changed, or they may no longer use the web): then `log_out` ends it.
    Only reads (one statement), so a page view never waits for the write lock."""
    if not session or not TOKEN_SHAPE.fullmatch(session):
        return None, False
    found = await uow.web.session_view(token_hash(session), now)
    if found is None:
        return None, False
    member, opened = found.member, found.session
    if found.scope is not None:
        uow.units.hold(found.scope)  # the page asks for it next
    unchanged = member.role == opened.role and member.scope_unit_id == opened.scope_unit_id
    actor = await load_actor(uow, member, found.scope)
    if not unchanged or not web_allowed(member, actor, found.linked):
        return None, True
    return actor, False


async def log_out(uow: UnitOfWork, session: str | None) -> None:
    if session and TOKEN_SHAPE.fullmatch(session):
        await uow.web.end_session(token_hash(session))


async def end_sessions_of(uow: UnitOfWork, member_ids: list[int]) -> int:
    """Consent withdrawn, an account unlinked, a role changed: the member's sessions and links end."""
    return await uow.web.end_sessions_of(member_ids)


async def revoke(uow: UnitOfWork, member_code: str) -> int:
    """`lamtheo web sessions --revoke CODE`: how many sessions ended."""
    member = await uow.members.by_code(member_code.strip())
    if member is None:
        raise NotFound(w.MEMBER_UNKNOWN.format(code=member_code.strip()[:32]))
    return await end_sessions_of(uow, [member.id])
