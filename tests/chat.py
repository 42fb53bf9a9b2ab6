"""A recording chat partner for flow tests: it talks to a Router like a channel would.

    chat = Chat(router)
    await chat.link_as("DV001", roster_db, clock)   # invite, /start CODE, consent
    await chat.say("/dangky")
    await chat.press(t.CONFIRM)
    chat.assert_said(t.REGISTERED.format(number=1, year=2026))

Every `say`/`press` sends a new, globally unique update key (update keys are unique per platform,
so two Chat objects on one platform must never share one); `send(..., key=...)` re-sends a chosen key
to simulate a redelivery.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.clock import local_today
from handlers.messages import Incoming, Reply
from handlers.services.authz import load_actor
from handlers.services.commitments import Draft, log_progress, register_commitment
from handlers.services.invites import issue_invites
from storage.models import Commitment, ProgressEntry
from tests.support import TZ

if TYPE_CHECKING:
    from handlers.router import Router
    from storage.uow import UnitOfWork
    from tests.support import Database, FakeClock

_keys = itertools.count(1)


def new_key() -> str:
    return f"u{next(_keys)}"


class Chat:
    def __init__(self, router: Router, platform: str = "telegram", user_id: str = "111") -> None:
        self.router = router
        self.platform = platform
        self.user_id = user_id
        self.last_replies: list[Reply] = []
        self.transcript: list[tuple[str, list[Reply]]] = []  # (what was sent, what came back)
        self.last_key = ""

    # --- sending -------------------------------------------------------------------------------------
    async def send(self, text: str | None = None, payload: str | None = None, key: str | None = None) -> list[Reply]:
        self.last_key = key or new_key()
        incoming = Incoming(self.platform, self.user_id, self.last_key, text, payload)
        replies = await self.router.handle(incoming)
        if replies:  # shown, as a channel reports sent replies: a redelivery of the key gets nothing again
            await self.router.replied(incoming)
        self.last_replies = replies
        self.transcript.append((f"[{payload}]" if payload is not None else text or "", replies))
        return replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text=text)

    async def press_payload(self, payload: str) -> list[Reply]:
        return await self.send(payload=payload)

    async def press(self, label: str) -> list[Reply]:
        """Press the button with exactly this label among the last replies' buttons."""
        return await self.press_payload(self.payload_of(label))

    def payload_of(self, label: str) -> str:
        for reply in reversed(self.last_replies):
            for choice in reply.choices:
                if choice.label == label:
                    return choice.payload
        raise AssertionError(f"no button {label!r}; buttons: {self.all_choices}")

    # --- reading -------------------------------------------------------------------------------------
    @property
    def all_texts(self) -> list[str]:
        """The texts of the last batch of replies."""
        return [reply.text for reply in self.last_replies]

    @property
    def last_text(self) -> str:
        assert self.last_replies, "the bot said nothing"
        return self.last_replies[-1].text

    @property
    def question(self) -> Reply:
        """The last reply that offers choices (the question the bot is waiting on)."""
        for reply in reversed(self.last_replies):
            if reply.choices:
                return reply
        raise AssertionError(f"no reply with choices in {self.all_texts}")

    @property
    def choices(self) -> list[str]:
        """Labels of the last reply with choices."""
        return [choice.label for choice in self.question.choices]

    @property
    def all_choices(self) -> list[str]:
        return [choice.label for reply in self.last_replies for choice in reply.choices]

    @property
    def nonce(self) -> str:
        """The nonce of the current question's buttons."""
        return self.question.choices[0].payload.split("|", 1)[0]

    def said(self, fragment: str) -> bool:
        return any(fragment in text for text in self.all_texts)

    def assert_said(self, fragment: str) -> None:
        assert self.said(fragment), f"{fragment!r} not in {self.all_texts}"

    def assert_not_said(self, fragment: str) -> None:
        assert not self.said(fragment), f"{fragment!r} unexpectedly in {self.all_texts}"

    def assert_menu(self) -> None:
        """The main menu is the question now on screen."""
        assert self.question.text == t.MENU_PROMPT, self.all_texts

    # --- setting up ----------------------------------------------------------------------------------
    async def link_as(self, member_code: str, roster_db: Database, clock: FakeClock, consent: bool = True) -> str:
        """Issue an invite for the member, send /start CODE and answer the consent notice."""
        code = await invite_code(roster_db, clock, member_code)
        await self.say(f"/start {code}")
        assert self.question.text == t.CONSENT_NOTICE, self.all_texts
        await self.press(t.CONSENT_YES if consent else t.CONSENT_NO)
        return code


