"""Storage: the unit of work, the repositories' queries and the UTC column, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from storage.enums import CommitmentStatus, Platform, Role, UnitKind
from storage.models import Commitment, DialogStateRow, Member, ProcessedUpdate, Unit
from storage.uow import UnitOfWork
from tests.support import TZ, Database, FakeClock

YEAR = 2026


# --- helpers --------------------------------------------------------------------------------------


async def count(uow: UnitOfWork, model: type[Any]) -> int:
    return int(await uow.units.session.scalar(select(func.count()).select_from(model)) or 0)


def member(
    code: str,
    cell: Unit | None,
    now: datetime,
    *,
    name: str | None = None,
    role: Role = Role.MEMBER,
    scope: Unit | None = None,
    exempt: bool = False,
    active: bool = True,
) -> Member:
    return Member(
        code=code,
        full_name=name or f"Dang vien {code}",
        position="",
        role=role.value,
        cell_id=cell.id if cell else None,
        scope_unit_id=scope.id if scope else None,
        exempt=exempt,
        active=active,
        created_at=now,
        updated_at=now,
    )


def commitment(
    owner: Member,
    now: datetime,
    *,
    year: int = YEAR,
    percent: int = 0,
    last_progress_at: datetime | None = None,
    withdrawn: bool = False,
) -> Commitment:
    return Commitment(
        member_id=owner.id,
        year=year,
        content="Vận động 5 hộ phân loại rác",
        measures="Họp tổ, đến từng nhà",
        deadline=date(year, 12, 31),
        status=(CommitmentStatus.WITHDRAWN if withdrawn else CommitmentStatus.ACTIVE).value,
        percent=percent,
        last_progress_at=last_progress_at,
        created_at=now,
        updated_at=now,
        withdrawn_at=now if withdrawn else None,
    )


# --- the unit of work -----------------------------------------------------------------------------


async def test_uow_rolls_back_unless_committed(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        await uow.units.add("Đảng bộ chưa lưu", UnitKind.COMMITTEE, None, clock.now())
        assert await count(uow, Unit) == 1  # visible inside its own transaction
    async with any_db.uow() as uow:
        assert await count(uow, Unit) == 0


async def test_uow_rolls_back_when_the_block_raises(any_db: Database, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with any_db.uow() as uow:
            await uow.units.add("Đảng bộ lỗi", UnitKind.COMMITTEE, None, clock.now())
            raise RuntimeError("boom")
    async with any_db.uow() as uow:
        assert await count(uow, Unit) == 0


async def test_commit_persists_and_later_work_in_the_block_is_rolled_back(any_db: Database, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError):
        async with any_db.uow() as uow:
            await uow.units.add("Đảng bộ đã lưu", UnitKind.COMMITTEE, None, clock.now())
            await uow.commit()
            await uow.units.add("Đảng bộ sau commit", UnitKind.COMMITTEE, None, clock.now())
            raise RuntimeError("after the commit")
    async with any_db.uow() as uow:
        assert [unit.name for unit in await uow.units.all()] == ["Đảng bộ đã lưu"]


async def test_explicit_rollback_discards_and_the_uow_is_reusable(any_db: Database, clock: FakeClock) -> None:
    uow = any_db.uow()
    async with uow:
        await uow.themes.set(YEAR, "bỏ", clock.now())
        await uow.rollback()
        await uow.themes.set(YEAR + 1, "giữ", clock.now())
        await uow.commit()
    async with uow:  # the same object opens a fresh session
        assert await uow.themes.get(YEAR) is None
        theme = await uow.themes.get(YEAR + 1)
        assert theme is not None and theme.title == "giữ"


# --- the update log -------------------------------------------------------------------------------


async def test_postgresql_plans_each_statement_for_its_values(any_db: Database) -> None:
    """A generic plan of a prepared statement is blind to the cells asked for (storage/db.py)."""
    if any_db.url.startswith("sqlite"):
        pytest.skip("SQLite plans every statement anew")
    for _ in range(2):  # a new connection and one taken back from the pool
        async with any_db.uow() as uow:
            mode = (await uow.units.session.execute(text("SHOW plan_cache_mode"))).scalar_one()
        assert mode == "force_custom_plan"


async def test_update_log_claims_once_per_platform_and_key(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "1001", clock.now()) is True
        assert await uow.updates.claim("telegram", "1001", clock.now()) is False
        assert await uow.updates.claim("zalo", "1001", clock.now()) is True  # per platform
        assert await uow.updates.claim("telegram", "1002", clock.now()) is True
        await uow.commit()
    async with any_db.uow() as uow:  # a redelivery after a commit (or a restart) is still recognised
        assert await uow.updates.claim("telegram", "1001", clock.now()) is False
        assert await uow.updates.claim("zalo", "1001", clock.now()) is False
        assert await uow.updates.claim("zalo", "1002", clock.now()) is True
        await uow.commit()
    async with any_db.uow() as uow:
        assert await count(uow, ProcessedUpdate) == 4


async def test_update_log_claim_rolled_back_is_claimable_again(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "7", clock.now()) is True
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "7", clock.now()) is True


async def test_update_log_prune_removes_only_older_rows(any_db: Database, clock: FakeClock) -> None:
    async with any_db.uow() as uow:
        await uow.updates.claim("telegram", "old", clock.now() - timedelta(days=3))
        await uow.updates.claim("telegram", "new", clock.now())
        await uow.commit()
    async with any_db.uow() as uow:
        assert await uow.updates.prune(clock.now() - timedelta(days=1)) == 1
        await uow.commit()
    async with any_db.uow() as uow:
        assert await uow.updates.claim("telegram", "old", clock.now()) is True
        assert await uow.updates.claim("telegram", "new", clock.now()) is False


# --- the unit tree --------------------------------------------------------------------------------


async def test_unit_paths_and_cells_in_subtree(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with any_db.uow() as uow:
        province = await uow.units.add("Tỉnh", UnitKind.COMMITTEE, None, now)
        commune = await uow.units.add("Xã Thanh Sơn", UnitKind.COMMITTEE, province, now)
        ward = await uow.units.add("Phường Hồng Phong", UnitKind.COMMITTEE, province, now)
        dong_tam = await uow.units.add("Chi bộ Đồng Tâm", UnitKind.CELL, commune, now)
        tan_lap = await uow.units.add("Chi bộ Tân Lập", UnitKind.CELL, commune, now)
        closed = await uow.units.add("Chi bộ đã giải thể", UnitKind.CELL, commune, now)
        closed.active = False
        hong_ha = await uow.units.add("Chi bộ Hồng Hà", UnitKind.CELL, ward, now)
        # Pad the ids so that a second root gets id 10+: "/1/" must not match "/10/" or "/11/".
        for i in range(3):
            await uow.units.add(f"Đệm {i}", UnitKind.COMMITTEE, None, now)
        other_root = await uow.units.add("Tỉnh khác", UnitKind.COMMITTEE, None, now)
        other_cell = await uow.units.add("Chi bộ tỉnh khác", UnitKind.CELL, other_root, now)
        await uow.commit()

    assert province.id == 1 and other_root.id >= 10  # both backends start ids at 1 in a fresh database
    assert province.path == "/1/"
    assert commune.path == f"/{province.id}/{commune.id}/" == "/1/2/"
    assert dong_tam.path == f"/1/2/{dong_tam.id}/"
    assert hong_ha.path == f"/1/{ward.id}/{hong_ha.id}/"
    assert other_cell.path == f"/{other_root.id}/{other_cell.id}/"

    async with any_db.uow() as uow:
        stored = await uow.units.get(dong_tam.id)
        assert stored is not None and stored.path == dong_tam.path and stored.parent_id == commune.id
        assert [u.id for u in await uow.units.ancestors(stored)] == [province.id, commune.id, dong_tam.id]

        def ids(units: list[Unit]) -> set[int]:
            return {u.id for u in units}

        assert ids(await uow.units.cells_in_subtree(province)) == {dong_tam.id, tan_lap.id, hong_ha.id}
        assert ids(await uow.units.cells_in_subtree(commune)) == {dong_tam.id, tan_lap.id}
        assert ids(await uow.units.cells_in_subtree(ward)) == {hong_ha.id}
        assert ids(await uow.units.cells_in_subtree(tan_lap)) == {tan_lap.id}  # a cell is its own subtree
        assert ids(await uow.units.cells_in_subtree(other_root)) == {other_cell.id}
        assert closed.id not in ids(await uow.units.cells_in_subtree(province))  # inactive cells left out
        assert [u.id for u in await uow.units.cells_in_subtree(commune)] == sorted([dong_tam.id, tan_lap.id])

        assert (await uow.units.child(None, "Tỉnh")) is not None
        found = await uow.units.child(province.id, "Xã Thanh Sơn")
        assert found is not None and found.id == commune.id
        assert await uow.units.child(ward.id, "Chi bộ Đồng Tâm") is None
        # Case-insensitive beyond ASCII ("Đ"/"đ", "Â"/"â"), and whatever the Unicode form of the input.
        for typed in ("chi bộ đồng tâm", "CHI BỘ ĐỒNG TÂM", unicodedata.normalize("NFD", "Chi bộ Đồng Tâm")):
            assert [u.id for u in await uow.units.find_by_name(typed)] == [dong_tam.id], typed
        assert await uow.units.find_by_name("Chi bộ Đồng") == []


async def test_members_in_subtree_include_committee_staff_by_scope(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with any_db.uow() as uow:
        province = await uow.units.add("Tỉnh", UnitKind.COMMITTEE, None, now)
        commune = await uow.units.add("Xã", UnitKind.COMMITTEE, province, now)
        ward = await uow.units.add("Phường", UnitKind.COMMITTEE, province, now)
        cell_a = await uow.units.add("Chi bộ A", UnitKind.CELL, commune, now)
        cell_b = await uow.units.add("Chi bộ B", UnitKind.CELL, ward, now)
        for m in [
            member("A1", cell_a, now),
            member("A2", cell_a, now, role=Role.SECRETARY, scope=cell_a),
            member("A3", cell_a, now, active=False),
            member("B1", cell_b, now),
            member("K1", None, now, role=Role.COMMITTEE, scope=commune),  # commune committee staff
            member("K2", None, now, role=Role.COMMITTEE, scope=ward),
            member("K3", None, now, role=Role.COMMITTEE, scope=province),
        ]:
            await uow.members.add(m)
        await uow.commit()

    async with any_db.uow() as uow:

        async def codes(unit: Unit) -> list[str]:
            return [m.code for m in await uow.members.in_subtree(unit)]

        assert await codes(commune) == ["A1", "A2", "K1"]
        assert await codes(ward) == ["B1", "K2"]
        assert await codes(province) == ["A1", "A2", "B1", "K1", "K2", "K3"]
        assert await codes(cell_a) == ["A1", "A2"]  # inactive A3 is left out
        assert [m.code for m in await uow.members.in_cells([cell_a.id, cell_b.id])] == ["A1", "A2", "B1"]
        assert (await uow.members.by_code("K1")) is not None
        assert set(await uow.members.by_codes(["A1", "B1", "nope"])) == {"A1", "B1"}


# --- invites --------------------------------------------------------------------------------------


async def test_invites_unused_for(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with any_db.uow() as uow:
        cell = await uow.units.add("Chi bộ", UnitKind.CELL, None, now)
        fresh, spent, both, none = [await uow.members.add(member(c, cell, now)) for c in ("M1", "M2", "M3", "M4")]
        account = await uow.accounts.add("telegram", "555", spent.id, now)
        await uow.invites.add("FRESH111", fresh.id, now, expires_at=now + timedelta(days=14))
        used = await uow.invites.add("SPENT222", spent.id, now, expires_at=now + timedelta(days=14))
        used.used_at, used.used_by_account_id = now, account.id
        used_too = await uow.invites.add("OLDUSED3", both.id, now, expires_at=now + timedelta(days=14))
        used_too.used_at = now
        await uow.invites.add("NEWCODE4", both.id, now, expires_at=now + timedelta(days=14))
        await uow.commit()

    async with any_db.uow() as uow:
        unused = await uow.invites.unused_for([fresh.id, spent.id, both.id, none.id])
        assert {member_id: invite.code for member_id, invite in unused.items()} == {
            fresh.id: "FRESH111",
            both.id: "NEWCODE4",
        }
        assert await uow.invites.unused_for([]) == {}
        assert await uow.invites.unused_for([spent.id]) == {}
        invite = await uow.invites.by_code("SPENT222")
        assert invite is not None and invite.used_by_account_id == account.id
        assert invite.used_at == now


# --- dialog state ---------------------------------------------------------------------------------


async def test_dialog_state_round_trips_json_with_vietnamese_text(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    data = {
        "content": "Vận động 5 hộ gia đình phân loại rác tại nguồn — thôn Đồng Tâm",
        "measures": ["Họp tổ", "Đến từng nhà", "Nhắc trên loa phát thanh"],
        "deadline": "31/12/2026",
        "percent": 50,
        "nested": {"ghi chú": "Đã làm được một nửa ✓", "ok": True, "none": None},
    }
    async with any_db.uow() as uow:
        cell = await uow.units.add("Chi bộ", UnitKind.CELL, None, now)
        owner = await uow.members.add(member("DV1", cell, now))
        account = await uow.accounts.add("telegram", "4242", owner.id, now)
        assert await uow.dialogs.load(account.id) is None
        await uow.dialogs.save(
            DialogStateRow(account_id=account.id, flow="register", step="measures", data=data, nonce=3, updated_at=now)
        )
        await uow.commit()

    async with any_db.uow() as uow:
        row = await uow.dialogs.load(account.id)
        assert row is not None
        assert (row.flow, row.step, row.nonce, row.updated_at) == ("register", "measures", 3, now)
        assert row.data == data
        row.data = {**row.data, "step_note": "Bước tiếp theo: hạn chót"}  # a new dict, so the change is seen
        row.nonce += 1
        await uow.dialogs.save(row)
        await uow.commit()

    async with any_db.uow() as uow:
        row = await uow.dialogs.load(account.id)
        assert row is not None and row.nonce == 4
        assert row.data == {**data, "step_note": "Bước tiếp theo: hạn chót"}


# --- UtcDateTime ----------------------------------------------------------------------------------


async def test_aware_local_time_is_stored_as_the_same_instant_in_utc(any_db: Database) -> None:
    local = datetime(2026, 11, 23, 10, 30, 15, 123456, tzinfo=TZ)  # 03:30:15 UTC
    async with any_db.uow() as uow:
        await uow.themes.set(YEAR, "Chuyên đề năm 2026", local)
        await uow.commit()
    async with any_db.uow() as uow:
        theme = await uow.themes.get(YEAR)
        assert theme is not None
        assert theme.set_at == local  # the same instant...
        assert theme.set_at.tzinfo is UTC  # ...handed back in UTC
        assert theme.set_at.replace(tzinfo=None) == datetime(2026, 11, 23, 3, 30, 15, 123456)
        raw = (await uow.themes.session.execute(text("SELECT set_at FROM themes"))).scalar_one()
        # Stored naive in UTC: a string on SQLite, a naive timestamp on PostgreSQL.
        assert str(raw).startswith("2026-11-23 03:30:15")


async def test_naive_datetime_is_refused(any_db: Database) -> None:
    async with any_db.uow() as uow:
        with pytest.raises(StatementError, match="naive datetime") as caught:
            await uow.themes.set(YEAR, "Chuyên đề", datetime(2026, 11, 23, 10, 0))
        assert isinstance(caught.value.orig, ValueError)
    async with any_db.uow() as uow:
        assert await uow.themes.get(YEAR) is None


# --- statistics -----------------------------------------------------------------------------------


async def test_stats_on_a_hand_built_dataset(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    since = now - timedelta(days=7)
    after, before = since + timedelta(days=1), since - timedelta(seconds=1)
    async with any_db.uow() as uow:
        cell_a = await uow.units.add("Chi bộ A", UnitKind.CELL, None, now)
        cell_b = await uow.units.add("Chi bộ B", UnitKind.CELL, None, now)
        cell_c = await uow.units.add("Chi bộ C (trống)", UnitKind.CELL, None, now)
        cell_d = await uow.units.add("Chi bộ D (không hỏi)", UnitKind.CELL, None, now)

        async def add(m: Member, *accounts: str, consent: bool = True) -> Member:
            m.consent_at = now if consent else None
            await uow.members.add(m)
            for i, platform in enumerate(accounts):
                await uow.accounts.add(platform, f"{m.code}-{i}", m.id, now)
            return m

        async def pledge(m: Member, **kwargs: Any) -> None:
            await uow.commitments.add(commitment(m, now, **kwargs))

        # Cell A
        a1 = await add(member("A1", cell_a, now, name="Anh"), Platform.TELEGRAM)
        await pledge(a1, percent=100, last_progress_at=after)
        a2 = await add(member("A2", cell_a, now, name="Binh"), Platform.CONSOLE)  # console: not linked
        await pledge(a2, percent=40, last_progress_at=before)
        await pledge(a2, percent=100, last_progress_at=after, withdrawn=True)  # withdrawn: ignored
        a3 = await add(member("A3", cell_a, now, name="Cuong"), Platform.TELEGRAM, Platform.ZALO)
        await pledge(a3, year=YEAR - 1, percent=100, last_progress_at=after)  # another year: ignored
        a4 = await add(member("A4", cell_a, now, name="Dung", exempt=True), Platform.TELEGRAM)
        await pledge(a4, percent=100, last_progress_at=after)
        a5 = await add(member("A5", cell_a, now, name="Giang", active=False), Platform.ZALO)
        await pledge(a5, percent=100, last_progress_at=after)
        a6 = await add(member("A6", cell_a, now, name="Hoa"))
        await pledge(a6)  # never updated
        await pledge(a6, percent=100, last_progress_at=after)
        a7 = await add(member("A7", cell_a, now, name="Khanh"))
        await pledge(a7, percent=10)  # last_progress_at is None
        a8 = await add(member("A8", cell_a, now, name="Lan"), Platform.ZALO)
        await pledge(a8, percent=60, last_progress_at=after, withdrawn=True)
        # Cell B
        await add(member("B1", cell_b, now, name="Minh"), Platform.TELEGRAM)
        b2 = await add(member("B2", cell_b, now, name="Nga"))
        await pledge(b2, percent=100, last_progress_at=after)
        await pledge(b2, percent=99, last_progress_at=before)
        await add(member("B3", cell_b, now, name="Quang"), Platform.TELEGRAM, Platform.ZALO, consent=False)
        # Cell D: present, not asked about
        d1 = await add(member("D1", cell_d, now, name="Oanh"), Platform.TELEGRAM)
        await pledge(d1, percent=100, last_progress_at=after)
        # Committee staff without a cell
        await add(member("K1", None, now, name="Phuc", role=Role.COMMITTEE, scope=cell_a), Platform.TELEGRAM)
        await uow.commit()

    async with any_db.uow() as uow:
        counts = await uow.stats.cell_counts([cell_a.id, cell_b.id, cell_c.id], YEAR, since)
        assert set(counts) == {cell_a.id, cell_b.id, cell_c.id}
        # Cell A by hand: in scope A1 A2 A3 A6 A7 A8 (A4 exempt, A5 inactive).
        # linked (a chat account and consent): A1 (telegram), A3 (telegram + zalo, once), A8 (zalo);
        # A2 has console only.
        # registered (an active pledge this year): A1 A2 A6 A7.  updated since: A1, A6.
        # pledges: A1 1 + A2 1 + A6 2 + A7 1 = 5; completed: A1's and A6's second = 2.
        a = counts[cell_a.id]
        assert (a.members, a.linked, a.registered, a.updated, a.commitments, a.completed) == (6, 3, 4, 2, 5, 2)
        # Cell B: B1 linked; B3 has two chat accounts but declined the notice: not linked.
        b = counts[cell_b.id]
        assert (b.members, b.linked, b.registered, b.updated, b.commitments, b.completed) == (3, 1, 1, 1, 2, 1)
        c = counts[cell_c.id]
        assert (c.cell_id, c.members, c.linked, c.registered, c.updated, c.commitments, c.completed) == (
            cell_c.id,
            0,
            0,
            0,
            0,
            0,
            0,
        )

        async def without(cell: Unit) -> list[str]:
            return [m.code for m in await uow.stats.members_without_commitment(cell.id, YEAR)]

        async def stale(cell: Unit, year: int = YEAR, since: datetime = since) -> list[str]:
            return [m.code for m in await uow.stats.members_not_updated(cell.id, year, since)]

        assert await without(cell_a) == ["A3", "A8"]  # other year only; withdrawn only
        assert await without(cell_b) == ["B1", "B3"]
        assert await without(cell_c) == []
        assert await stale(cell_a) == ["A2", "A7"]  # before `since`; never
        assert await stale(cell_b) == []  # B2 has one recent pledge
        assert await stale(cell_a, since=before) == ["A7"]  # A2's update now counts
        assert await stale(cell_a, since=after + timedelta(seconds=1)) == ["A1", "A2", "A6", "A7"]
        assert await stale(cell_a, year=YEAR - 1) == []  # A3's old pledge was updated after `since`
        assert await stale(cell_a, year=YEAR - 1, since=after + timedelta(seconds=1)) == ["A3"]


async def test_linked_counts_only_consenting_members_with_a_chat_account(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    since = now - timedelta(days=30)
    async with any_db.uow() as uow:
        cell = await uow.units.add("Chi bộ E", UnitKind.CELL, None, now)
        cases = {
            # code: (chat accounts, consented) -> counted as linked?
            "E1": ((Platform.TELEGRAM,), True),  # yes
            "E2": ((Platform.ZALO, Platform.TELEGRAM), True),  # yes, once
            "E3": ((Platform.TELEGRAM,), False),  # linked, then declined (or never answered): no
            "E4": ((Platform.CONSOLE,), True),  # the operator's terminal only: no
            "E5": ((), True),  # consented, no account left: no
            "E6": ((Platform.CONSOLE, Platform.ZALO), False),  # no
        }
        for code, (platforms, consented) in cases.items():
            m = member(code, cell, now)
            m.consent_at = now if consented else None
            await uow.members.add(m)
            for i, platform in enumerate(platforms):
                await uow.accounts.add(platform, f"{code}-{i}", m.id, now)
        await uow.commit()
    async with any_db.uow() as uow:
        counts = await uow.stats.cell_counts([cell.id], YEAR, since)
        assert (counts[cell.id].members, counts[cell.id].linked) == (6, 2)
        e3 = await uow.members.by_code("E3")
        assert e3 is not None
        e3.consent_at = now  # E3 changes their mind
        await uow.commit()
    async with any_db.uow() as uow:
        assert (await uow.stats.cell_counts([cell.id], YEAR, since))[cell.id].linked == 3
