"""Messages the bot starts itself, as delivery rows: queue them, claim them for sending, record outcomes.

A broadcast has one delivery row per recipient (unique per broadcast and member), moving
pending -> sending -> sent | blocked | failed | unknown (or skipped when nobody can be reached). A row is
claimed (moved to SENDING, leased to its sender, committed) before its request goes out, so a crash leaves
it in SENDING. When its sender is gone (its lease lapsed, or at the start of the single SQLite process) it is
taken back: at-least-once (DELIVERY_AFTER_CRASH=resend, the default) puts it back to pending to be sent
again once, counted as resent ("gửi lại"), so a member may get it twice but never miss it; at-most-once
(=unknown), or a row already resent once, becomes UNKNOWN: reported, never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from handlers.catalog import deliveries as d
from handlers.clock import local_today
from handlers.dialog_state import DialogState, save_state
from handlers.messages import Reply
from handlers.outbound import SendOutcome, SendStatus
from handlers.services.member_refs import render_refs
from storage.enums import BroadcastKind, BroadcastState, DeliveryStatus
from storage.models import Broadcast, ChatAccount, Delivery, DialogStateRow, Member
from storage.repo_deliveries import ClaimedRow
from storage.uow import UnitOfWork

REMINDER_KINDS = frozenset({BroadcastKind.PROGRESS_REMINDER.value, BroadcastKind.REGISTER_REMINDER.value})
# Warnings about the member's own accounts: not held back by quiet hours or a pause (illness pauses reminders).
URGENT_KINDS = frozenset({BroadcastKind.SECURITY.value})
RESPOND_STEP = "respond"
# A member who touched another flow this recently is busy with it: a message does not take over their dialog.
BUSY_WINDOW = timedelta(hours=1)
IDLE_FLOWS = frozenset({None, "menu"})
ERROR_MAX = 200
DEFAULT_COMMAND = "/menu"


@dataclass(frozen=True)
class OutgoingMessage:
    member_id: int
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (label, value); answered in `flow` at step "respond"
    flow: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the flow's values; "command" names the typed fallback
    account_id: int | None = None  # this chat account (if it can be reached), not the one the member's rule picks


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery the sender now owns: where it goes and what it says (payloads carry the dialog's nonce)."""

    delivery_id: int
    broadcast_id: int
    member_id: int
    account_id: int
    platform: str
    external_id: str
    priority: int
    replies: tuple[Reply, ...]
    attempts: int = 1  # including this one


@dataclass(frozen=True)
class Lease:
    """Who holds the rows it claims (an instance's id) and until when, unless renewed."""

    owner: str
    until: datetime


@dataclass(frozen=True)
class Recovered:
    """Rows in flight whose sender was gone: put back to be sent again, or marked UNKNOWN."""

    resent: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.resent) + len(self.unknown)

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.resent), len(self.unknown)


@dataclass(frozen=True)
class BroadcastCounts:
    broadcast_id: int
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    resent: int = 0  # sent again after their sender crashed (counted in their status too)

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.blocked + self.failed + self.unknown + self.skipped

    @property
    def open(self) -> int:
        return self.pending + self.sending


# --- queueing -----------------------------------------------------------------------------------------


async def enqueue(
    uow: UnitOfWork, broadcast: Broadcast, messages: Sequence[OutgoingMessage], now: datetime, tz: ZoneInfo
) -> int:
    """One delivery row per member of `messages` not yet in the broadcast; returns how many were queued."""
    if broadcast.id is None:
        await uow.deliveries.add_broadcast(broadcast)
    already = await uow.deliveries.members_already_in(broadcast.id)
    wanted: dict[int, OutgoingMessage] = {}
    for message in messages:
        if message.choices and not message.flow:
            raise ValueError("a message with choices needs the flow that answers them")
        if message.member_id not in already:
            wanted.setdefault(message.member_id, message)
    ids = list(wanted)
    members = await uow.deliveries.members(ids)
    accounts = await uow.deliveries.reachable_accounts(ids)
    is_reminder, urgent = broadcast.kind in REMINDER_KINDS, broadcast.kind in URGENT_KINDS
    today = local_today(now, tz)
    rows: list[Delivery] = []
    for member_id, message in wanted.items():
        member = members.get(member_id)
        reason = skip_reason(member, today, urgent)
        reachable = accounts.get(member_id, [])
        account = None if member is None or reason else choose_account(member, reachable, message.account_id)
        if reason is None and account is None:
            reason = "no reachable chat account"
        row = Delivery(
            broadcast_id=broadcast.id,
            member_id=member_id,
            account_id=account.id if account else None,
            platform=account.platform if account else None,
            status=DeliveryStatus.SKIPPED.value if reason else DeliveryStatus.PENDING.value,
            text=message.text,
            choices=_stored(message),
            not_before=None if reason or member is None or urgent else send_after(member, now, tz, is_reminder),
            attempts=0,
            error=reason,
            updated_at=now,
        )
        rows.append(row)
    await uow.deliveries.add_deliveries(rows)
    queued = sum(1 for row in rows if row.status == DeliveryStatus.PENDING.value)
    broadcast.total = (broadcast.total or 0) + len(rows)
    if broadcast.started_at is None:
        broadcast.started_at = now
    broadcast.state = BroadcastState.SENDING.value
    if await uow.deliveries.finish_complete([broadcast.id], now):  # nobody to send to: done already
        broadcast.state, broadcast.finished_at = BroadcastState.DONE.value, now
    return queued


