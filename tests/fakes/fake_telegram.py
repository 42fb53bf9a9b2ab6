"""A fake Telegram Bot API HTTP server for end-to-end tests.

The real bot (usually started as a subprocess) is pointed at this server with
``base_url=f"http://127.0.0.1:{port}/bot"``; python-telegram-bot appends the token and
``/<method>`` to it.  Only the standard library is used for the server.

How python-telegram-bot 22.8 (``HTTPXRequest``) encodes requests, and therefore what this
server parses:

* Always ``POST``.  Without files the body is ``application/x-www-form-urlencoded``; with
  files it is ``multipart/form-data`` (text fields are plain parts, files are parts with a
  ``filename``).
* Every value is a *string on the wire*: ``str`` parameters are sent verbatim (they are NOT
  JSON-encoded), everything else (ints, bools, lists, dicts such as ``reply_markup``) is
  ``json.dumps``-ed.  A ``text`` of ``"50"`` and an ``int`` 50 are therefore indistinguishable
  on the wire, so known string fields (``text``, ``caption``, ``data`` ...) are never decoded.
* Input files that are not attached via ``attach://`` (e.g. ``document`` of ``sendDocument``)
  have *no* text field at all, only a file part named after the parameter.

Typical use (synchronous test code)::

    with FakeTelegram() as fake:
        proc = start_bot(env={"TELEGRAM_BASE_URL": fake.base_url, "TOKEN": fake.token})
        fake.push_text(42, "/start")
        [reply] = fake.wait_for_sent(42, 1)

Inside an ``async`` test never call the blocking ``wait_*`` methods directly when the bot
runs in the same event loop; use ``await fake.wait_for_sent_async(...)`` (which runs them in
a worker thread) instead.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSONDict = dict[str, Any]
MethodHandler = Callable[[JSONDict], Any]

#: Parameters that are strings in the Bot API and must never be JSON-decoded
#: (PTB sends ``str`` values verbatim, so ``"50"`` or ``"[1]"`` would otherwise change type).
STRING_FIELDS: frozenset[str] = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "cover",
        "currency",
        "custom_title",
        "data",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "inline_message_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "message_text",
        "name",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "username",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)

#: Methods whose successful calls show up in :meth:`FakeTelegram.sent_messages`.
SENT_MESSAGE_METHODS: frozenset[str] = frozenset({"sendmessage", "senddocument", "sendphoto"})

_PARAM_RE = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))')
_PERCENT_RE = re.compile(r"%([0-9A-Fa-f]{2})")


class _ApiError(Exception):
    """Raised by method implementations to produce a Bot API error response."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


# --------------------------------------------------------------------------------------------
# Decoding helpers (public so that other fakes/tests can reuse them)
# --------------------------------------------------------------------------------------------


def _reject_constant(value: str) -> Any:
    raise ValueError(f"non-finite JSON constant {value!r}")


def decode_form_value(key: str, raw: str) -> Any:
    """Turn one wire value of PTB's request encoding back into a Python value.

    Known string fields are returned verbatim.  Otherwise the value is JSON-decoded when it is
    a JSON object, array, number or bool; anything else stays the raw string (e.g. ``@channel``
    as ``chat_id`` or ``typing`` as ``action``).
    """
    if key in STRING_FIELDS:
        return raw
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        return raw
    if isinstance(value, dict | list | bool | int | float):
        return value
    return raw


