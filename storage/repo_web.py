"""Login links and sessions of the web dashboard, looked up by the hash of their token (never the token)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

from storage.enums import CommitmentKind, CommitmentStatus, Platform, ReviewState
from storage.models import ChatAccount, Commitment, Member, Unit, WebLogin, WebSession

PENDING: ColumnClause[str] = literal_column(f"'{ReviewState.PENDING.value}'")


@dataclass(frozen=True)
class SessionLine:
    """A session as the operator lists it: whose, since when, until when (no token, no hash)."""

    member_code: str
    role: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Standing:
    """Why a member may be left out of the rates."""

    exempt: bool
    paused_until: date | None


@dataclass(frozen=True)
class SessionView:
    session: WebSession
    member: Member
    scope: Unit | None
    linked: bool  # a chat account other than the console


class WebRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_login(self, token_hash: str, member_id: int, now: datetime, expires_at: datetime) -> None:
        self.session.add(WebLogin(token_hash=token_hash, member_id=member_id, created_at=now, expires_at=expires_at))
        await self.session.flush()

    async def spend_login(self, token_hash: str, now: datetime) -> int | None:
        """The member of an unused, unexpired login, marked used by one conditional UPDATE (of two requests
        with the same link, only one gets a member); None otherwise."""
        login = (await self.session.scalars(select(WebLogin).where(WebLogin.token_hash == token_hash))).first()
        if login is None:
            return None
        stmt = (
            update(WebLogin)
            .where(WebLogin.id == login.id, WebLogin.used_at.is_(None), WebLogin.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return login.member_id if int(getattr(result, "rowcount", 0) or 0) == 1 else None

    async def add_session(self, session_hash: str, member: Member, now: datetime, expires_at: datetime) -> None:
        row = WebSession(
            session_hash=session_hash,
            member_id=member.id,
            role=member.role,
            scope_unit_id=member.scope_unit_id,
            created_at=now,
            expires_at=expires_at,
        )
        self.session.add(row)
        await self.session.flush()

    async def session_by_hash(self, session_hash: str, now: datetime) -> WebSession | None:
        stmt = select(WebSession).where(WebSession.session_hash == session_hash, WebSession.expires_at > now)
        return (await self.session.scalars(stmt)).first()

    async def session_view(self, session_hash: str, now: datetime) -> SessionView | None:
        """A live session with its member, the member's scope unit and whether they have a chat account other than
        the console: what every page view checks, in one statement (the entities join the identity map)."""
        linked = (
            select(ChatAccount.id)
            .where(ChatAccount.member_id == Member.id, ChatAccount.platform != Platform.CONSOLE.value)
            .exists()
        )
        stmt = (
            select(WebSession, Member, Unit, linked)
            .join(Member, Member.id == WebSession.member_id)
            .outerjoin(Unit, Unit.id == Member.scope_unit_id)
            .where(WebSession.session_hash == session_hash, WebSession.expires_at > now)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else SessionView(row[0], row[1], row[2], bool(row[3]))

    async def end_session(self, session_hash: str) -> int:
        result = await self.session.execute(delete(WebSession).where(WebSession.session_hash == session_hash))
        return int(getattr(result, "rowcount", 0) or 0)

    async def end_sessions_of(self, member_ids: Sequence[int]) -> int:
        """End every session and unused login link of these members; how many sessions ended."""
        if not member_ids:
            return 0
        await self.session.execute(delete(WebLogin).where(WebLogin.member_id.in_(member_ids)))
        result = await self.session.execute(delete(WebSession).where(WebSession.member_id.in_(member_ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    async def sessions(self, now: datetime) -> list[SessionLine]:
        stmt = (
            select(Member.code, WebSession.role, WebSession.created_at, WebSession.expires_at)
            .join(Member, Member.id == WebSession.member_id)
            .where(WebSession.expires_at > now)
            .order_by(Member.code, WebSession.created_at)
        )
        return [SessionLine(*row) for row in (await self.session.execute(stmt)).all()]

    async def prune_expired(self, now: datetime) -> int:
        """Forget sessions and login links past their expiry."""
        logins = await self.session.execute(delete(WebLogin).where(WebLogin.expires_at <= now))
        sessions = await self.session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        return sum(int(getattr(result, "rowcount", 0) or 0) for result in (logins, sessions))

    async def pending_under(self, path: str, not_of_member: int) -> list[tuple[Commitment, Member, str]]:
        """Individual registrations awaiting approval of active members whose cell (or, for staff without a cell,
        whose committee) is under `path`, with that unit's name; none of `not_of_member`. Oldest first; found from
        the partial index of pending rows (the approved ones are never read)."""
        home = func.coalesce(Member.cell_id, Member.scope_unit_id)
        stmt = (
            select(Commitment, Member, Unit.name)
            .join(Member, Member.id == Commitment.member_id)
            .join(Unit, Unit.id == home)
            .where(
                Commitment.review_state == PENDING,  # a literal: the partial index is only used for it
                Commitment.kind == CommitmentKind.INDIVIDUAL.value,
                Commitment.status == CommitmentStatus.ACTIVE.value,
                Commitment.member_id != not_of_member,
                Member.active.is_(True),
                Unit.path.startswith(path),
            )
            .order_by(Commitment.created_at, Commitment.id)
        )
        return [(row[0], row[1], row[2]) for row in (await self.session.execute(stmt)).all()]
