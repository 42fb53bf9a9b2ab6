"""The web dashboard's login links and sessions in the database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set): a link opened by two requests at once opens one session; expired links and sessions open nothing; only
hashes are stored; a member's sessions end together; housekeeping forgets the expired ones."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from handlers.services.authz import load_actor
from handlers.services.errors import NotFound
from handlers.services.web_access import LOGIN_TTL, SESSION_TTL, issue_login, open_login, session_actor
from storage.enums import Platform, Role, UnitKind
from storage.models import Member, WebLogin, WebSession
from storage.uow import UnitOfWork
from tests.support import Database, FakeClock


async def a_secretary(db: Database, clock: FakeClock) -> int:
    now = clock.now()
    async with db.uow() as uow:
        cell = await uow.units.add("Chi bộ thôn Đồng Tâm", UnitKind.CELL, None, now)
        member = await uow.members.add(
            Member(code="DV002", full_name="Trần Thị Bích Ngọc", role=Role.SECRETARY.value, cell_id=cell.id,
                   scope_unit_id=cell.id, consent_at=now, created_at=now, updated_at=now)
        )
        await uow.accounts.add(Platform.TELEGRAM.value, "42", member.id, now)
        await uow.commit()
        return member.id


async def a_link(db: Database, clock: FakeClock, member_id: int) -> str:
    async with db.uow() as uow:
        member = await uow.members.get(member_id)
        assert member is not None
        token = await issue_login(uow, await load_actor(uow, member), clock.now())
        await uow.commit()
        return token


async def opened(db: Database, clock: FakeClock, token: str, address: str = "10.0.0.1") -> str | None:
    async with db.uow() as uow:
        try:
            return (await open_login(uow, token, address, clock.now())).session
        except NotFound:
            return None
        finally:
            await uow.commit()


async def test_a_link_opened_twice_at_once_opens_one_session(any_db: Database, clock: FakeClock) -> None:
    token = await a_link(any_db, clock, await a_secretary(any_db, clock))
    results = await asyncio.gather(opened(any_db, clock, token), opened(any_db, clock, token, "10.0.0.2"))
    assert sum(result is not None for result in results) == 1
    async with any_db.uow() as uow:
        rows = list((await uow.web.session.scalars(select(WebSession))).all())
        logins = list((await uow.web.session.scalars(select(WebLogin))).all())
    assert len(rows) == 1 and len(logins) == 1
    session = next(result for result in results if result is not None)
    assert token not in (logins[0].token_hash,) and session != rows[0].session_hash  # hashes only
    assert rows[0].role == Role.SECRETARY.value and rows[0].expires_at == clock.now() + SESSION_TTL


async def test_expiry_and_ending(any_db: Database, clock: FakeClock) -> None:
    member_id = await a_secretary(any_db, clock)
    late = await a_link(any_db, clock, member_id)
    clock.advance(seconds=LOGIN_TTL.total_seconds() + 1)
    assert await opened(any_db, clock, late) is None
    session = await opened(any_db, clock, await a_link(any_db, clock, member_id))
    assert session is not None
    async with any_db.uow() as uow:
        actor, stale = await session_actor(uow, session, clock.now())
        assert actor is not None and actor.member_id == member_id and not stale
        assert (await session_actor(uow, session, clock.now() + SESSION_TTL))[0] is None
        await a_link_in(uow, clock, member_id)
        assert await uow.web.end_sessions_of([member_id]) == 1
        await uow.commit()
    async with any_db.uow() as uow:
        assert await session_actor(uow, session, clock.now()) == (None, False)
        assert list((await uow.web.session.scalars(select(WebLogin))).all()) == []  # unused links go too
    await opened(any_db, clock, await a_link(any_db, clock, member_id))
    async with any_db.uow() as uow:
        assert await uow.web.prune_expired(clock.now() + timedelta(hours=9)) == 2
        await uow.commit()


async def a_link_in(uow: UnitOfWork, clock: FakeClock, member_id: int) -> None:
    member = await uow.members.get(member_id)
    assert member is not None
    await issue_login(uow, await load_actor(uow, member), clock.now())