def _header_params(header_value: str) -> dict[str, str]:
    """Parse ``; key="value"`` parameters of a header (as written by httpx)."""
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(";" + header_value.split(";", 1)[1] if ";" in header_value else ""):
        key, quoted, bare = match.group(1).lower(), match.group(2), match.group(3)
        if quoted is not None:
            # httpx escapes '"' as %22, control chars as %XX and '\' as '\\'
            value = re.sub(r"\\(.)", r"\1", quoted)
            value = _PERCENT_RE.sub(lambda m: chr(int(m.group(1), 16)), value)
        else:
            value = bare
        params[key] = value
    return params


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, JSONDict]]:
    """Parse a ``multipart/form-data`` body.

    Returns ``(fields, files)``: text fields as raw strings and files as
    ``{"filename", "size", "content_type", "content"}`` dicts keyed by part name.
    """
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart body without boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, JSONDict] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        part_name = disposition.get("name")
        if part_name is None:
            continue
        if "filename" in disposition:
            files[part_name] = {
                "filename": disposition["filename"],
                "size": len(content),
                "content_type": headers.get("content-type", "application/octet-stream"),
                "content": content,
            }
        else:
            fields[part_name] = content.decode("utf-8", "replace")
    return fields, files


# --------------------------------------------------------------------------------------------
# Object builders (public, reused by recording_request.py)
# --------------------------------------------------------------------------------------------


