"""An in-process ``telegram.request.BaseRequest`` that records Bot API calls.

For tests that feed Updates through ``Application.process_update`` without any network, in
the spirit of python-telegram-bot's own ``OfflineRequest`` — except that instead of refusing
requests it answers them with realistic objects and records them::

    request = RecordingRequest()
    app = (
        ApplicationBuilder()
        .token("123456:TEST-TOKEN")
        .request(request)
        .get_updates_request(RecordingRequest())
        .build()
    )
    async with app:  # initialize() calls getMe on the request
        await app.process_update(make_text_update(1, 42, "/start", app.bot))
    assert request.sent_texts(42) == ["Hello!"]

PTB hands ``do_request`` a ``RequestData``: ``parameters`` already holds Python values (with
``TelegramObject``s converted via ``to_dict()`` and datetimes as timestamps), while
``json_parameters`` holds exactly what goes on the wire (``str`` values verbatim, all other
values ``json.dumps``-ed).  Params are recorded as ``json.loads(json_parameters[k])`` for
non-strings, i.e. plain JSON types, just as a real server would see them.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

from .fake_telegram import (
    bot_user_object,
    chat_object,
    command_entities,
    file_object,
    inline_markup_or_none,
    user_object,
)

JSONDict = dict[str, Any]

_SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


@dataclass
class RecordedCall:
    """One request made by the bot."""

    method: str
    params: dict[str, Any]
    #: multipart files by part name: {"filename", "size", "content_type", "content"}
    files: dict[str, JSONDict] = field(default_factory=dict)
    #: HTTP status answered (non-200 when served from ``fail_next``)
    status: int = 200
    #: the ``result`` returned on success
    result: Any = None


class RecordingRequest(BaseRequest):
    """Answers Bot API calls in-process and records them in :attr:`calls`.

    ``fail_next`` is a queue of ``(status, json body)`` used (FIFO) to answer the next calls,
    e.g. ``(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked
    by the user"})`` or a 429 with ``"parameters": {"retry_after": 1}``.
    """

    def __init__(self, bot_username: str = "lamtheo_test_bot", bot_id: int = 123456) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_user: JSONDict = bot_user_object(bot_id, bot_username)
        self.calls: list[RecordedCall] = []
        self.fail_next: list[tuple[int, dict[str, Any]]] = []
        #: API method name -> (status, json body) answered to every call of that method
        self.fail_methods: dict[str, tuple[int, dict[str, Any]]] = {}
        self._message_ids = itertools.count(1001)
        self._file_numbers = itertools.count(1)
        self._initialized = False

    # ---- BaseRequest interface --------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        self._initialized = True

    async def shutdown(self) -> None:
        self._initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params, files = self._decode(request_data)
        call = RecordedCall(method=api_method, params=params, files=files)
        self.calls.append(call)
        failure = self.fail_methods.get(api_method)
        if failure is not None or self.fail_next:
            status, body = failure if failure is not None else self.fail_next.pop(0)
            call.status = status
            return status, json.dumps(body).encode("utf-8")
        result = self._answer(api_method.lower(), params, files)
        call.result = result
        return 200, json.dumps({"ok": True, "result": result}).encode("utf-8")

    # ---- inspection helpers -----------------------------------------------------------------

    def calls_of(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def _sent(self, chat_id: int | None, methods: frozenset[str] = _SEND_METHODS) -> list[RecordedCall]:
        return [
            c
            for c in self.calls
            if c.status == 200
            and c.method.lower() in methods
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of successful sendMessage calls (to ``chat_id`` if given), in order."""
        return [str(c.params.get("text", "")) for c in self._sent(chat_id, frozenset({"sendmessage"}))]

    def last_markup(self, chat_id: int) -> dict[str, Any] | None:
        """Decoded ``reply_markup`` of the last successful sendMessage to ``chat_id``."""
        sent = self._sent(chat_id, frozenset({"sendmessage"}))
        if not sent:
            return None
        markup = sent[-1].params.get("reply_markup")
        return copy.deepcopy(markup) if isinstance(markup, dict) else None

    def button_data(self, chat_id: int) -> list[str]:
        """``callback_data`` of every inline button of the last message sent to ``chat_id``."""
        markup = self.last_markup(chat_id) or {}
        return [
            str(button["callback_data"])
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    def visible_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts/captions of sent messages *and* of editMessageText/Caption calls, in order."""
        methods = _SEND_METHODS | {"editmessagetext", "editmessagecaption"}
        return [str(c.params.get("text", c.params.get("caption", ""))) for c in self._sent(chat_id, methods)]

    def assert_sent(self, chat_id: int, contains: str) -> None:
        """Assert that some sent (or edited) text to ``chat_id`` contains ``contains``."""
        texts = self.visible_texts(chat_id)
        if any(contains in text for text in texts):
            return
        listing = "\n".join(f"  - {t!r}" for t in texts) or "  (nothing)"
        others = (
            "\n".join(
                f"  [{c.status}] {c.method} {_short(c.params)}"
                for c in self.calls
                if c.method.lower() not in ("getme", "getupdates")
            )
            or "  (none)"
        )
        raise AssertionError(
            f"no message to chat {chat_id} contains {contains!r}.\n"
            f"Texts sent/edited to that chat:\n{listing}\nAll calls:\n{others}"
        )

    def clear(self) -> None:
        """Forget recorded calls (``fail_next`` is kept)."""
        self.calls.clear()

    # ---- internals --------------------------------------------------------------------------

    @staticmethod
    def _decode(request_data: RequestData | None) -> tuple[JSONDict, dict[str, JSONDict]]:
        if request_data is None:
            return {}, {}
        params: JSONDict = {}
        python_values = request_data.parameters
        for key, wire in request_data.json_parameters.items():
            value = python_values.get(key, wire)
            # str values go on the wire verbatim; everything else is JSON: decode it back so
            # that tuples become lists, TelegramObjects dicts, etc. (what a server would see)
            params[key] = value if isinstance(value, str) else json.loads(wire)
        files: dict[str, JSONDict] = {}
        for name, field_tuple in request_data.multipart_data.items():
            filename, content, mime = field_tuple[0], field_tuple[1], field_tuple[2]
            data = content if isinstance(content, bytes) else content.read()
            files[name] = {
                "filename": filename,
                "size": len(data),
                "content_type": mime,
                "content": data,
            }
            if name not in params:
                params[name] = {k: v for k, v in files[name].items() if k != "content"}
        return params, files

    def _answer(self, method: str, params: JSONDict, files: dict[str, JSONDict]) -> Any:
        if method == "getme":
            return dict(self.bot_user)
        if method == "getupdates":
            return []
        if method in _SEND_METHODS:
            return self._message(params, files, method)
        if method in ("editmessagetext", "editmessagereplymarkup", "editmessagecaption"):
            if "inline_message_id" in params:
                return True
            message = self._message(params, files, method)
            message["message_id"] = params.get("message_id", message["message_id"])
            message["edit_date"] = message["date"]
            return message
        if method == "getmycommands":
            return []
        if method == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        # answerCallbackQuery, sendChatAction, setMyCommands, deleteWebhook, ...
        return True

    def _message(self, params: JSONDict, files: dict[str, JSONDict], method: str) -> JSONDict:
        chat_id = params.get("chat_id", 0)
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_object(chat_id if isinstance(chat_id, int | str) else 0),
            "from": dict(self.bot_user),
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        for kind in ("document", "photo"):
            if method == f"send{kind}":
                source = files.get(kind) or str(params.get(kind, "FILE"))
                message[kind] = file_object(kind, source, next(self._file_numbers))
        markup = inline_markup_or_none(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        return message


def _short(params: JSONDict) -> str:
    keys = ("chat_id", "message_id", "text", "caption", "callback_query_id")
    return ", ".join(f"{k}={str(params[k])[:60]!r}" for k in keys if k in params)


def _bot_identity(bot: Bot) -> tuple[int, str]:
    try:
        return bot.id, bot.username
    except RuntimeError:  # bot not initialized yet: fall back to the token
        return int(bot.token.split(":", 1)[0]), "lamtheo_test_bot"


def make_text_update(update_id: int, user_id: int, text: str, bot: Bot) -> Update:
    """A private-chat text message from ``user_id`` (message_id == update_id).

    A leading ``/command`` gets a ``bot_command`` entity, which ``CommandHandler`` requires.
    """
    message: JSONDict = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat_object(user_id),
        "from": user_object(user_id),
        "text": text,
    }
    entities = command_entities(text)
    if entities:
        message["entities"] = entities
    return Update.de_json({"update_id": update_id, "message": message}, bot)


def make_callback_update(update_id: int, user_id: int, data: str, bot: Bot, message_text: str = "…") -> Update:
    """A CallbackQuery pressed by ``user_id`` on a bot message (message_id == update_id)."""
    bot_id, bot_username = _bot_identity(bot)
    message: JSONDict = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat_object(user_id),
        "from": bot_user_object(bot_id, bot_username),
        "text": message_text,
    }
    callback: JSONDict = {
        "id": f"cb{update_id}",
        "from": user_object(user_id),
        "chat_instance": f"-{user_id}777",
        "message": message,
        "data": data,
    }
    return Update.de_json({"update_id": update_id, "callback_query": callback}, bot)
