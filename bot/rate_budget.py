"""One rate budget per bot token, shared by everything that sends: replies, the delivery sender, `remind now`.

Every request that carries a chat asks `RateBudget.acquire(chat, kind)` right before it starts (PTB's requests
through `BudgetLimiter`, Zalo's in `ZaloMessenger`); a 429 calls `pause(retry_after)`, which holds every sender of
the token back, on every instance. The decision is `plan`, one pure function over the token's state; where that
state lives is the store's business:
- `MemoryStore`: in this process (SQLite: one process sends; `remind now` only queues for it);
- `DatabaseStore`: rows of `rate_budget` (PostgreSQL: every instance and `remind now` share them). One transaction
  reserves for every request waiting at that moment (a batch), so the round trips per message stay few.

The rules (`plan`): starts are spaced `(1 + jitter) / rate` apart overall, so any one-second window holds fewer
than `rate` arrivals as long as a request reaches the platform within `jitter` (40 ms: the margin below the
platform's limit) of its slot; a request waking later than half of that gives its slot up and takes another (up
to `MAX_GIVE_UPS` times: one going late among slots used on time is what put 31 in a second). A reservation in the
database is planned after its wait for the token's row, a margin ahead, so its slots are not already past when
the answer comes. A chat gets one message per `per_chat_interval` (a generic cell rate algorithm: replies may come
`reply_burst` at once). Replies come first: a broadcast takes a slot only if it starts within `broadcast_horizon`,
so a reply waits at most that long behind broadcasts, and while replies keep the queue longer than that,
broadcasts wait. Times are the wall clock (instances on several hosts: NTP).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.wiring import Core

log = logging.getLogger(__name__)

PAUSE_MARGIN_S = 0.1  # added to a retry_after: the platform's clock is not ours
MIN_RETRY_S = 0.005  # a request told "not yet" asks again no sooner than this
PRUNE_EVERY_S = 600.0  # how often a store forgets chats that hold nothing back any more
MAX_GIVE_UPS = 3  # a request woken late gives its slot up this many times at most, then goes late
TAIL_MARGIN_S = 0.1  # a database reservation plans its slots this much (and twice its usual commit time) ahead
Now = Callable[[], float]


class BudgetUnavailable(Exception):
    """The store could not be asked (the database failed): the request did not go; it can be tried again."""

    sent_before = 0  # messages of the same delivery that went before it (set by a messenger sending several)


class Kind(StrEnum):
    REPLY = "reply"  # to a person talking to the bot: first, and a few at once per chat
    BROADCAST = "broadcast"  # reminders, digests, announcements, notices: what the replies leave


@dataclass(frozen=True)
class BudgetLimits:
    rate: float = 30.0  # messages a second over the whole token
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    reply_burst: int = 3  # replies to one chat may go this many at once
    broadcast_horizon: float = 0.25  # a broadcast takes only a slot starting this soon
    jitter: float = 0.04  # seconds a request may reach the platform late (network, a busy loop): the margin

    @property
    def spacing(self) -> float:
        return (1.0 + self.jitter) / self.rate

    @property
    def chat_spacing(self) -> float:
        return self.per_chat_interval + self.jitter


@dataclass(frozen=True)
class Grant:
    start: float | None  # when the request may start; None: not now
    retry_at: float  # when to ask again (start is None)


@dataclass
class TokenState:
    next_at: float = 0.0  # the next free overall slot
    paused_until: float = 0.0  # a 429's retry_after ends


def plan(
    state: TokenState, chats: dict[str, float], requests: Sequence[tuple[str, Kind]], now: float, limits: BudgetLimits
) -> list[Grant]:
    """Grant the requests (replies first) in `state` and `chats` (chat -> its next arrival), which it advances."""
    grants: dict[int, Grant] = {}
    order = sorted(range(len(requests)), key=lambda index: requests[index][1] is not Kind.REPLY)
    for index in order:
        chat, kind = requests[index]
        base = max(now, state.paused_until)
        slot = max(base, state.next_at)
        if kind is Kind.BROADCAST and slot > base + limits.broadcast_horizon:
            grants[index] = Grant(None, slot - limits.broadcast_horizon)
            continue
        burst = limits.reply_burst if kind is Kind.REPLY else 1
        chat_next = chats.get(chat, 0.0)
        ready = chat_next - (burst - 1) * limits.chat_spacing
        if ready > slot:  # the chat had its share: ask again then (no overall slot is spent on it)
            grants[index] = Grant(None, ready)
            continue
        state.next_at = slot + limits.spacing
        chats[chat] = max(chat_next, slot) + limits.chat_spacing
        grants[index] = Grant(slot, slot)
    return [grants[index] for index in range(len(requests))]


class BudgetStore(Protocol):
    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Now, limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        """The grants, and the pause in force. `now` is read when the store plans (after any lock wait)."""
        ...

    async def pause(self, key: str, until: float) -> float:
        """Pause the token until `until` (a longer pause stays); returns the pause in force."""
        ...


class MemoryStore:
    """The budget of the tokens this process sends for, kept in this process."""

    def __init__(self) -> None:
        self._tokens: dict[str, TokenState] = {}
        self._chats: dict[str, dict[str, float]] = {}
        self._pruned_at = 0.0

    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Now, limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        state = self._tokens.setdefault(key, TokenState())
        chats = self._chats.setdefault(key, {})
        at = now()
        grants = plan(state, chats, requests, at, limits)
        if at - self._pruned_at > PRUNE_EVERY_S:
            self._chats[key] = {chat: next_at for chat, next_at in chats.items() if next_at > at}
            self._pruned_at = at
        return grants, state.paused_until

    async def pause(self, key: str, until: float) -> float:
        state = self._tokens.setdefault(key, TokenState())
        state.paused_until = max(state.paused_until, until)
        return state.paused_until


class DatabaseStore:
    """The budget in the database (`rate_budget`): every instance of a deployment shares it."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], margin: float = TAIL_MARGIN_S) -> None:
        self.uow_factory = uow_factory
        self.margin = margin
        self._pruned_at = 0.0
        self._tail = 0.0  # from planning to the commit done (a moving average): slots start no sooner than that

    async def reserve(
        self, key: str, requests: Sequence[tuple[str, Kind]], now: Now, limits: BudgetLimits
    ) -> tuple[list[Grant], float]:
        keys = {chat: f"{key}:{chat}" for chat, _ in requests}
        asked = now()
        async with self.uow_factory() as uow:
            next_at, paused_until = await uow.budget.lock_token(key)  # the token's transactions: one at a time
            found = await uow.budget.chats(keys.values())
            planned = now()  # after the wait for the lock: the slots are not already past when the answer comes
            state = TokenState(next_at, paused_until)
            before = {chat: found.get(row, 0.0) for chat, row in keys.items()}
            chats = dict(before)
            grants = plan(state, chats, requests, planned + self.margin + 2 * self._tail, limits)
            changed = {keys[chat]: at for chat, at in chats.items() if at != before[chat]}
            if changed:
                await uow.budget.save(key, state.next_at, changed)
            if planned - self._pruned_at > PRUNE_EVERY_S:
                await uow.budget.prune_chats(key, planned)
                self._pruned_at = planned
            await uow.commit()
        done = now()
        self._tail = 0.8 * self._tail + 0.2 * (done - planned)
        if log.isEnabledFor(logging.DEBUG):
            starts = [grant.start for grant in grants if grant.start is not None]
            log.debug(
                "reserved %d of %d: lock %.0f ms, commit %.0f ms, slots %+.0f..%+.0f ms after, queue was %+.0f ms",
                *(len(starts), len(grants), (planned - asked) * 1000, (done - planned) * 1000),
                *((min(starts) - done) * 1000 if starts else 0, (max(starts) - done) * 1000 if starts else 0),
                (next_at - planned) * 1000,
            )
        return grants, state.paused_until

    async def pause(self, key: str, until: float) -> float:
        async with self.uow_factory() as uow:
            paused = await uow.budget.pause(key, until)
            await uow.commit()
        return paused


