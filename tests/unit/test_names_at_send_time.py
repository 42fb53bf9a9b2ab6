"""Delivery rows carry members' ids, not their names (issue 10): the announcement's sender, the digest's
members and the nominee of a commendation are named when the row is sent, so a withdrawal leaves no copy of
the name in the queue; and texts of messages already sent are blanked after SENT_TEXT_RETENTION_DAYS."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.settings import Settings
from handlers.catalog import commend as cm
from handlers.catalog import deliveries as d
from handlers.services.announcements import send_announcement
from handlers.services.deliveries import OutgoingMessage, claim_due, enqueue
from handlers.services.maintenance import KEEP_SENT_TEXTS, prune_old_records
from handlers.services.member_refs import member_ref, render_refs
from handlers.services.personal_data import withdraw_consent
from handlers.services.reminders import digest_messages
from storage.enums import BroadcastKind, DeliveryStatus
from storage.models import Broadcast, Delivery
from tests.accounts_support import deliveries
from tests.chat import add_commitment, mid
from tests.honours_support import DONG_TAM, THANH_SON, propose, queued_texts
from tests.review_support import actor_of
from tests.support import TZ, Database, FakeClock

NGOC = "Trần Thị Bích Ngọc"


async def link_and_consent(db: Database, clock: FakeClock, codes: list[str]) -> None:
    async with db.uow() as uow:
        for n, code in enumerate(codes):
            member = await uow.members.by_code(code)
            assert member is not None
            member.consent_at = clock.now()
            await uow.accounts.add("telegram", f"70{n}", member.id, clock.now())
        await uow.commit()


async def test_an_announcement_names_its_sender_when_sent(roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(roster_db, clock, ["DV001", "DV002", "DV004"])
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, "DV002")
        assert actor.scope_unit_id is not None
        await send_announcement(uow, actor, actor.scope_unit_id, "Họp chi bộ tối thứ Sáu", clock.now(), TZ)
        ngoc, unit = actor.member_id, DONG_TAM
        await uow.commit()
    rows = [row for row in await deliveries(roster_db) if row.status == DeliveryStatus.PENDING.value]
    assert len(rows) == 3 and not any(NGOC in row.text for row in rows)
    assert {row.text for row in rows} == {
        d.ANNOUNCE_HEADER.format(unit=unit, sender=member_ref(ngoc), text="Họp chi bộ tối thứ Sáu")
    }
    async with roster_db.uow() as uow:
        [first] = await claim_due(uow, "telegram", clock.now(), 1)
        await uow.commit()
    assert first.replies[0].text == d.ANNOUNCE_HEADER.format(unit=unit, sender=NGOC, text="Họp chi bộ tối thứ Sáu")
    async with roster_db.uow() as uow:  # the sender withdraws: what is still queued names nobody
        member = await uow.members.get(ngoc)
        assert member is not None
        token = await withdraw_consent(uow, member, clock.now())
        await uow.commit()
    async with roster_db.uow() as uow:
        [later] = await claim_due(uow, "telegram", clock.now(), 1)
        await uow.commit()
    assert later.replies[0].text == d.ANNOUNCE_HEADER.format(unit=unit, sender=token, text="Họp chi bộ tối thứ Sáu")


async def test_the_digest_names_members_only_when_sent(roster_db: Database, clock: FakeClock) -> None:
    await add_commitment(roster_db, clock, "DV001", "Vận động 5 hộ phân loại rác", percent=40)
    async with roster_db.uow() as uow:
        [cell] = await uow.units.find_by_name(DONG_TAM)
        messages = await digest_messages(uow, cell, date(2026, 12, 4), clock.now(), TZ)
        rendered = await render_refs(uow, [message.text for message in messages])
    assert len(messages) == 2  # the secretary and the deputy
    for stored, shown in zip([m.text for m in messages], rendered, strict=True):
        assert "Phạm Thị Hạnh" not in stored and NGOC not in stored and "Nguyễn Văn An" not in stored
        assert "Phạm Thị Hạnh" in shown and NGOC in shown  # not registered, named when sent


async def test_a_commendation_notice_names_the_nominee_only_when_sent(roster_db: Database, clock: FakeClock) -> None:
    await link_and_consent(roster_db, clock, ["DV025"])
    await propose(roster_db, clock, "DV002", "DV001")
    async with roster_db.sessions() as session:
        stored = list((await session.scalars(select(Delivery.text))).all())
    assert stored and not any("Nguyễn Văn An" in text for text in stored)
    nominee = cm.NOMINEE_MEMBER.format(name="Nguyễn Văn An")
    assert cm.NOTICE_WAITING.format(nominee=nominee, cell=DONG_TAM, level=THANH_SON) in await queued_texts(
        roster_db, "DV025"
    )


async def test_sent_texts_are_blanked_after_the_retention_period(roster_db: Database, clock: FakeClock) -> None:
    assert timedelta(days=30) == KEEP_SENT_TEXTS
    assert Settings(_env_file=None).sent_text_retention_days == 30  # type: ignore[call-arg]
    await link_and_consent(roster_db, clock, ["DV001", "DV004", "DV005", "DV006"])
    async with roster_db.uow() as uow:
        broadcast = Broadcast(
            kind=BroadcastKind.NOTICE.value, priority=1, state="pending", total=0, created_at=clock.now()
        )
        await uow.deliveries.add_broadcast(broadcast)
        ids = [await mid(uow, code) for code in ("DV001", "DV004", "DV005", "DV006")]
        await enqueue(uow, broadcast, [OutgoingMessage(i, f"Tin cho {i}") for i in ids], clock.now(), TZ)
        await uow.commit()
    async with roster_db.sessions() as session:  # sent 31 and 29 days ago, blocked 31 days ago, still pending
        rows = list((await session.scalars(select(Delivery).order_by(Delivery.member_id))).all())
        ages = [
            (DeliveryStatus.SENT, 31),
            (DeliveryStatus.SENT, 29),
            (DeliveryStatus.BLOCKED, 31),
            (DeliveryStatus.PENDING, 40),
        ]
        for row, (status, days) in zip(rows, ages, strict=True):
            row.status, row.updated_at = status.value, clock.now() - timedelta(days=days)
        await session.commit()
    async with roster_db.uow() as uow:
        pruned = await prune_old_records(uow, clock.now(), keep_sent_texts=timedelta(days=30))
        await uow.commit()
    assert pruned.sent_texts == 2
    texts = [row.text for row in sorted(await deliveries(roster_db), key=lambda row: row.member_id)]
    assert texts == ["", f"Tin cho {ids[1]}", "", f"Tin cho {ids[3]}"]