def skip_reason(member: Member | None, today: date, urgent: bool = False) -> str | None:
    if member is None or not member.active or member.anonymised_at is not None:
        return "not an active member"
    if member.consent_at is None:
        return "no consent to the data notice"
    if not urgent and member.paused_until is not None and member.paused_until >= today:
        return "paused"
    return None


def choose_account(
    member: Member, reachable: Sequence[ChatAccount], account_id: int | None = None
) -> ChatAccount | None:
    """The preferred platform's account if it can be reached, else the most recently seen one; with
    `account_id`, that account or none."""
    if account_id is not None:
        return next((account for account in reachable if account.id == account_id), None)
    if member.preferred_platform:
        for account in reachable:
            if account.platform == member.preferred_platform:
                return account
    return reachable[0] if reachable else None


def send_after(member: Member, now: datetime, tz: ZoneInfo, is_reminder: bool) -> datetime | None:
    """When the message may go (UTC), or None for at once: the preferred hour (reminders), then quiet hours."""
    local = now.astimezone(tz)
    moment = local
    if is_reminder and member.remind_hour is not None:
        moment = _at_preferred_hour(local, _hour(member.remind_hour, 8), tz)
    moment = _after_quiet_hours(moment, _hour(member.quiet_from, 21), _hour(member.quiet_to, 7), tz)
    return None if moment <= local else moment.astimezone(UTC)


def in_quiet_hours(hour: int, quiet_from: int, quiet_to: int) -> bool:
    if quiet_from == quiet_to:
        return False  # no quiet hours
    if quiet_from < quiet_to:
        return quiet_from <= hour < quiet_to
    return hour >= quiet_from or hour < quiet_to  # wraps midnight, e.g. 21..07


def _hour(value: int | None, default: int) -> int:
    return value if value is not None and 0 <= value <= 23 else default


