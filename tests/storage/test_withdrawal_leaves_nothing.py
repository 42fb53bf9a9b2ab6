"""After a withdrawal, the member's name, phone and code are nowhere in the database (issue 10).

A secretary (DV002, Trần Thị Bích Ngọc, 0900000002) leaves traces everywhere a year leaves them: her own
commitment, announcement, review comment, study session, the commendation she proposed and the one proposing
her, a digest and notices naming her, a deputy's open /duyet list, another member's progress note, a webhook
update waiting in the inbox, reports generated for her and for the committee's staff. She withdraws consent in
/dulieu; then every column of every table is searched (SQLite and PostgreSQL), and on SQLite the file's bytes
after a VACUUM.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, text

from handlers.catalog import org as o
from handlers.clock import local_today
from handlers.router import Router
from handlers.services.announcements import send_announcement
from handlers.services.authz import load_actor
from handlers.services.commitments import Draft, log_progress, register_commitment
from handlers.services.deliveries import enqueue
from handlers.services.personal_data import withdraw_consent
from handlers.services.reminders import digest_messages
from handlers.services.review import return_registration
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from handlers.services.study import record_session
from storage.enums import BroadcastKind
from storage.models import Broadcast, StoredFile
from tests.chat import Chat
from tests.honours_support import propose
from tests.support import EXAMPLE_CSV, Database, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAME, PHONE, CODE = "Trần Thị Bích Ngọc", "0900000002", "DV002"
MEASURES = "Họp tổ, đến từng nhà hướng dẫn"


async def load_roster(db: Database, clock: FakeClock) -> None:
    roster = read_roster(EXAMPLE_CSV)
    async with db.uow() as uow:
        await import_roster(uow, roster.rows, clock.now())
        await uow.commit()


async def chat_as(router: Router, db: Database, clock: FakeClock, code: str, user_id: str) -> Chat:
    chat = Chat(router, user_id=user_id)
    await chat.link_as(code, db, clock)
    return chat


async def register(db: Database, clock: FakeClock, code: str, content: str, note: str | None = None) -> int:
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        actor = await load_actor(uow, member)
        draft = Draft(content, MEASURES, date(2026, 12, 31))
        saved, _ = await register_commitment(uow, actor, draft, local_today(clock.now(), TZ), clock.now())
        if note is not None:
            await log_progress(uow, actor, saved.id, 50, note, clock.now())
        await uow.commit()
        return saved.id


async def a_year_of_traces(router: Router, db: Database, clock: FakeClock) -> Chat:
    ngoc = await chat_as(router, db, clock, CODE, "2002")
    await chat_as(router, db, clock, "DV001", "2001")
    await chat_as(router, db, clock, "DV025", "2025")
    await register(db, clock, CODE, f"Giữ liên lạc với các hộ qua số {PHONE}", note=f"{NAME} đã gọi 12 hộ")
    an = await register(db, clock, "DV001", "Vận động 5 hộ phân loại rác")
    await register(db, clock, "DV004", "Hướng dẫn chị em làm vườn sạch", note=f"Cùng đồng chí {NAME} đến 3 hộ")
    async with db.uow() as uow:
        secretary = await load_actor(uow, await _member(uow, CODE))
        assert secretary.scope_unit_id is not None
        comment = f"Đề nghị ghi rõ số hộ; cần thì gọi {NAME} ({PHONE})"
        await return_registration(uow, secretary, an, comment, clock.now())
        title = f"Học tập chuyên đề năm 2026, đồng chí {NAME} trình bày"
        attendees = [(await _member(uow, c)).id for c in ("DV001", CODE)]
        await record_session(uow, secretary, date(2026, 11, 20), title, attendees, date(2026, 11, 23), clock.now())
        announcement = f"Họp chi bộ tối thứ Sáu. Vắng mặt xin báo {NAME}, số {PHONE}."
        await send_announcement(uow, secretary, secretary.scope_unit_id, announcement, clock.now(), TZ)
        [cell] = await uow.units.find_by_name("Chi bộ thôn Đồng Tâm")
        digest = Broadcast(
            kind=BroadcastKind.DIGEST.value, priority=1, state="pending", total=0, created_at=clock.now()
        )
        await enqueue(
            uow, digest, await digest_messages(uow, cell, date(2026, 12, 4), clock.now(), TZ), clock.now(), TZ
        )
        payload = {"update_id": 9, "message": {"from": {"id": 2002, "first_name": NAME}, "text": f"gọi {PHONE}"}}
        await uow.inbox.add_if_absent("telegram", "bot:9", payload, clock.now())
        for owner in (CODE, "DV025"):
            await uow.files.add(
                StoredFile(
                    token=f"token-{owner}",
                    member_id=(await _member(uow, owner)).id,
                    filename="bao-cao.xlsx",
                    mime="application/octet-stream",
                    content=f"Danh sách: {NAME}, {PHONE}".encode(),
                    created_at=clock.now(),
                    expires_at=clock.now() + timedelta(hours=24),
                )
            )
        await uow.commit()
    await propose(db, clock, CODE, "DV001", account=f"Được đồng chí {NAME} hướng dẫn, vận động 12 hộ hiến đất")
    await propose(db, clock, "DV003", CODE, account=f"Đồng chí {NAME} ({PHONE}) vận động 20 hộ làm đường")
    deputy = await chat_as(router, db, clock, "DV003", "2003")
    await deputy.say("/duyet")  # the deputy's open list names the secretary's registration
    assert any(NAME in label for label in deputy.all_choices)
    return ngoc


async def _member(uow: Any, code: str) -> Any:
    member = await uow.members.by_code(code)
    assert member is not None, code
    return member


def needles() -> list[str]:
    escaped = json.dumps(NAME)[1:-1]  # JSON columns may hold "Tr\\u1ea7n Th\\u1ecb ..."
    return [NAME, escaped, PHONE, CODE]


async def every_value(db: Database) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every column of every table, as the database returns them."""

    def tables(conn: Any) -> dict[str, list[str]]:
        inspector = inspect(conn)
        return {name: [c["name"] for c in inspector.get_columns(name)] for name in inspector.get_table_names()}

    found: list[tuple[str, str, Any]] = []
    async with db.engine.connect() as conn:
        for table, columns in (await conn.run_sync(tables)).items():
            quoted = ", ".join(f'"{column}"' for column in columns)
            for row in (await conn.execute(text(f'SELECT {quoted} FROM "{table}"'))).all():
                found.extend((table, column, value) for column, value in zip(columns, row, strict=True))
    return found


