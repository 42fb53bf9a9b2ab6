"""What a flow is, and the context a flow step works with (the dialog state is in handlers/dialog_state.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.catalog import core as t
from handlers.clock import local_today
from handlers.dialog_state import DialogState
from handlers.messages import Reply
from handlers.services.authz import Actor
from storage.models import Member
from storage.uow import UnitOfWork

CANCEL_VALUE = "cancel"


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
        return self.state.ask(step, text, options, numbered)

    def finish(self) -> None:
        self.state.clear()

    async def start(self, flow_name: str, arg: str = "") -> list[Reply]:
        """Hand over to another flow (e.g. from the list of commitments to logging progress)."""
        self.state.clear()
        self.state.flow = flow_name
        return await self.flows[flow_name].begin(self, arg)

    async def back_to_menu(self, *replies: Reply) -> list[Reply]:
        """End the flow under way: `replies` (what came of it, if anything), then the main menu."""
        return [*replies, *await self.start("menu")]


class Flow(Protocol):
    name: str

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]: ...

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]: ...


FlowRegistry = dict[str, Flow]  # by flow name; the composition root builds it (handlers.flows.default_flows)
