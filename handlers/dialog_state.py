"""Where a chat account is in a conversation, kept in the database between messages.

A flow asks one question at a time. Each question may offer choices; a choice is chosen by a pressed
button (payload "<nonce>|<value>"), by its number, or by typing its words. The nonce changes with
every question, so a button from an earlier question is recognised as stale. The router and the
messages the bot starts itself (deliveries with choices) both save a state here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.messages import Choice, Reply
from handlers.text import fold, typed_number
from storage.models import DialogStateRow
from storage.uow import UnitOfWork

PAYLOAD_SEPARATOR = "|"


def button_payload(nonce: int, value: str) -> str:
    return f"{nonce}{PAYLOAD_SEPARATOR}{value}"


def parse_payload(payload: str) -> tuple[str, str]:
    """The nonce (as sent: a forged one need not be a number) and the value of a pressed button."""
    nonce, _, value = payload.partition(PAYLOAD_SEPARATOR)
    return nonce, value


@dataclass
class DialogState:
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    nonce: int = 0
    prompt: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    numbered: bool = True  # False: typed digits are values (a percent), not choice numbers
    shown: bool = True  # False: the platform refused the message asking `prompt` (Router.unseen)

    def to_json(self) -> dict[str, Any]:
        return {
            "values": self.data,
            "prompt": self.prompt,
            "choices": [list(c) for c in self.choices],
            "numbered": self.numbered,
            "shown": self.shown,
        }

    @classmethod
    def from_row(cls, row: DialogStateRow | None) -> DialogState:
        if row is None:
            return cls()
        raw = row.data or {}
        return cls(
            flow=row.flow,
            step=row.step,
            data=dict(raw.get("values") or {}),
            nonce=row.nonce,
            prompt=raw.get("prompt"),
            choices=[(str(label), str(value)) for label, value in raw.get("choices") or []],
            numbered=bool(raw.get("numbered", True)),
            shown=bool(raw.get("shown", True)),
        )

    def clear(self) -> None:
        self.flow, self.step, self.prompt = None, None, None
        self.data, self.choices, self.numbered = {}, [], True
        self.nonce += 1

    def ask(self, step: str, prompt: str, choices: list[tuple[str, str]], numbered: bool) -> Reply:
        """Move to `step` with a new question (a new nonce: buttons of the previous one go stale)."""
        self.step, self.prompt = step, prompt
        self.choices, self.numbered, self.shown = choices, numbered, True
        self.nonce += 1
        return Reply(prompt, self._rendered_choices(), numbered)

    def match_typed(self, text: str) -> str | None:
        """The value of the choice a typed text selects, if any."""
        if not self.choices:
            return None
        stripped = text.strip().rstrip(".")
        index = typed_number(stripped) if self.numbered else None
        if index is not None:
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
        return tuple(Choice(label, button_payload(self.nonce, value)) for label, value in self.choices)


async def save_state(
    uow: UnitOfWork, account_id: int, row: DialogStateRow | None, state: DialogState, now: datetime
) -> None:
    """Write `state` into the account's dialog row (`row` as loaded, or None when it has none yet)."""
    row = row or DialogStateRow(account_id=account_id)
    row.flow, row.step, row.nonce = state.flow, state.step, state.nonce
    row.data, row.updated_at = state.to_json(), now
    await uow.dialogs.save(row)