# The yes/no question the first registration of a year asks (issue 13): "Câu hỏi thêm: ..."
EXEMPLAR_QUESTION = cm.ASK_EXEMPLAR_INDIVIDUAL.split(":")[0]


def asks_exemplar(chat: Chat) -> bool:
    return chat.question.text.startswith(EXEMPLAR_QUESTION)


async def skip_exemplar(chat: Chat) -> None:
    """Answer «Không» to the exemplar question (asked with the first registration of the year)."""
    assert asks_exemplar(chat), chat.all_texts
    assert chat.choices == [cm.EXEMPLAR_YES, cm.EXEMPLAR_NO, t.CANCEL]
    await chat.press(cm.EXEMPLAR_NO)


# --- database helpers --------------------------------------------------------------------------------
async def invite_code(db: Database, clock: FakeClock, member_code: str) -> str:
    async with db.uow() as uow:
        batch = await issue_invites(uow, clock.now(), member_code=member_code, relink=True)
        await uow.commit()
    return batch.issued[0].code


async def member_id(db: Database, code: str) -> int:
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None, code
        return found.id


@dataclass(frozen=True)
class DialogSnapshot:
    flow: str | None
    step: str | None
    nonce: int
    values: dict[str, Any]


async def dialog(db: Database, platform: str = "telegram", user_id: str = "111") -> DialogSnapshot:
    """Where the chat account stands in the conversation, as stored."""
    async with db.uow() as uow:
        account = await uow.accounts.find(platform, user_id)
        assert account is not None, (platform, user_id)
        row = await uow.dialogs.load(account.id)
        assert row is not None
        return DialogSnapshot(row.flow, row.step, row.nonce, dict((row.data or {}).get("values") or {}))


SNAP_FIELDS = (
    "id",
    "member_id",
    "year",
    "content",
    "measures",
    "deadline",
    "status",
    "percent",
    "last_progress_at",
    "updated_at",
    "withdrawn_at",
)
MEASURES = "Họp tổ, đến từng nhà hướng dẫn"


async def mid(uow: UnitOfWork, code: str) -> int:
    """A member's id, inside an open unit of work (never open a second one: SQLite would wait)."""
    found = await uow.members.by_code(code)
    assert found is not None, code
    return found.id


async def everything(db: Database) -> list[dict[str, Any]]:
    """Every commitment and progress entry as plain values: for 'nothing changed' checks."""
    async with db.sessions() as session:
        rows = (await session.scalars(select(Commitment).order_by(Commitment.id))).all()
        entries = (await session.scalars(select(ProgressEntry).order_by(ProgressEntry.id))).all()
        snap = [{name: getattr(c, name) for name in SNAP_FIELDS} for c in rows]
        return [
            *snap,
            *({"entry": e.id, "of": e.commitment_id, "percent": e.percent, "note": e.note} for e in entries),
        ]


async def add_commitment(
    db: Database,
    clock: FakeClock,
    code: str,
    content: str,
    deadline: date = date(2026, 12, 31),
    percent: int | None = None,
) -> int:
    """A commitment saved through the service as the member, optionally with progress; returns its id."""
    async with db.uow() as uow:
        found = await uow.members.by_code(code)
        assert found is not None, code
        actor = await load_actor(uow, found)
        today = local_today(clock.now(), TZ)
        saved, _ = await register_commitment(uow, actor, Draft(content, MEASURES, deadline), today, clock.now())
        if percent is not None:
            await log_progress(uow, actor, saved.id, percent, None, clock.now())
        await uow.commit()
        return saved.id
