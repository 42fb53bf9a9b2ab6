"""Dialog state and the context a flow step works with.

A flow asks one question at a time. Each question may offer choices; a choice is chosen by a pressed
button (payload "<nonce>|<value>"), by its number, or by typing its words. The nonce changes with
every question, so a button from an earlier question is recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from handlers.catalog import core as t
from handlers.clock import local_today
from handlers.messages import Choice, Reply
from handlers.services.authz import Actor
from handlers.text import fold
from storage.models import Member
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from handlers.router import FlowRegistry

CANCEL_VALUE = "cancel"


@dataclass
class DialogState:
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    nonce: int = 0
    prompt: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    numbered: bool = True  # False: typed digits are values (a percent), not choice numbers

    def to_json(self) -> dict[str, Any]:
        return {
            "values": self.data,
            "prompt": self.prompt,
            "choices": [list(c) for c in self.choices],
            "numbered": self.numbered,
        }

    @classmethod
    def from_row(cls, flow: str | None, step: str | None, nonce: int, raw: dict[str, Any]) -> DialogState:
        return cls(
            flow=flow,
            step=step,
            data=dict(raw.get("values") or {}),
            nonce=nonce,
            prompt=raw.get("prompt"),
            choices=[(str(label), str(value)) for label, value in raw.get("choices") or []],
            numbered=bool(raw.get("numbered", True)),
        )

    def clear(self) -> None:
        self.flow, self.step, self.prompt = None, None, None
        self.data, self.choices, self.numbered = {}, [], True
        self.nonce += 1

    def match_typed(self, text: str) -> str | None:
        """The value of the choice a typed text selects, if any."""
        if not self.choices:
            return None
        stripped = text.strip().rstrip(".")
        if self.numbered and stripped.isdecimal():  # not isdigit(): "²" and "①" are digits int() refuses
            index = int(stripped)
            return self.choices[index - 1][1] if 1 <= index <= len(self.choices) else None
        if not self.numbered and any(ch.isdigit() for ch in stripped):
            return None  # a typed value (a percent) is read by the flow: fold("-50") must not pick "50%"
        folded = fold(text)
        for label, value in self.choices:
            if folded and folded == fold(label):
                return value
        return None

    def has_value(self, value: str) -> bool:
        return any(v == value for _, v in self.choices)

    def current_reply(self) -> Reply | None:
        if self.prompt is None:
            return None
        return Reply(self.prompt, self._rendered_choices(), self.numbered)

    def _rendered_choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(label, f"{self.nonce}|{value}") for label, value in self.choices)


@dataclass(frozen=True)
class Input:
    text: str = ""  # typed text, cleaned; empty when a choice was made
    value: str | None = None  # value of the selected choice


@dataclass
class Ctx:
    uow: UnitOfWork
    actor: Actor
    member: Member
    state: DialogState
    now: datetime
    tz: ZoneInfo
    flows: FlowRegistry

    @property
    def today(self) -> date:
        return local_today(self.now, self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def ask(
        self,
        step: str,
        text: str,
        choices: list[tuple[str, str]] | None = None,
        *,
        numbered: bool | None = None,
        cancel: bool = True,
    ) -> Reply:
        """Move to `step`, remember the question, and return it as a reply.

        A question without choices of its own expects typed text: its only choice, "Hủy", is then
        offered as a word to type (a button on Telegram) rather than as number 1.
        """
        options = list(choices or [])
        if numbered is None:
            numbered = bool(options)
        if cancel:
            options.append((t.CANCEL, CANCEL_VALUE))
        self.state.step, self.state.prompt = step, text
        self.state.choices, self.state.numbered = options, numbered
        self.state.nonce += 1
        reply = self.state.current_reply()
        assert reply is not None
        return reply

    def finish(self) -> None:
        self.state.clear()

    async def start(self, flow_name: str, arg: str = "") -> list[Reply]:
        """Hand over to another flow (e.g. from the list of commitments to logging progress)."""
        self.state.clear()
        self.state.flow = flow_name
        return await self.flows[flow_name].begin(self, arg)


class Flow(Protocol):
    name: str

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]: ...

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]: ...
