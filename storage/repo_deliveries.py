"""Broadcasts and their deliveries: queueing, claiming for sending, outcomes, counts. Never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from storage.enums import BroadcastState, DeliveryStatus, Platform
from storage.models import Broadcast, ChatAccount, Delivery, DialogStateRow, Member
from storage.repo_base import Repo, chunked


@dataclass(frozen=True)
class ClaimedRow:
    """A delivery taken for sending, with what the sender needs to reach the chat."""

    delivery: Delivery
    account: ChatAccount
    priority: int


class DeliveryRepository(Repo):
    async def add_broadcast(self, broadcast: Broadcast) -> Broadcast:
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def recent_broadcasts(self, created_by_member_id: int, kind: str, limit: int) -> list[Broadcast]:
        stmt = (
            select(Broadcast)
            .where(Broadcast.created_by_member_id == created_by_member_id, Broadcast.kind == kind)
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
        return await self._scalars(stmt)

    async def members(self, member_ids: Sequence[int]) -> dict[int, Member]:
        found: dict[int, Member] = {}
        for chunk in chunked(member_ids):
            found.update({m.id: m for m in await self._scalars(select(Member).where(Member.id.in_(chunk)))})
        return found

    async def reachable_accounts(self, member_ids: Sequence[int]) -> dict[int, list[ChatAccount]]:
        """Each member's non-console accounts that have not blocked the bot, most recently seen first."""
        accounts: dict[int, list[ChatAccount]] = {}
        for chunk in chunked(member_ids):
            stmt = (
                select(ChatAccount)
                .where(
                    ChatAccount.member_id.in_(chunk),
                    ChatAccount.platform != Platform.CONSOLE.value,
                    ChatAccount.blocked_at.is_(None),
                )
                .order_by(ChatAccount.last_seen_at.desc(), ChatAccount.id.desc())
            )
            for account in await self._scalars(stmt):
                accounts.setdefault(account.member_id, []).append(account)
        return accounts

    async def members_already_in(self, broadcast_id: int) -> set[int]:
        stmt = select(Delivery.member_id).where(Delivery.broadcast_id == broadcast_id)
        return set((await self.session.scalars(stmt)).all())

    async def add_deliveries(self, rows: Iterable[Delivery]) -> None:
        self.session.add_all(list(rows))
        await self.session.flush()

    async def claim_due(
        self, platform: str, now: datetime, limit: int, lease: tuple[str, datetime] | None = None
    ) -> list[ClaimedRow]:
        """Pending rows due on `platform`, highest priority (lowest number) first, moved to SENDING (leased to
        `lease`'s owner until its time, when given). SKIP LOCKED: two senders never take the same row.

        Per priority, the rows come from the (status, not_before) index in its order: no sort of every
        pending row on each claim (a 10,000-member broadcast claims a few rows at a time).
        """
        claimed: list[tuple[Delivery, int]] = []
        for priority, broadcast_ids in await self._open_broadcasts():
            if len(claimed) >= limit:
                break
            stmt = (
                select(Delivery)
                .where(
                    Delivery.status == DeliveryStatus.PENDING.value,
                    Delivery.platform == platform,
                    Delivery.broadcast_id.in_(broadcast_ids),
                    or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
                )
                .order_by(Delivery.not_before, Delivery.id)
                .limit(limit - len(claimed))
                .with_for_update(skip_locked=True)
            )
            claimed.extend((row, priority) for row in await self._scalars(stmt))
        if not claimed:
            return []
        for delivery, _ in claimed:
            delivery.status = DeliveryStatus.SENDING.value
            delivery.attempts += 1
            delivery.updated_at = now
            delivery.lease_owner, delivery.lease_until = lease or (None, None)
        await self.session.flush()
        account_ids = [delivery.account_id for delivery, _ in claimed if delivery.account_id is not None]
        accounts = {a.id: a for a in await self._scalars(select(ChatAccount).where(ChatAccount.id.in_(account_ids)))}
        return [
            ClaimedRow(delivery, accounts[delivery.account_id], priority)
            for delivery, priority in claimed
            if delivery.account_id in accounts
        ]

    async def _open_broadcasts(self) -> list[tuple[int, list[int]]]:
        stmt = (
            select(Broadcast.priority, Broadcast.id)
            .where(Broadcast.state == BroadcastState.SENDING.value)
            .order_by(Broadcast.priority, Broadcast.id)
        )
        groups: dict[int, list[int]] = {}
        for priority, broadcast_id in (await self.session.execute(stmt)).all():
            groups.setdefault(int(priority), []).append(int(broadcast_id))
        return list(groups.items())

    async def dialogs_of(self, account_ids: Sequence[int]) -> dict[int, DialogStateRow]:
        found: dict[int, DialogStateRow] = {}
        for chunk in chunked(account_ids):
            stmt = select(DialogStateRow).where(DialogStateRow.account_id.in_(chunk)).with_for_update()
            found.update({row.account_id: row for row in await self._scalars(stmt)})
        return found

    async def deliveries(self, delivery_ids: Sequence[int]) -> dict[int, Delivery]:
        found: dict[int, Delivery] = {}
        for chunk in chunked(delivery_ids):
            found.update({d.id: d for d in await self._scalars(select(Delivery).where(Delivery.id.in_(chunk)))})
        return found

    async def mark_blocked(self, account_ids: Sequence[int], now: datetime) -> None:
        for chunk in chunked(account_ids):
            stmt = update(ChatAccount).where(ChatAccount.id.in_(chunk), ChatAccount.blocked_at.is_(None))
            await self.session.execute(stmt.values(blocked_at=now))

    async def in_flight(self, lapsed_at: datetime | None = None) -> list[Delivery]:
        """Rows in SENDING; with `lapsed_at`, only those whose sender's lease had lapsed by then (or never had
        one). Rows another transaction is taking back are skipped, not waited for."""
        stmt = select(Delivery).where(Delivery.status == DeliveryStatus.SENDING.value)
        if lapsed_at is not None:
            stmt = stmt.where(or_(Delivery.lease_until.is_(None), Delivery.lease_until < lapsed_at))
        return await self._scalars(stmt.order_by(Delivery.id).with_for_update(skip_locked=True))

    async def renew(self, owner: str, delivery_ids: Sequence[int], until: datetime) -> None:
        """Extend the leases `owner` holds on these rows while their requests are on their way."""
        for chunk in chunked(delivery_ids):
            stmt = update(Delivery).where(
                Delivery.id.in_(chunk), Delivery.lease_owner == owner, Delivery.status == DeliveryStatus.SENDING.value
            )
            await self.session.execute(stmt.values(lease_until=until))

    async def status_counts(self, broadcast_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {broadcast_id: {} for broadcast_id in broadcast_ids}
        for chunk in chunked(broadcast_ids):
            stmt = (
                select(Delivery.broadcast_id, Delivery.status, func.count(Delivery.id))
                .where(Delivery.broadcast_id.in_(chunk))
                .group_by(Delivery.broadcast_id, Delivery.status)
            )
            for broadcast_id, status, count in (await self.session.execute(stmt)).all():
                counts[broadcast_id][status] = int(count)
            resent = (
                select(Delivery.broadcast_id, func.count(Delivery.id))
                .where(Delivery.broadcast_id.in_(chunk), Delivery.resent > 0)
                .group_by(Delivery.broadcast_id)
            )
            for broadcast_id, count in (await self.session.execute(resent)).all():
                counts[broadcast_id]["resent"] = int(count)  # beside the statuses: a resent row has one too
        return counts

    async def finish_complete(self, broadcast_ids: Sequence[int], now: datetime) -> list[int]:
        """Mark DONE the broadcasts among these with nothing left pending or sending; returns their ids."""
        open_states = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
        done: list[int] = []
        for broadcast_id in broadcast_ids:
            busy = select(Delivery.id).where(Delivery.status.in_(open_states), Delivery.broadcast_id == broadcast_id)
            if await self.session.scalar(busy.limit(1)) is None:
                done.append(broadcast_id)
        for chunk in chunked(done):
            values: dict[str, Any] = {"state": BroadcastState.DONE.value, "finished_at": now}
            await self.session.execute(
                update(Broadcast)
                .where(Broadcast.id.in_(chunk), Broadcast.state != BroadcastState.DONE.value)
                .values(**values)
            )
        return done

    async def blank_sent_texts(self, before: datetime) -> int:
        """Blank the texts of deliveries finished (sent, blocked, failed, unknown, skipped) before `before`."""
        finished = [
            status.value for status in DeliveryStatus if status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
        ]
        stmt = (
            update(Delivery)
            .where(Delivery.status.in_(finished), Delivery.updated_at < before, Delivery.text != "")
            .values(text="")
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def oldest_due(self, platforms: Sequence[str], now: datetime) -> dict[str, datetime]:
        """Per platform, since when the longest-waiting row the sender could claim now has been due (queued, or
        its not-before passed); platforms with none left out."""
        due_since = func.coalesce(Delivery.not_before, Delivery.updated_at)
        stmt = (
            select(Delivery.platform, func.min(due_since))
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(
                Delivery.status == DeliveryStatus.PENDING.value,
                Delivery.platform.in_(list(platforms)),
                or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
                Broadcast.state == BroadcastState.SENDING.value,
            )
            .group_by(Delivery.platform)
        )
        return {str(platform): since for platform, since in (await self.session.execute(stmt)).all()}

    async def has_pending(self, platforms: Sequence[str], now: datetime | None = None) -> bool:
        """Whether any delivery waits on these platforms (due by `now`, when given)."""
        conditions = [Delivery.status == DeliveryStatus.PENDING.value, Delivery.platform.in_(list(platforms))]
        if now is not None:
            conditions.append(or_(Delivery.not_before.is_(None), Delivery.not_before <= now))
        found = await self.session.scalar(select(Delivery.id).where(*conditions).limit(1))
        return found is not None