def token_key(platform: str, token: str) -> str:
    """The budget's name for a token: the platform and a hash (the token itself is never stored)."""
    return f"{platform}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


class RateBudget:
    """A token's budget as one process sees it. Requests waiting at the same time are reserved in one batch."""

    def __init__(
        self,
        key: str,
        limits: BudgetLimits,
        store: BudgetStore,
        now: Now = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.key, self.limits, self.store = key, limits, store
        self.paused_until = 0.0  # the last pause this process heard of
        self._now = now
        self._sleep = sleep
        self._waiting: list[tuple[str, Kind, asyncio.Future[Grant]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.given_up = 0  # slots woken too late for (a busy loop): a figure for the benchmark

    def is_paused(self) -> bool:
        return self._now() < self.paused_until

    async def acquire(self, chat: str, kind: Kind) -> None:
        """Wait until a request to `chat` may start, then return at once (the caller starts it)."""
        given_up = 0
        while True:
            grant = await self._reserve(chat, kind)
            if grant.start is None:
                await self._wait_until(max(grant.retry_at, self._now() + MIN_RETRY_S))
                continue
            await self._wait_until(grant.start)
            if grant.start < self.paused_until:
                continue  # a 429 came meanwhile: after the pause
            late = self._now() - grant.start > self.limits.jitter / 2
            if not late:
                return
            if given_up >= MAX_GIVE_UPS:
                log.info(
                    "a %s request went %.0f ms late after %d slots given up",
                    kind,
                    (self._now() - grant.start) * 1000,
                    given_up,
                )
                return
            # Woke too late (a busy loop): the slot is given up and another taken. A slot more than the jitter
            # late, sent among slots used on time, puts one start too many in a second: a 429 pausing every
            # sender. A loop late by the same amount every time compresses nothing; so after a few tries it goes.
            given_up += 1
            self.given_up += 1
            log.debug("gave a %s slot up: woke %.0f ms late", kind, (self._now() - grant.start) * 1000)

    async def pause(self, seconds: float) -> None:
        """The platform said retry_after: every sender of the token waits that long."""
        until = self._now() + seconds + PAUSE_MARGIN_S
        self.paused_until = max(self.paused_until, until)
        log.warning("%s asked to wait: every sender pauses for %.1f s", self.key.split(":", 1)[0], seconds)
        self.paused_until = max(self.paused_until, await self.store.pause(self.key, until))

    async def _wait_until(self, moment: float) -> None:
        delay = moment - self._now()
        if delay > 0:
            await self._sleep(delay)

    async def _reserve(self, chat: str, kind: Kind) -> Grant:
        future: asyncio.Future[Grant] = asyncio.get_running_loop().create_future()
        self._waiting.append((chat, kind, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        """Reserve for everyone waiting; whoever comes during the store's round trip goes in the next batch."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                requests = [(chat, kind) for chat, kind, _ in batch]
                grants, paused = await self.store.reserve(self.key, requests, self._now, self.limits)
            except Exception as error:  # the database failed: every waiting request fails, none went out
                log.warning("the rate budget could not be reserved: %s", type(error).__name__)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(BudgetUnavailable(type(error).__name__))
                continue
            self.paused_until = max(self.paused_until, paused)
            for (_, _, future), grant in zip(batch, grants, strict=True):
                if not future.done():  # its request was cancelled meanwhile
                    future.set_result(grant)


def shared_in_database(settings: Settings, core: Core) -> bool:
    """Whether the budget lives in the database (several processes send for one token) or in this process."""
    if settings.rate_budget != "auto":
        return settings.rate_budget == "database"
    return bool(core.engine.dialect.name == "postgresql")


def budgets_for(settings: Settings, core: Core) -> dict[str, RateBudget]:
    """The budget of each platform whose token is set: one per process, shared by all its senders."""
    store: BudgetStore = DatabaseStore(core.uow) if shared_in_database(settings, core) else MemoryStore()
    found: dict[str, RateBudget] = {}
    if settings.telegram_bot_token is not None:
        limits = BudgetLimits(
            settings.telegram_messages_per_second,
            settings.telegram_per_chat_seconds,
            settings.reply_burst,
            jitter=settings.rate_margin_ms / 1000,
        )
        found["telegram"] = RateBudget(
            token_key("telegram", settings.telegram_bot_token.get_secret_value()), limits, store
        )
    if settings.zalo_bot_token is not None:
        limits = BudgetLimits(
            settings.zalo_messages_per_second,
            settings.zalo_per_chat_seconds,
            settings.reply_burst,
            jitter=settings.rate_margin_ms / 1000,
        )
        found["zalo"] = RateBudget(token_key("zalo", settings.zalo_bot_token.get_secret_value()), limits, store)
    return found
