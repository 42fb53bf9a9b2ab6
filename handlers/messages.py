"""Platform-neutral messages: what channels hand to the router and get back from it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """One update from a chat platform, already unwrapped by its channel."""

    platform: str
    account_id: str  # the platform's user id, as text
    update_key: str  # unique per platform; a redelivery carries the same key
    text: str | None = None  # typed text or command
    payload: str | None = None  # data of a pressed button, if any
    image_ref: str | None = None  # a photo the user sent: the platform's file id or URL


@dataclass(frozen=True)
class Choice:
    label: str
    payload: str


@dataclass(frozen=True)
class Attachment:
    """A generated file: Telegram sends it as a document (or photo); Zalo gets a signed link to it."""

    filename: str
    content: bytes
    mime: str
    photo: bool = False  # a chart: shown inline rather than as a file to open


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    numbered: bool = True  # False: the choices are examples of what to type (a percent), not numbered
    attachment: Attachment | None = None  # sent with `text` as its caption (or just before it, if long)

    def as_plain_text(self, number_hint: str, typed_hint: str = "") -> str:
        """The reply with its choices as numbered lines, for channels without buttons (Zalo, console)."""
        if not self.choices:
            return self.text
        if not self.numbered:
            return f"{self.text}\n\n" + typed_hint + " · ".join(choice.label for choice in self.choices)
        lines = [f"{i}. {choice.label}" for i, choice in enumerate(self.choices, start=1)]
        return "\n".join([self.text, "", *lines, "", number_hint])
