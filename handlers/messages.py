"""Platform-neutral messages: what channels hand to the router and get back from it."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


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


def replies_to_json(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """The replies as JSON values, kept until sent (the router's outbox: a crash before the send resends them)."""
    return [
        {
            "text": reply.text,
            "choices": [[choice.label, choice.payload] for choice in reply.choices],
            "numbered": reply.numbered,
            "attachment": _attachment_to_json(reply.attachment) if reply.attachment else None,
        }
        for reply in replies
    ]


def replies_from_json(values: Sequence[dict[str, Any]]) -> list[Reply]:
    return [
        Reply(
            str(value["text"]),
            tuple(Choice(label, payload) for label, payload in value.get("choices") or ()),
            bool(value.get("numbered", True)),
            _attachment_from_json(value["attachment"]) if value.get("attachment") else None,
        )
        for value in values
    ]


def _attachment_to_json(file: Attachment) -> dict[str, Any]:
    content = base64.b64encode(file.content).decode("ascii")
    return {"filename": file.filename, "content": content, "mime": file.mime, "photo": file.photo}


def _attachment_from_json(value: dict[str, Any]) -> Attachment:
    content = base64.b64decode(value["content"])
    return Attachment(str(value["filename"]), content, str(value["mime"]), bool(value.get("photo")))