def _at_hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def _at_preferred_hour(local: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """Today at the preferred hour, at once within that hour, else tomorrow at that hour."""
    target = _at_hour(local.date(), hour, tz)
    if local < target:
        return target
    if local < target + timedelta(hours=1):
        return local
    return _at_hour(local.date() + timedelta(days=1), hour, tz)


def _after_quiet_hours(moment: datetime, quiet_from: int, quiet_to: int, tz: ZoneInfo) -> datetime:
    if not in_quiet_hours(moment.hour, quiet_from, quiet_to):
        return moment
    end = _at_hour(moment.date(), quiet_to, tz)
    return end if end > moment else _at_hour(moment.date() + timedelta(days=1), quiet_to, tz)


def _stored(message: OutgoingMessage) -> list[Any] | None:
    if not message.choices:
        return None
    payload = {"choices": [list(choice) for choice in message.choices], "flow": message.flow, "data": message.data}
    return cast(list[Any], payload)  # the column is JSON: a dict is stored as it is


def _unstored(raw: object) -> tuple[list[tuple[str, str]], str | None, dict[str, Any]]:
    if isinstance(raw, dict):
        choices = [(str(label), str(value)) for label, value in raw.get("choices") or []]
        return choices, raw.get("flow"), dict(raw.get("data") or {})
    if isinstance(raw, list):  # plain [[label, value], ...] written by hand
        return [(str(label), str(value)) for label, value in raw], None, {}
    return [], None, {}


# --- sending ------------------------------------------------------------------------------------------


async def claim_due(
    uow: UnitOfWork, platform: str, now: datetime, limit: int, lease: Lease | None = None
) -> list[ClaimedDelivery]:
    """Take up to `limit` due rows of `platform` for sending, under `lease` (commit before sending them).

    A row with choices sets the recipient's dialog to the message's flow at step "respond" with a new nonce,
    here rather than after the send: an answer pressed within a second of delivery must find it in place.
    """
    rows = await uow.deliveries.claim_due(platform, now, limit, (lease.owner, lease.until) if lease else None)
    with_choices = [row.account.id for row in rows if row.delivery.choices]
    dialogs = await uow.deliveries.dialogs_of(with_choices) if with_choices else {}
    texts = await render_refs(uow, [row.delivery.text for row in rows])  # names as they are now
    claimed = []
    for row, text in zip(rows, texts, strict=True):
        reply = await _reply_for(uow, row, text, dialogs.get(row.account.id), now)
        claimed.append(
            ClaimedDelivery(
                delivery_id=row.delivery.id,
                broadcast_id=row.delivery.broadcast_id,
                member_id=row.delivery.member_id,
                account_id=row.account.id,
                platform=row.account.platform,
                external_id=row.account.external_id,
                priority=row.priority,
                replies=(reply,),
                attempts=row.delivery.attempts,
            )
        )
    return claimed


async def _reply_for(
    uow: UnitOfWork, row: ClaimedRow, text: str, dialog: DialogStateRow | None, now: datetime
) -> Reply:
    choices, flow, data = _unstored(row.delivery.choices)
    if not choices or flow is None:
        return Reply(text)
    if _busy_elsewhere(dialog, flow, now):
        return Reply(text + d.BUSY_HINT.format(command=str(data.get("command") or DEFAULT_COMMAND)))
    state = DialogState(flow=flow, data=data, nonce=dialog.nonce if dialog else 0)
    reply = state.ask(RESPOND_STEP, text, choices, numbered=True)
    await save_state(uow, row.account.id, dialog, state, now)
    return reply


def _busy_elsewhere(dialog: DialogStateRow | None, flow: str, now: datetime) -> bool:
    if dialog is None or dialog.flow in IDLE_FLOWS or dialog.flow == flow:
        return False
    return now - dialog.updated_at < BUSY_WINDOW


async def record(uow: UnitOfWork, delivery_id: int, outcome: SendOutcome, now: datetime) -> None:
    await record_many(uow, [(delivery_id, outcome)], now)


# What a platform's answer makes of a delivery row.
ROW_STATUS = {
    SendStatus.SENT: DeliveryStatus.SENT,
    SendStatus.PENDING: DeliveryStatus.PENDING,
    SendStatus.BLOCKED: DeliveryStatus.BLOCKED,
    SendStatus.FAILED: DeliveryStatus.FAILED,
    SendStatus.UNKNOWN: DeliveryStatus.UNKNOWN,
}


async def record_many(uow: UnitOfWork, outcomes: Sequence[tuple[int, SendOutcome]], now: datetime) -> None:
    """Write what the platform said. A retry_after puts the row back to pending; BLOCKED marks the account."""
    rows = await uow.deliveries.deliveries([delivery_id for delivery_id, _ in outcomes])
    blocked: list[int] = []
    touched: set[int] = set()
    for delivery_id, outcome in outcomes:
        row = rows.get(delivery_id)
        if row is None or row.status not in (DeliveryStatus.SENDING.value, DeliveryStatus.UNKNOWN.value):
            continue
        touched.add(row.broadcast_id)
        row.updated_at = now
        row.error = outcome.error[:ERROR_MAX] if outcome.error else None
        if outcome.retry_after is not None or outcome.status is SendStatus.PENDING:
            row.status = DeliveryStatus.PENDING.value
            row.not_before = now + timedelta(seconds=outcome.retry_after or 0)
            continue
        row.status = ROW_STATUS[outcome.status].value
        if outcome.status is SendStatus.SENT:
            row.sent_at = now
        if outcome.status is SendStatus.BLOCKED and row.account_id is not None:
            blocked.append(row.account_id)
    if blocked:
        await uow.deliveries.mark_blocked(blocked, now)
    await uow.deliveries.finish_complete(sorted(touched), now)


async def recover_in_flight(
    uow: UnitOfWork, now: datetime | None = None, *, resend: bool = False, lapsed_only: bool = False
) -> Recovered:
    """Rows left in SENDING by a sender that is gone (lapsed_only: those whose lease lapsed; else all of them,
    at the start of the only process) may or may not have gone out. resend: each is sent again, once (a row
    already resent becomes UNKNOWN); else they become UNKNOWN and are never sent again."""
    now = now or datetime.now(UTC)
    rows = await uow.deliveries.in_flight(now if lapsed_only else None)
    recovered = Recovered()
    for row in rows:
        row.updated_at, row.lease_owner, row.lease_until = now, None, None
        if resend and row.resent == 0:
            row.status, row.resent = DeliveryStatus.PENDING.value, 1
            row.error = "interrupted while sending (its sender stopped): sent again"
            recovered.resent.append(row.id)
            continue
        row.status = DeliveryStatus.UNKNOWN.value
        row.error = "interrupted while sending (its sender stopped)"
        recovered.unknown.append(row.id)
    await uow.deliveries.finish_complete(sorted({row.broadcast_id for row in rows}), now)
    return recovered


async def broadcast_counts(uow: UnitOfWork, broadcast_id: int) -> BroadcastCounts:
    return (await counts_of(uow, [broadcast_id]))[broadcast_id]


async def counts_of(uow: UnitOfWork, broadcast_ids: Sequence[int]) -> dict[int, BroadcastCounts]:
    raw = await uow.deliveries.status_counts(broadcast_ids)
    fields = set(BroadcastCounts.__dataclass_fields__) - {"broadcast_id"}
    return {
        broadcast_id: BroadcastCounts(broadcast_id, **{k: v for k, v in by_status.items() if k in fields})
        for broadcast_id, by_status in raw.items()
    }
