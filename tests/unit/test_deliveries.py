"""Delivery rows: who gets one on which account, when (quiet hours, preferred hour, pauses), claiming,
outcomes, recovery after a crash, and the dialog a message with choices opens."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.catalog import deliveries as d
from handlers.dialog import Ctx, Input
from handlers.flows import default_flows
from handlers.messages import Incoming, Reply
from handlers.outbound import SendOutcome, SendStatus
from handlers.router import Router
from handlers.services.deliveries import (
    Lease,
    OutgoingMessage,
    broadcast_counts,
    claim_due,
    enqueue,
    in_quiet_hours,
    record,
    recover_in_flight,
)
from storage.enums import BroadcastKind, BroadcastState, DeliveryStatus
from storage.models import Broadcast, ChatAccount, Delivery, DialogStateRow
from tests.support import TZ, Database, FakeClock


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


async def setup_member(
    db: Database,
    code: str,
    accounts: list[tuple[str, str, datetime]],
    *,
    consent: bool = True,
    **fields: object,
) -> int:
    """Consent (or not), link the given (platform, external id, last seen) accounts, set member fields."""
    async with db.uow() as uow:
        member = await uow.members.by_code(code)
        assert member is not None
        member.consent_at = datetime(2026, 11, 1, tzinfo=UTC) if consent else None
        for name, value in fields.items():
            setattr(member, name, value)
        for platform, external_id, seen in accounts:
            account = await uow.accounts.add(platform, external_id, member.id, seen)
            account.last_seen_at = seen
        await uow.commit()
        return member.id


async def new_broadcast(db: Database, now: datetime, kind: BroadcastKind = BroadcastKind.ANNOUNCEMENT) -> int:
    async with db.uow() as uow:
        broadcast = Broadcast(kind=kind.value, priority=2, state="pending", total=0, created_at=now)
        await uow.deliveries.add_broadcast(broadcast)
        await uow.commit()
        return broadcast.id


async def send_to(
    db: Database, broadcast_id: int, messages: list[OutgoingMessage], now: datetime
) -> tuple[int, list[Delivery]]:
    async with db.uow() as uow:
        broadcast = await uow.deliveries.get_broadcast(broadcast_id)
        assert broadcast is not None
        queued = await enqueue(uow, broadcast, messages, now, TZ)
        await uow.commit()
    return queued, await deliveries_of(db, broadcast_id)


async def deliveries_of(db: Database, broadcast_id: int) -> list[Delivery]:
    async with db.sessions() as session:
        stmt = select(Delivery).where(Delivery.broadcast_id == broadcast_id).order_by(Delivery.member_id)
        return list((await session.scalars(stmt)).all())


async def account(db: Database, platform: str, external_id: str) -> ChatAccount:
    async with db.uow() as uow:
        found = await uow.accounts.find(platform, external_id)
        assert found is not None
        return found


NOON = local(2026, 11, 23, 12).astimezone(UTC)
EARLY = datetime(2026, 11, 1, tzinfo=UTC)
LATER = datetime(2026, 11, 20, tzinfo=UTC)


# ---- which account -----------------------------------------------------------------------------------


async def test_the_most_recently_seen_account_without_a_preference(roster_db: Database) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", EARLY), ("zalo", "z501", LATER)])
    broadcast = await new_broadcast(roster_db, NOON)

    queued, [row] = await send_to(roster_db, broadcast, [OutgoingMessage(member, "Xin chào")], NOON)

    assert queued == 1
    assert (row.platform, row.account_id) == ("zalo", (await account(roster_db, "zalo", "z501")).id)
    assert row.status == DeliveryStatus.PENDING.value and row.not_before is None and row.text == "Xin chào"


async def test_the_preferred_platform_wins_unless_blocked(roster_db: Database) -> None:
    first = await setup_member(
        roster_db, "DV001", [("telegram", "501", EARLY), ("zalo", "z501", LATER)], preferred_platform="telegram"
    )
    second = await setup_member(
        roster_db, "DV003", [("telegram", "503", LATER), ("zalo", "z503", EARLY)], preferred_platform="telegram"
    )
    async with roster_db.uow() as uow:
        blocked = await uow.accounts.find("telegram", "503")
        assert blocked is not None
        blocked.blocked_at = EARLY
        await uow.commit()
    broadcast = await new_broadcast(roster_db, NOON)

    _, rows = await send_to(roster_db, broadcast, [OutgoingMessage(first, "a"), OutgoingMessage(second, "b")], NOON)

    by_member = {row.member_id: row.platform for row in rows}
    assert by_member == {first: "telegram", second: "zalo"}


async def test_no_reachable_account_is_skipped_with_a_reason(roster_db: Database) -> None:
    console_only = await setup_member(roster_db, "DV001", [("console", "DV001", LATER)])
    nothing = await setup_member(roster_db, "DV003", [])
    no_consent = await setup_member(roster_db, "DV004", [("telegram", "504", LATER)], consent=False)
    broadcast = await new_broadcast(roster_db, NOON)
    messages = [OutgoingMessage(m, "x") for m in (console_only, nothing, no_consent)]

    queued, rows = await send_to(roster_db, broadcast, messages, NOON)

    assert queued == 0
    assert [row.status for row in rows] == [DeliveryStatus.SKIPPED.value] * 3
    assert {row.error for row in rows} == {"no reachable chat account", "no consent to the data notice"}
    async with roster_db.uow() as uow:
        saved = await uow.deliveries.get_broadcast(broadcast)
        assert saved is not None and saved.state == BroadcastState.DONE.value and saved.total == 3


async def test_one_row_per_member_even_when_queued_twice(roster_db: Database) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    broadcast = await new_broadcast(roster_db, NOON)
    message = OutgoingMessage(member, "x")

    first, _ = await send_to(roster_db, broadcast, [message, message], NOON)
    again, rows = await send_to(roster_db, broadcast, [message], NOON)

    assert (first, again, len(rows)) == (1, 0, 1)


# ---- when --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2026, 11, 23, 22, 30), local(2026, 11, 24, 7)),  # evening: tomorrow morning
        (local(2026, 11, 24, 3, 15), local(2026, 11, 24, 7)),  # after midnight: this morning
        (local(2026, 11, 23, 21, 0), local(2026, 11, 24, 7)),  # the first quiet minute
        (local(2026, 11, 24, 7, 0), None),  # quiet hours are over
        (local(2026, 11, 23, 20, 59), None),
        (local(2026, 12, 31, 23, 0), local(2027, 1, 1, 7)),  # across the new year
    ],
)
async def test_default_quiet_hours_wrap_midnight(
    roster_db: Database, now: datetime, expected: datetime | None
) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    broadcast = await new_broadcast(roster_db, now)

    _, [row] = await send_to(roster_db, broadcast, [OutgoingMessage(member, "x")], now.astimezone(UTC))

    assert row.not_before == (expected.astimezone(UTC) if expected else None)


async def test_own_quiet_hours_and_none(roster_db: Database) -> None:
    late = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)], quiet_from=23, quiet_to=6)
    never = await setup_member(roster_db, "DV003", [("telegram", "503", LATER)], quiet_from=0, quiet_to=0)
    broadcast = await new_broadcast(roster_db, NOON)
    at = local(2026, 11, 23, 23, 30).astimezone(UTC)

    _, rows = await send_to(roster_db, broadcast, [OutgoingMessage(late, "x"), OutgoingMessage(never, "y")], at)

    six = local(2026, 11, 24, 6).astimezone(UTC)
    assert {row.member_id: row.not_before for row in rows} == {late: six, never: None}
    assert in_quiet_hours(22, 21, 7) and in_quiet_hours(6, 21, 7) and not in_quiet_hours(12, 21, 7)
    assert in_quiet_hours(13, 12, 14) and not in_quiet_hours(14, 12, 14) and not in_quiet_hours(5, 5, 5)


@pytest.mark.parametrize(
    ("now", "hour", "expected"),
    [
        (local(2026, 11, 23, 8), 19, local(2026, 11, 23, 19)),  # later today
        (local(2026, 11, 23, 19, 30), 19, None),  # within the hour: at once
        (local(2026, 11, 23, 20, 30), 19, local(2026, 11, 24, 19)),  # missed today: tomorrow
        (local(2026, 11, 23, 8), 22, local(2026, 11, 24, 7)),  # a quiet hour: quiet hours still hold
    ],
)
async def test_preferred_hour_for_reminders(
    roster_db: Database, now: datetime, hour: int, expected: datetime | None
) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)], remind_hour=hour)
    reminder = await new_broadcast(roster_db, now, BroadcastKind.PROGRESS_REMINDER)
    announcement = await new_broadcast(roster_db, now, BroadcastKind.ANNOUNCEMENT)

    _, [reminded] = await send_to(roster_db, reminder, [OutgoingMessage(member, "x")], now.astimezone(UTC))
    _, [announced] = await send_to(roster_db, announcement, [OutgoingMessage(member, "x")], now.astimezone(UTC))

    assert reminded.not_before == (expected.astimezone(UTC) if expected else None)
    assert announced.not_before is None  # the preferred hour is for reminders only


async def test_paused_members_are_skipped_until_the_day_after(roster_db: Database) -> None:
    today = date(2026, 11, 23)
    paused = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)], paused_until=today)
    back = await setup_member(roster_db, "DV003", [("telegram", "503", LATER)], paused_until=today - timedelta(1))
    broadcast = await new_broadcast(roster_db, NOON)

    queued, rows = await send_to(
        roster_db, broadcast, [OutgoingMessage(paused, "x"), OutgoingMessage(back, "y")], NOON
    )

    assert queued == 1
    assert {row.member_id: (row.status, row.error) for row in rows} == {
        paused: (DeliveryStatus.SKIPPED.value, "paused"),
        back: (DeliveryStatus.PENDING.value, None),
    }


# ---- claiming and outcomes ---------------------------------------------------------------------------


async def five_queued(db: Database) -> tuple[int, list[int]]:
    codes = ["DV001", "DV003", "DV004", "DV005", "DV006"]
    members = [await setup_member(db, code, [("telegram", f"5{i}", LATER)]) for i, code in enumerate(codes)]
    broadcast = await new_broadcast(db, NOON)
    await send_to(db, broadcast, [OutgoingMessage(m, f"tin {m}") for m in members], NOON)
    return broadcast, members


async def test_claim_moves_due_rows_to_sending_and_counts_attempts(roster_db: Database) -> None:
    broadcast, _ = await five_queued(roster_db)

    async with roster_db.uow() as uow:
        first = await claim_due(uow, "telegram", NOON, 3)
        await uow.commit()
    async with roster_db.uow() as uow:
        second = await claim_due(uow, "telegram", NOON, 10)
        none_on_zalo = await claim_due(uow, "zalo", NOON, 10)
        await uow.commit()

    assert len(first) == 3 and len(second) == 2 and none_on_zalo == []
    assert {c.delivery_id for c in first}.isdisjoint(c.delivery_id for c in second)
    assert all(c.external_id.startswith("5") and c.replies == (Reply(f"tin {c.member_id}"),) for c in first)
    rows = await deliveries_of(roster_db, broadcast)
    assert {(row.status, row.attempts) for row in rows} == {(DeliveryStatus.SENDING.value, 1)}


async def test_rows_in_quiet_hours_wait(roster_db: Database) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    night = local(2026, 11, 23, 23).astimezone(UTC)
    broadcast = await new_broadcast(roster_db, night)
    await send_to(roster_db, broadcast, [OutgoingMessage(member, "x")], night)

    async with roster_db.uow() as uow:
        at_night = await claim_due(uow, "telegram", night + timedelta(hours=2), 10)
        in_the_morning = await claim_due(uow, "telegram", local(2026, 11, 24, 7).astimezone(UTC), 10)
        await uow.commit()

    assert at_night == [] and len(in_the_morning) == 1


async def test_outcomes_are_recorded_and_the_broadcast_finishes(roster_db: Database) -> None:
    broadcast, _ = await five_queued(roster_db)
    async with roster_db.uow() as uow:
        claimed = await claim_due(uow, "telegram", NOON, 10)
        await uow.commit()
    sent, blocked, failed, unknown, throttled = claimed
    later = NOON + timedelta(seconds=5)

    async with roster_db.uow() as uow:
        await record(uow, sent.delivery_id, SendOutcome(SendStatus.SENT), later)
        await record(uow, blocked.delivery_id, SendOutcome(SendStatus.BLOCKED, error="403"), later)
        await record(uow, failed.delivery_id, SendOutcome(SendStatus.FAILED, error="400 bad"), later)
        await record(uow, unknown.delivery_id, SendOutcome(SendStatus.UNKNOWN, error="timeout"), later)
        await record(uow, throttled.delivery_id, SendOutcome(SendStatus.PENDING, retry_after=3), later)
        await uow.commit()
        counts = await broadcast_counts(uow, broadcast)

    assert (counts.sent, counts.blocked, counts.failed, counts.unknown, counts.pending) == (1, 1, 1, 1, 1)
    assert (await account(roster_db, "telegram", blocked.external_id)).blocked_at == later
    assert (await account(roster_db, "telegram", sent.external_id)).blocked_at is None
    async with roster_db.uow() as uow:
        assert await claim_due(uow, "telegram", later + timedelta(seconds=2), 10) == []  # retry_after holds
        [retry] = await claim_due(uow, "telegram", later + timedelta(seconds=3), 10)
        assert (retry.delivery_id, retry.attempts) == (throttled.delivery_id, 2)
        still_open = await uow.deliveries.get_broadcast(broadcast)
        assert still_open is not None and still_open.state == BroadcastState.SENDING.value
        await record(uow, retry.delivery_id, SendOutcome(SendStatus.SENT), later)
        await uow.commit()
    async with roster_db.uow() as uow:
        done = await uow.deliveries.get_broadcast(broadcast)
        assert done is not None and done.state == BroadcastState.DONE.value and done.finished_at == later


async def test_at_most_once_recover_in_flight_marks_unknown_and_never_resends(roster_db: Database) -> None:
    broadcast, _ = await five_queued(roster_db)
    async with roster_db.uow() as uow:
        in_flight = await claim_due(uow, "telegram", NOON, 2)
        await uow.commit()
    # the process dies here: two rows stay in SENDING

    async with roster_db.uow() as uow:
        recovered = await recover_in_flight(uow, NOON)
        await uow.commit()
    async with roster_db.uow() as uow:
        rest = await claim_due(uow, "telegram", NOON, 10)
        await uow.commit()
        counts = await broadcast_counts(uow, broadcast)

    assert sorted(recovered.unknown) == sorted(c.delivery_id for c in in_flight) and recovered.resent == []
    assert {c.delivery_id for c in rest}.isdisjoint(recovered.unknown) and len(rest) == 3
    assert (counts.unknown, counts.sending, counts.resent) == (2, 3, 0)


async def test_at_least_once_resends_rows_in_flight_once_and_counts_them(roster_db: Database) -> None:
    broadcast, _ = await five_queued(roster_db)
    alive = Lease("alive", NOON + timedelta(seconds=30))
    async with roster_db.uow() as uow:
        in_flight = await claim_due(uow, "telegram", NOON, 2, Lease("dead", NOON + timedelta(seconds=30)))
        held = await claim_due(uow, "telegram", NOON, 1, alive)
        await uow.commit()
    # the "dead" sender dies here; "alive" goes on, its lease renewed
    later = NOON + timedelta(seconds=31)
    async with roster_db.uow() as uow:
        await uow.deliveries.renew("alive", [held[0].delivery_id], later + timedelta(seconds=30))
        recovered = await recover_in_flight(uow, later, resend=True, lapsed_only=True)
        again = await claim_due(uow, "telegram", later, 10, Lease("taker", later + timedelta(seconds=30)))
        await uow.commit()
    assert sorted(recovered.resent) == sorted(c.delivery_id for c in in_flight) and recovered.unknown == []
    assert set(recovered.resent) <= {c.delivery_id for c in again}  # sent again, the live sender's row not
    assert held[0].delivery_id not in {c.delivery_id for c in again}
    # the others are sent; the taker dies with the resent rows in flight: they are not sent a third time
    async with roster_db.uow() as uow:
        for delivery_id in {c.delivery_id for c in [*again, *held]} - set(recovered.resent):
            await record(uow, delivery_id, SendOutcome(SendStatus.SENT), later)
        await uow.commit()
    async with roster_db.uow() as uow:
        second = await recover_in_flight(uow, later + timedelta(minutes=5), resend=True, lapsed_only=True)
        await uow.commit()
        counts = await broadcast_counts(uow, broadcast)
    assert set(recovered.resent) <= set(second.unknown)
    assert (counts.resent, counts.unknown, counts.sent, counts.open) == (2, 2, 3, 0)


# ---- a message with choices opens the dialog ----------------------------------------------------------


class AnswerFlow:
    """A minimal flow answering the delivered question: echoes what was chosen with the stored data."""

    name = "answer"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        return [Reply("begin")]

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        assert ctx.state.step == "respond"
        chosen = f"chose {inp.value} for {ctx.state.data['meeting']}"
        ctx.finish()
        return [Reply(chosen)]


def router_with_answer(db: Database, clock: FakeClock) -> Router:
    flows = default_flows()
    flows["answer"] = AnswerFlow()
    return Router(db.uow, clock, TZ, flows)


QUESTION = OutgoingMessage(
    0,
    "Sắp đến buổi sinh hoạt chi bộ.",
    (("Cập nhật ngay", "now"), ("Nhắc lại sau 1 ngày", "snooze:1")),
    "answer",
    {"meeting": "2026-11-26", "command": "/capnhat"},
)


async def claim_one(db: Database, now: datetime) -> Reply:
    async with db.uow() as uow:
        [claimed] = await claim_due(uow, "telegram", now, 10)
        await uow.commit()
    [reply] = claimed.replies
    return reply


async def test_a_delivered_question_is_answered_by_button_and_by_number(
    roster_db: Database, clock: FakeClock
) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    other = await setup_member(roster_db, "DV003", [("telegram", "503", LATER)])
    broadcast = await new_broadcast(roster_db, clock.now(), BroadcastKind.PROGRESS_REMINDER)
    messages = [
        OutgoingMessage(m, QUESTION.text, QUESTION.choices, QUESTION.flow, QUESTION.data) for m in (member, other)
    ]
    await send_to(roster_db, broadcast, messages, clock.now())
    async with roster_db.uow() as uow:
        claimed = await claim_due(uow, "telegram", clock.now(), 10)
        await uow.commit()
    replies = {c.external_id: c.replies[0] for c in claimed}
    router = router_with_answer(roster_db, clock)

    pressed = await router.handle(Incoming("telegram", "501", "k1", payload=replies["501"].choices[1].payload))
    typed = await router.handle(Incoming("telegram", "503", "k2", text="1"))

    assert [c.label for c in replies["501"].choices] == ["Cập nhật ngay", "Nhắc lại sau 1 ngày"]
    assert [r.text for r in pressed] == ["chose snooze:1 for 2026-11-26"]
    assert [r.text for r in typed] == ["chose now for 2026-11-26"]


async def test_a_forged_or_stale_answer_to_a_delivered_question(roster_db: Database, clock: FakeClock) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    broadcast = await new_broadcast(roster_db, clock.now(), BroadcastKind.PROGRESS_REMINDER)
    question = OutgoingMessage(member, QUESTION.text, QUESTION.choices, QUESTION.flow, QUESTION.data)
    await send_to(roster_db, broadcast, [question], clock.now())
    reply = await claim_one(roster_db, clock.now())
    nonce = reply.choices[0].payload.split("|")[0]
    router = router_with_answer(roster_db, clock)

    forged = await router.handle(Incoming("telegram", "501", "k1", payload=f"{nonce}|delete-everything"))
    stale = await router.handle(Incoming("telegram", "501", "k2", payload=f"{int(nonce) - 1}|now"))
    answered = await router.handle(Incoming("telegram", "501", "k3", payload=reply.choices[0].payload))

    assert forged[-1].text == QUESTION.text and "chose" not in forged[0].text
    assert stale[-1].text == QUESTION.text and "chose" not in stale[0].text
    assert [r.text for r in answered] == ["chose now for 2026-11-26"]


async def test_a_member_busy_in_another_flow_gets_text_and_a_hint(roster_db: Database, clock: FakeClock) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    busy = await account(roster_db, "telegram", "501")
    async with roster_db.uow() as uow:
        row = DialogStateRow(account_id=busy.id, flow="register", step="content", nonce=7, data={"values": {"x": 1}})
        row.updated_at = clock.now() - timedelta(minutes=20)
        await uow.dialogs.save(row)
        await uow.commit()
    broadcast = await new_broadcast(roster_db, clock.now(), BroadcastKind.PROGRESS_REMINDER)
    question = OutgoingMessage(member, QUESTION.text, QUESTION.choices, QUESTION.flow, QUESTION.data)
    await send_to(roster_db, broadcast, [question], clock.now())

    reply = await claim_one(roster_db, clock.now())

    assert reply.choices == ()
    assert reply.text == QUESTION.text + d.BUSY_HINT.format(command="/capnhat")
    async with roster_db.uow() as uow:
        kept = await uow.dialogs.load(busy.id)
        assert kept is not None and (kept.flow, kept.step, kept.nonce) == ("register", "content", 7)


async def test_an_abandoned_flow_is_taken_over(roster_db: Database, clock: FakeClock) -> None:
    member = await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    idle = await account(roster_db, "telegram", "501")
    async with roster_db.uow() as uow:
        row = DialogStateRow(account_id=idle.id, flow="register", step="content", nonce=7, data={})
        row.updated_at = clock.now() - timedelta(hours=2)
        await uow.dialogs.save(row)
        await uow.commit()
    broadcast = await new_broadcast(roster_db, clock.now(), BroadcastKind.PROGRESS_REMINDER)
    question = OutgoingMessage(member, QUESTION.text, QUESTION.choices, QUESTION.flow, QUESTION.data)
    await send_to(roster_db, broadcast, [question], clock.now())

    reply = await claim_one(roster_db, clock.now())

    assert [c.payload for c in reply.choices] == ["8|now", "8|snooze:1"]


async def test_writing_again_clears_blocked(roster_db: Database, clock: FakeClock) -> None:
    await setup_member(roster_db, "DV001", [("telegram", "501", LATER)])
    async with roster_db.uow() as uow:
        found = await uow.accounts.find("telegram", "501")
        assert found is not None
        found.blocked_at = EARLY
        await uow.commit()

    await Router(roster_db.uow, clock, TZ).handle(Incoming("telegram", "501", "k1", text="/menu"))

    assert (await account(roster_db, "telegram", "501")).blocked_at is None