def bot_user_object(bot_id: int, username: str, first_name: str = "Lamtheo Test") -> JSONDict:
    """The ``User`` object returned by ``getMe`` (with the bot-only fields PTB knows)."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def user_object(user_id: int, first_name: str = "Test") -> JSONDict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def chat_object(chat_id: int | str, first_name: str = "Test") -> JSONDict:
    """A ``Chat``: positive ids are private chats, ``-100…`` supergroups, other negatives groups."""
    if isinstance(chat_id, str):
        # "@channelusername": give it a stable fake numeric id
        return {
            "id": -1_000_000_000_000 - (sum(map(ord, chat_id)) % 1_000_000),
            "type": "channel",
            "title": chat_id,
            "username": chat_id.lstrip("@"),
        }
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


def command_entities(text: str) -> list[JSONDict]:
    """A ``bot_command`` entity for a leading ``/command`` (length in UTF-16 code units)."""
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


def inline_markup_or_none(markup: Any) -> JSONDict | None:
    """Telegram only echoes *inline* keyboards in a returned Message.

    (A ``ReplyKeyboardMarkup`` in ``Message.reply_markup`` would even crash PTB's
    ``Message.de_json``, which expects an ``InlineKeyboardMarkup``.)
    """
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def file_object(kind: str, info: JSONDict | str, file_no: int) -> Any:
    """A ``Document`` (kind="document") or ``list[PhotoSize]`` (kind="photo") for a sent file.

    ``info`` is either a multipart file dict (``filename``/``size``/``content_type``) or a
    string (file_id or URL) when the file was not uploaded.
    """
    if isinstance(info, dict):
        file_id, size = f"FAKE-{kind.upper()}-{file_no}", int(info.get("size", 0))
        name, mime = info.get("filename"), info.get("content_type")
    else:
        file_id, size, name, mime = str(info), 0, None, None
    unique_id = f"U{kind[:3].upper()}{file_no}"
    if kind == "photo":
        return [
            {
                "file_id": file_id + "-s",
                "file_unique_id": unique_id + "s",
                "width": 90,
                "height": 90,
                "file_size": min(size, 1000),
            },
            {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 600, "file_size": size},
        ]
    document: JSONDict = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
    if name:
        document["file_name"] = name
    if mime:
        document["mime_type"] = mime
    return document


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins non-daemon request threads only (block_on_close)
    allow_reuse_address = True
    fake: FakeTelegram

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients (PTB cancelling a long poll on shutdown) hang up all the time: stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._register_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.fake._unregister_connection(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        # The default implementation prints the request line, which contains the token.
        return

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self._read_body())

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # consume trailers up to the empty line
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, body: bytes) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if split.path.startswith("/bot"):
            token, sep, method = split.path[len("/bot") :].partition("/")
            if sep and method and "/" not in method:
                if token != fake.token:
                    status = 401
                    payload = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    try:
                        raw, files = self._parse_params(split.query, body)
                    except ValueError as exc:
                        status = 400
                        payload = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
                    else:
                        status, payload = fake._handle_call(method, raw, files)
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _parse_params(self, query: str, body: bytes) -> tuple[dict[str, Any], dict[str, JSONDict]]:
        """Return (raw values, files).  Raw values are strings, except for a JSON body."""
        raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        files: dict[str, JSONDict] = {}
        content_type = self.headers.get("Content-Type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if not body:
            return raw, files
        if mime == "application/x-www-form-urlencoded":
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif mime == "multipart/form-data":
            fields, files = parse_multipart(body, content_type)
            raw.update(fields)
        elif mime == "application/json":
            decoded = json.loads(body.decode("utf-8"))
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            raw.update(decoded)
        else:
            raise ValueError(f"unsupported Content-Type {mime!r}")
        return raw, files


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """In-memory Telegram Bot API served over HTTP on 127.0.0.1 (ephemeral port).

    Thread-safe: all state is guarded by one lock; a Condition wakes long polls and waiters.

    Knobs (may be changed at any time):

    * ``rate_limit_per_second``: global limit for ``send*`` methods (not ``sendChatAction``);
      calls beyond it get HTTP 429 with ``parameters.retry_after = retry_after``.
    * ``blocked_chats``: ``send*`` (incl. ``sendChatAction``) to these chats get HTTP 403.
    * ``strict_edits``: like Telegram, editing a message to identical text/markup answers
      400 "message is not modified" (set to False to accept it silently).
    * ``max_long_poll``: cap (seconds) for the ``timeout`` of ``getUpdates``.
    * ``per_chat_interval``: like Telegram's one message a second per chat: a second send to a chat
      within this many seconds gets HTTP 429 (``per_chat_burst`` sends, when it is set above 1: replies to a
      person may come a few at once).
    * ``throttled_chats``: ``{chat_id: n}``: the next n sends to that chat get HTTP 429 (retry_after).
    * ``slow_chats``: ``{chat_id: seconds}``: sends to that chat are answered only after this delay
      (the request is recorded on arrival, answered later, outside the lock).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107
        username: str = "lamtheo_test_bot",
    ) -> None:
        prefix = token.split(":", 1)[0]
        if not prefix.isdigit():
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.username = username
        self.bot_id = int(prefix)
        self.bot_user: JSONDict = bot_user_object(self.bot_id, username)

        self.rate_limit_per_second: float | None = None
        self.retry_after: int = 1
        self.blocked_chats: set[int] = set()
        self.strict_edits: bool = True
        self.max_long_poll: float = 1.0
        self.per_chat_interval: float | None = None
        self.per_chat_burst: int = 1
        self.throttled_chats: dict[int, int] = {}
        self.slow_chats: dict[int, float] = {}
        self._last_send_to: dict[Any, collections.deque[float]] = {}

        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._calls: list[JSONDict] = []
        self._sent: list[tuple[Any, JSONDict]] = []  # (chat_id, params) of successful sends
        self._sent_count: collections.Counter[Any] = collections.Counter()
        # The same sends by chat: many simulated people poll their own chat while thousands of messages go out.
        self._sent_to: collections.defaultdict[Any, list[JSONDict]] = collections.defaultdict(list)
        self._queue: list[JSONDict] = []  # pending updates, sorted by update_id
        self._confirmed_offset = 0  # updates with id < this are gone for good
        self._next_update_id = 1000
        self._get_updates_calls = 0
        self._next_message_id: dict[Any, int] = collections.defaultdict(lambda: 1)
        self._messages: dict[tuple[Any, Any], JSONDict] = {}
        self._last_bot_message: dict[Any, int] = {}
        self._first_names: dict[int, str] = {}
        self._send_times: collections.deque[float] = collections.deque()
        self._commands: list[JSONDict] = []
        self._webhook_url = ""
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)
        self._extra_methods: dict[str, MethodHandler] = {}

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = False

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("FakeTelegram already started")
        self._stopping = False
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeTelegram:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, drop open connections and join all server threads.  Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()  # wake long polls
        server.shutdown()
        if thread is not None:
            thread.join(timeout=5)
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # end idle keep-alive connections so handler threads exit
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins handler threads (block_on_close)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTelegram not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _register_connection(self, conn: socket.socket) -> None:
        with self._lock:
            if self._stopping:  # accepted while stop() runs: stop() may not see it, end it now
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                return
            self._connections.add(conn)

    def _unregister_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    # ---- feeding updates --------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw update (deep-copied); assigns ``update_id`` if missing.

        Like Telegram, an update whose id is below the acknowledged offset is never delivered,
        and an id that is already queued is not queued twice.
        """
        update = copy.deepcopy(update)
        with self._cond:
            if "update_id" not in update:
                update["update_id"] = max(self._next_update_id, self._confirmed_offset)
            update_id = int(update["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
            queued = any(u["update_id"] == update_id for u in self._queue)
            if update_id >= self._confirmed_offset and not queued:
                self._queue.append(update)
                self._queue.sort(key=lambda u: u["update_id"])
                self._cond.notify_all()
            return update_id

    def push_text(self, user_id: int, text: str, first_name: str = "Test") -> int:
        """Queue a private-chat text message from ``user_id``; returns the update_id."""
        with self._lock:
            self._first_names[user_id] = first_name
            message: JSONDict = {
                "message_id": self._take_message_id(user_id),
                "date": int(time.time()),
                "chat": chat_object(user_id, first_name),
                "from": user_object(user_id, first_name),
                "text": text,
            }
            entities = command_entities(text)
            if entities:
                message["entities"] = entities
            self._messages[(user_id, message["message_id"])] = message
        return self.push_update({"message": message})

    def push_callback(self, user_id: int, data: str, message_id: int | None = None) -> int:
        """Queue a CallbackQuery pressed by ``user_id`` in its private chat.

        The attached message is the last message the bot sent to that chat, or ``message_id``
        (a placeholder bot message is created if that id is unknown).
        """
        return self.push_update(self.callback_update(user_id, data, message_id))

    def callback_update(self, user_id: int, data: str, message_id: int | None = None) -> JSONDict:
        """The update of :meth:`push_callback` without its ``update_id``, not queued (to post to a webhook)."""
        with self._lock:
            first_name = self._first_names.get(user_id, "Test")
            if message_id is None:
                message_id = self._last_bot_message.get(user_id)
                if message_id is None:
                    raise LookupError(
                        f"push_callback: the bot has not sent any message to chat {user_id} "
                        "yet; pass message_id explicitly"
                    )
            message = self._messages.get((user_id, message_id))
            if message is None:
                message = {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": chat_object(user_id, first_name),
                    "from": dict(self.bot_user),
                    "text": "…",
                }
                self._messages[(user_id, message_id)] = message
                self._next_message_id[user_id] = max(self._next_message_id[user_id], message_id + 1)
            callback = {
                "id": f"{user_id}{next(self._callback_counter):06d}",
                "from": user_object(user_id, first_name),
                "chat_instance": f"-{user_id}777",
                "message": copy.deepcopy(message),
                "data": data,
            }
        return {"callback_query": callback}

    # ---- inspection -------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[JSONDict]:
        """Recorded requests, oldest first.

        Each record: ``method``, ``params`` (decoded), ``time`` (monotonic), plus ``raw`` (wire
        strings), ``files`` (multipart files incl. ``content`` bytes), ``status`` (HTTP status
        answered) and ``result`` (what was returned on success).
        """
        with self._lock:
            records = [dict(c) for c in self._calls if method is None or c["method"].lower() == method.lower()]
        return records

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Params of successful sendMessage / sendDocument / sendPhoto calls, in order."""
        with self._lock:
            if chat_id is None:
                return [dict(p) for _, p in self._sent]
            return [dict(p) for p in self._sent_to.get(chat_id, ())]

    def sent_count(self, chat_id: Any) -> int:
        """How many messages were sent to ``chat_id`` (cheap: for polling many chats at once)."""
        return self._sent_count[chat_id]

    def last_message(self, chat_id: Any) -> JSONDict | None:
        """The last message the bot sent to ``chat_id`` as it is now (buttons included), or None."""
        with self._lock:
            found = self._messages.get((chat_id, self._last_bot_message.get(chat_id)))
            return copy.deepcopy(found) if found is not None else None

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """``text`` (or ``caption``) of every successfully sent message."""
        return [str(p.get("text", p.get("caption", ""))) for p in self.sent_messages(chat_id)]

    def send_times(self, chat_id: int | None = None) -> list[float]:
        """Arrival times (monotonic) of the successful sendMessage / sendDocument / sendPhoto calls, in order."""
        with self._lock:
            return [
                c["time"]
                for c in self._calls
                if c["method"].lower() in SENT_MESSAGE_METHODS
                and c["status"] == 200
                and (chat_id is None or c["params"].get("chat_id") == chat_id)
            ]

    def most_sent_in_any_window(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most successful sends that arrived inside any window (t - window, t]: Telegram's count."""
        times = self.send_times(chat_id)
        most, first = 0, 0
        for last, moment in enumerate(times):
            while times[first] <= moment - window:
                first += 1
            most = max(most, last - first + 1)
        return most

    def sent_per_second(self) -> list[int]:
        """Successful sends counted per second since the first one (the last second may be partial)."""
        times = self.send_times()
        counts = [0] * (int(times[-1] - times[0]) + 1 if times else 0)
        for moment in times:
            counts[int(moment - times[0])] += 1
        return counts

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The current state of a stored message (after edits), or None."""
        with self._lock:
            found = self._messages.get((chat_id, message_id))
            return copy.deepcopy(found) if found is not None else None

    def pending_updates(self) -> list[JSONDict]:
        with self._lock:
            return copy.deepcopy(self._queue)

    def wait_for_sent(self, chat_id: int, count: int, timeout: float = 15.0) -> list[JSONDict]:
        """Block until at least ``count`` messages were sent to ``chat_id``; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                sent = [dict(p) for p in self._sent_to.get(chat_id, ())]
                if len(sent) >= count:
                    return sent
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected >= {count} message(s) sent to chat {chat_id} within "
                        f"{timeout}s, got {len(sent)}.\n{self._summary_locked()}"
                    )
                self._cond.wait(remaining)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 15.0) -> list[JSONDict]:
        """Block until ``method`` was called at least ``count`` times; return those records."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [dict(c) for c in self._calls if c["method"].lower() == method.lower()]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected >= {count} call(s) of {method} within {timeout}s, got "
                        f"{len(found)}.\n{self._summary_locked()}"
                    )
                self._cond.wait(remaining)

    def wait_until_consumed(self, timeout: float = 15.0) -> None:
        """Block until every queued update was fetched *and* acknowledged by a later
        ``getUpdates`` offset.  (This says nothing about the bot having handled them.)"""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    ids = [u["update_id"] for u in self._queue]
                    raise AssertionError(
                        f"updates {ids} not consumed within {timeout}s "
                        f"(getUpdates calls so far: {self._get_updates_calls}).\n"
                        f"{self._summary_locked()}"
                    )
                self._cond.wait(remaining)

    async def wait_for_sent_async(self, chat_id: int, count: int, timeout: float = 15.0) -> list[JSONDict]:
        """:meth:`wait_for_sent` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for_sent, chat_id, count, timeout)

    async def wait_until_consumed_async(self, timeout: float = 15.0) -> None:
        await asyncio.to_thread(self.wait_until_consumed, timeout)

    def summary(self) -> str:
        """Human-readable list of recorded calls (never contains the token)."""
        with self._lock:
            return self._summary_locked()

    def _summary_locked(self) -> str:
        lines = [f"recorded calls ({len(self._calls)}):"]
        for c in self._calls:
            if c["method"].lower() == "getupdates":
                continue
            params = c["params"]
            detail = ", ".join(
                f"{k}={str(params[k])[:60]!r}"
                for k in ("chat_id", "message_id", "text", "caption", "data", "callback_query_id")
                if k in params
            )
            lines.append(f"  [{c['status']}] {c['method']}({detail})")
        lines.append(f"getUpdates calls: {self._get_updates_calls}; pending: {[u['update_id'] for u in self._queue]}")
        return "\n".join(lines)

    def add_method(self, name: str, handler: MethodHandler) -> None:
        """Answer Bot API method ``name`` with ``handler(params)`` (called under the lock)."""
        with self._lock:
            self._extra_methods[name.lower()] = handler

    def reset(self) -> None:
        """Forget recorded calls and sent messages (the update queue is kept)."""
        with self._lock:
            self._calls.clear()
            self._sent.clear()
            self._sent_count.clear()
            self._sent_to.clear()
            self._send_times.clear()

    # ---- request handling (called from handler threads) -------------------------------------

    def _handle_call(self, method: str, raw: dict[str, Any], files: dict[str, JSONDict]) -> tuple[int, JSONDict]:
        params: JSONDict = {k: decode_form_value(k, v) if isinstance(v, str) else v for k, v in raw.items()}
        for name, info in files.items():
            if name not in params:
                params[name] = {k: v for k, v in info.items() if k != "content"}
        record: JSONDict = {
            "method": method,
            "params": params,
            "time": time.monotonic(),
            "raw": raw,
            "files": files,
            "status": None,
            "result": None,
        }
        with self._cond:
            self._calls.append(record)
            try:
                result = self._dispatch_locked(method.lower(), params, files)
            except _ApiError as err:
                record["status"] = err.code
                self._cond.notify_all()
                return err.code, err.body()
            record["status"] = 200
            record["result"] = result
            self._cond.notify_all()
            delay = self.slow_chats.get(params.get("chat_id"), 0.0) if method.lower() in SENT_MESSAGE_METHODS else 0
        if delay:
            time.sleep(delay)
        return 200, {"ok": True, "result": result}

    def _dispatch_locked(self, method: str, params: JSONDict, files: dict[str, JSONDict]) -> Any:
        if method in self._extra_methods:
            return self._extra_methods[method](params)
        if method == "getme":
            return dict(self.bot_user)
        if method == "getupdates":
            return self._get_updates_locked(params)
        if method in (
            "close",
            "logout",
            "answercallbackquery",
            "setchatmenubutton",
            "setmydescription",
            "setmyshortdescription",
            "setmyname",
        ):
            return True
        if method == "deletewebhook":
            if params.get("drop_pending_updates") is True:
                if self._queue:
                    self._confirmed_offset = self._queue[-1]["update_id"] + 1
                self._queue.clear()
                self._cond.notify_all()
            self._webhook_url = ""
            return True
        if method == "setwebhook":
            self._webhook_url = str(params.get("url", ""))
            return True
        if method == "getwebhookinfo":
            return {
                "url": self._webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            }
        if method == "setmycommands":
            commands = params.get("commands")
            self._commands = list(commands) if isinstance(commands, list) else []
            return True
        if method == "deletemycommands":
            self._commands = []
            return True
        if method == "getmycommands":
            return copy.deepcopy(self._commands)
        if method == "sendchataction":
            self._check_chat_locked(params)
            return True
        if method in ("sendmessage", "senddocument", "sendphoto"):
            return self._send_locked(method, params, files)
        if method in ("editmessagetext", "editmessagereplymarkup", "editmessagecaption"):
            return self._edit_locked(method, params)
        if method == "deletemessage":
            chat_id, message_id = params.get("chat_id"), params.get("message_id")
            if self._messages.pop((chat_id, message_id), None) is None:
                raise _ApiError(400, "Bad Request: message to delete not found")
            return True
        raise _ApiError(404, "Not Found")

    def _get_updates_locked(self, params: JSONDict) -> list[JSONDict]:
        self._get_updates_calls += 1
        offset = _as_int(params.get("offset"), 0)
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        timeout = max(_as_float(params.get("timeout"), 0.0), 0.0)
        if offset > 0:
            self._confirm_locked(offset)
        elif offset < 0 and self._queue:
            keep = self._queue[offset:]
            self._confirm_locked(keep[0]["update_id"])
        self._cond.notify_all()  # wait_until_consumed may be satisfied now
        deadline = time.monotonic() + min(timeout, self.max_long_poll)
        while not self._queue and not self._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return copy.deepcopy(self._queue[:limit])

    def _confirm_locked(self, offset: int) -> None:
        self._confirmed_offset = max(self._confirmed_offset, offset)
        self._queue = [u for u in self._queue if u["update_id"] >= self._confirmed_offset]

    def _take_message_id(self, chat_id: Any) -> int:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _check_chat_locked(self, params: JSONDict) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if chat_id in self.blocked_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _check_rate_locked(self) -> None:
        rate = self.rate_limit_per_second
        if not rate or rate <= 0:
            return
        window = max(1.0, 1.0 / rate)
        capacity = max(1, round(rate * window))
        now = time.monotonic()
        while self._send_times and self._send_times[0] <= now - window:
            self._send_times.popleft()
        if len(self._send_times) >= capacity:
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        self._send_times.append(now)

    def _check_chat_rate_locked(self, chat_id: Any) -> None:
        if self.throttled_chats.get(chat_id, 0) > 0:
            self.throttled_chats[chat_id] -= 1
            raise _ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", {"retry_after": self.retry_after}
            )
        if self.per_chat_interval is None:
            return
        recent = self._last_send_to.get(chat_id, collections.deque())
        now = time.monotonic()
        if len([moment for moment in recent if now - moment < self.per_chat_interval]) >= self.per_chat_burst:
            raise _ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", {"retry_after": self.retry_after}
            )

    def _send_locked(self, method: str, params: JSONDict, files: dict[str, JSONDict]) -> JSONDict:
        self._check_chat_rate_locked(params.get("chat_id"))
        self._check_rate_locked()
        recent = self._last_send_to.setdefault(params.get("chat_id"), collections.deque(maxlen=8))
        recent.append(time.monotonic())
        chat_id = self._check_chat_locked(params)
        message: JSONDict = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat_object(
                chat_id, self._first_names.get(chat_id, "Test") if isinstance(chat_id, int) else "Test"
            ),
            "from": dict(self.bot_user),
        }
        if method == "sendmessage":
            text = params.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            message["text"] = text
        else:
            kind = "document" if method == "senddocument" else "photo"
            source: JSONDict | str | None = files.get(kind)
            if source is None and isinstance(params.get(kind), str):
                value = str(params[kind])
                source = files.get(value[len("attach://") :], value) if value.startswith("attach://") else value
            if source is None:
                raise _ApiError(400, f"Bad Request: there is no {kind} in the request")
            message[kind] = file_object(kind, source, next(self._file_counter))
            if isinstance(params.get("caption"), str):
                message["caption"] = params["caption"]
        markup = inline_markup_or_none(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self._last_bot_message[chat_id] = message["message_id"]
        self._sent.append((chat_id, params))
        self._sent_to[chat_id].append(params)
        self._sent_count[chat_id] += 1
        return copy.deepcopy(message)

    def _edit_locked(self, method: str, params: JSONDict) -> JSONDict | bool:
        if "inline_message_id" in params:
            return True
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if chat_id in self.blocked_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        new = dict(message)
        if method == "editmessagetext":
            text = params.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _ApiError(400, "Bad Request: message text is empty")
            new["text"] = text
        elif method == "editmessagecaption":
            new["caption"] = params.get("caption", "")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = inline_markup_or_none(params.get("reply_markup"))
        new.pop("reply_markup", None)
        if markup is not None:
            new["reply_markup"] = markup
        if self.strict_edits and all(new.get(k) == message.get(k) for k in ("text", "caption", "reply_markup")):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        new["edit_date"] = int(time.time())
        self._messages[(chat_id, message_id)] = new
        return copy.deepcopy(new)


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