def carriers(values: list[tuple[str, str, Any]]) -> list[tuple[str, str, str]]:
    hits = []
    for table, column, value in values:
        if value is None:
            continue
        haystack = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        hits.extend((table, column, needle) for needle in needles() if needle in haystack)
    return hits


async def test_after_withdrawal_no_column_of_any_table_names_her(any_db: Database, clock: FakeClock) -> None:
    await load_roster(any_db, clock)
    router = Router(any_db.uow, clock, TZ)
    ngoc = await a_year_of_traces(router, any_db, clock)
    assert {table for table, _, _ in carriers(await every_value(any_db))} >= {
        "members",
        "commitments",
        "progress_entries",
        "study_sessions",
        "broadcasts",
        "commendations",
        "dialog_states",
        "inbox_updates",
        "stored_files",
    }
    async with any_db.uow() as uow:
        token = f"AN-{(await _member(uow, CODE)).id}"
    clock.advance(minutes=5)
    await ngoc.say("/dulieu")
    await ngoc.press(o.MYDATA_CHOICE_WITHDRAW)
    await ngoc.press(o.WITHDRAW_CONFIRM)
    assert ngoc.all_texts[0].startswith(o.WITHDRAW_DONE.split("{")[0])
    assert carriers(await every_value(any_db)) == []
    async with any_db.engine.connect() as conn:  # what belongs to the cell stays, her name replaced by her token
        titles = (await conn.execute(text("SELECT title FROM study_sessions"))).scalars().all()
    assert titles == [f"Học tập chuyên đề năm 2026, đồng chí {token} trình bày"]
    if any_db.url.startswith("sqlite"):
        await vacuum(any_db)
        database = Path(any_db.url.split("///", 1)[1])
        for path in (database, Path(f"{database}-wal")):
            content = path.read_bytes() if path.exists() else b""
            for needle in needles():
                assert needle.encode("utf-8") not in content, (path.name, needle)


async def vacuum(db: Database) -> None:
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.execute("VACUUM")
        await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def test_sqlite_overwrites_deleted_content(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA secure_delete"))).scalar() == 1


async def test_only_whole_words_are_replaced_and_a_namesake_keeps_their_name(
    any_db: Database, clock: FakeClock
) -> None:
    await load_roster(any_db, clock)
    async with any_db.uow() as uow:
        namesake = await _member(uow, "DV021")
        namesake.full_name = NAME  # another member of the same name, in another cell
        await uow.commit()
    note = f"{NAME.upper()} gọi 0900000002, không phải 09000000021; DV002 khác DV0021; Tran Thi Bich Ngoc; +84900000002"
    commitment = await register(any_db, clock, "DV004", "Hướng dẫn chị em làm vườn sạch", note=note)
    async with any_db.uow() as uow:
        member = await _member(uow, CODE)
        token = await withdraw_consent(uow, member, clock.now())
        await uow.commit()
    async with any_db.uow() as uow:
        [entry] = await uow.commitments.progress_of(commitment)
        assert (await _member(uow, "DV021")).full_name == NAME
    expected = f"{token} gọi {token}, không phải 09000000021; {token} khác DV0021; {token}; +{token}"
    assert entry.note == expected
