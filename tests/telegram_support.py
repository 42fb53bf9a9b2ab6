"""The Telegram harness: the real python-telegram-bot Application with a RecordingRequest (no network), talked
to as one user, and the Updates a test feeds it. Shared by the Telegram channel's tests and the Zalo ones that
follow one member across both platforms."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application

from bot.channels.telegram import build_application
from bot.rate_budget import RateBudget
from handlers.catalog import core as t
from handlers.router import Router
from handlers.services.invites import issue_invites
from tests.fakes.fake_telegram import chat_object, user_object
from tests.fakes.recording_request import RecordingRequest, make_callback_update, make_text_update
from tests.support import Database, FakeClock

TOKEN = "123456:TEST-TOKEN"
BASE_URL = "http://offline.invalid/bot"
USER = 4242  # a private chat's id is the user's id


@dataclass
class Chat:
    """The real PTB Application plus helpers to talk to it as one user."""

    app: Application  # type: ignore[type-arg]
    request: RecordingRequest
    next_update_id: int = 1
    handled: list[Update] = field(default_factory=list)

    def _new_id(self) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        return update_id

    def text_update(self, text: str, user: int = USER) -> Update:
        return make_text_update(self._new_id(), user, text, self.app.bot)

    def button_update(self, data: str, user: int = USER) -> Update:
        return make_callback_update(self._new_id(), user, data, self.app.bot)

    async def process(self, update: Update, user: int = USER) -> list[str]:
        """Handle one update; return the texts sent to `user`'s chat because of it."""
        before = len(self.request.sent_texts(user))
        await self.app.process_update(update)
        self.handled.append(update)
        return self.request.sent_texts(user)[before:]

    async def say(self, text: str, user: int = USER) -> list[str]:
        return await self.process(self.text_update(text, user), user)

    async def press(self, data: str, user: int = USER) -> list[str]:
        return await self.process(self.button_update(data, user), user)

    def buttons(self, user: int = USER) -> list[tuple[str, str]]:
        """(label, callback_data) of the inline keyboard of the last message sent to `user`."""
        markup = self.request.last_markup(user) or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]

    def data_of(self, label: str, user: int = USER) -> str:
        for text, data in self.buttons(user):
            if text == label:
                return data
        raise AssertionError(f"no button {label!r} on the last message; buttons: {self.buttons(user)}")

    async def press_label(self, label: str, user: int = USER) -> list[str]:
        return await self.press(self.data_of(label, user), user)


async def start_app(router: Router, *, budget: RateBudget | None = None) -> Chat:
    request = RecordingRequest()
    app = build_application(
        TOKEN,
        BASE_URL,
        router,
        request=request,
        get_updates_request=RecordingRequest(),
        budget=budget,
    )
    await app.initialize()
    return Chat(app, request)


async def invite_code(database: Database, clock: FakeClock, member_code: str) -> str:
    async with database.uow() as uow:
        [line] = (await issue_invites(uow, clock.now(), member_code=member_code, relink=True)).issued
        await uow.commit()
    return line.code


async def link_and_consent(chat: Chat, database: Database, clock: FakeClock, code: str, user: int = USER) -> None:
    invite = await invite_code(database, clock, code)
    await chat.say(f"/start {invite}", user)
    sent = await chat.press_label(t.CONSENT_YES, user)
    assert sent[-1] == t.MENU_PROMPT


def photo_update(update_id: int, user: int, chat: Chat) -> Update:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat_object(user),
        "from": user_object(user),
        "photo": [{"file_id": "PHOTO-1", "file_unique_id": "UPH1", "width": 90, "height": 90}],
        "caption": "ảnh họp chi bộ",
    }
    return Update.de_json({"update_id": update_id, "message": message}, chat.app.bot)


def sticker_update(update_id: int, user: int, chat: Chat) -> Update:
    sticker = {
        "file_id": "STICKER-1",
        "file_unique_id": "UST1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat_object(user),
        "from": user_object(user),
        "sticker": sticker,
    }
    return Update.de_json({"update_id": update_id, "message": message}, chat.app.bot)
