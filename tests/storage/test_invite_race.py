"""One invite code, two chat accounts typing it at the same moment: at most one is linked (issue 10).

Each attempt runs in its own unit of work (its own connection), both started together. On PostgreSQL both
read the code as unused before either writes; the code is spent by one conditional UPDATE, so the second
waits for the first's row lock and then finds it spent. SQLite's BEGIN IMMEDIATE serialises them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import core as t
from handlers.services.errors import UserError
from handlers.services.linking import link_account
from storage.enums import Role, UnitKind
from storage.models import Member
from tests.support import Database, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "RACE2345"


async def a_member_with_a_code(db: Database, clock: FakeClock) -> int:
    now = clock.now()
    async with db.uow() as uow:
        cell = await uow.units.add("Chi bộ thôn Đồng Tâm", UnitKind.CELL, None, now)
        member = await uow.members.add(
            Member(
                code="DV001",
                full_name="Nguyễn Văn An",
                role=Role.MEMBER.value,
                cell_id=cell.id,
                consent_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        await uow.invites.add(CODE, member.id, now, expires_at=now + timedelta(days=14))
        await uow.commit()
        return member.id


async def attempt(db: Database, clock: FakeClock, external_id: str) -> str:
    async with db.uow() as uow:
        try:
            await link_account(uow, "telegram", external_id, CODE, clock.now(), TZ)
        except UserError as error:
            await uow.commit()  # as the router does: the failure is recorded
            return error.message
        await uow.commit()
        return "linked"


async def test_two_accounts_racing_with_one_code_link_at_most_one(any_db: Database, clock: FakeClock) -> None:
    member_id = await a_member_with_a_code(any_db, clock)
    for round_ in range(3):  # a few rounds: the interleaving is the event loop's
        results = await asyncio.gather(*(attempt(any_db, clock, f"{round_}-{n}") for n in range(2)))
        expected = (
            ["linked", t.CODE_UNKNOWN.format(code=CODE)] if round_ == 0 else [t.CODE_UNKNOWN.format(code=CODE)] * 2
        )
        assert sorted(results) == sorted(expected), results
    async with any_db.uow() as uow:
        accounts = await uow.accounts.for_member(member_id)
        invite = await uow.invites.by_code(CODE)
    assert len(accounts) == 1
    assert invite is not None and invite.used_by_account_id == accounts[0].id and invite.used_at == clock.now()
