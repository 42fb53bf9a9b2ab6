"""A fake Zalo Bot API HTTP server for tests (standard library only, modelled on fake_telegram.py).

Serves ``POST /bot<TOKEN>/<method>`` with a JSON body on 127.0.0.1 (ephemeral port), answering
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``. Point the bot at it
with ``ZALO_API_BASE_URL=fake.base_url``.

* ``push_text`` / ``push_image`` / ``push_sticker`` / ``push_unsupported`` / ``push_update`` queue
  incoming updates in the Bot API's shape; ``getUpdates`` hands out one at a time, or answers HTTP 408
  after a short wait (``max_long_poll``) when there is none.
* ``sendMessage``, ``sendPhoto``, ``sendSticker``, ``sendChatAction`` are recorded; texts outside
  1..2,000 characters are refused like Zalo does.
* Knobs: ``fail_next(method, code, description)`` (an ``ok: false`` answer), ``rate_limit_next(n,
  retry_after)`` (HTTP 429), ``delay[method] = seconds`` (a slow answer), ``blocked_users``.

In async tests use the ``*_async`` waiters (the blocking ones would stall the bot's event loop).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

JSONDict = dict[str, Any]
TEXT_MAX = 2000
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "sendsticker"})


@dataclass
class _Failure:
    method: str  # lower case; "*" for any method
    http_status: int
    body: JSONDict
    headers: dict[str, str]
    after: int = 0  # calls of the method to let through first


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins non-daemon request threads only (block_on_close)
    allow_reuse_address = True
    fake: FakeZalo

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients hang up on long polls when they stop: stay quiet


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the request line holds the token

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length > 0 else b"")

    def _dispatch(self, body: bytes) -> None:
        fake = self.server.fake
        status, payload, headers = 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        path = self.path.split("?", 1)[0]
        if path.startswith("/bot"):
            token, sep, method = path[len("/bot") :].partition("/")
            if not sep or not method or "/" in method:
                pass
            elif token != fake.token:
                status, payload = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            else:
                try:
                    params = json.loads(body.decode("utf-8")) if body else {}
                    if not isinstance(params, dict):
                        raise ValueError("body must be a JSON object")
                except ValueError as error:
                    status, payload = 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
                else:
                    status, payload, headers = fake._handle(method, params)
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class FakeZalo:
    """The Zalo Bot API in memory, over HTTP. Thread-safe (one lock, one condition)."""

    def __init__(self, token: str = "1234567890:zalo-SECRET-token", bot_name: str = "Lamtheo Zalo") -> None:  # noqa: S107
        self.token = token
        self.bot: JSONDict = {"id": token.split(":", 1)[0], "account_name": "bot.lamtheo", "display_name": bot_name}
        self.max_long_poll = 0.3
        self.delay: dict[str, float] = {}
        self.blocked_users: set[str] = set()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue: list[JSONDict] = []
        self._calls: list[JSONDict] = []
        self._sent_count: collections.Counter[str] = collections.Counter()
        self._failures: list[_Failure] = []
        self._webhook: JSONDict = {"url": "", "secret_token": ""}
        self._message_ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = False

    # ---- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._stopping = False
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="FakeZalo", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, drop open connections and join all server threads.  Idempotent."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins handler threads (block_on_close)
        self._server = self._thread = None

    def __enter__(self) -> FakeZalo:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add and self._stopping:  # accepted while stop() runs: stop() may not see it, end it now
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                return
            (self._connections.add if add else self._connections.discard)(conn)

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeZalo not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- incoming updates -----------------------------------------------------------------------------------
    def new_message_id(self) -> str:
        return f"msg{next(self._message_ids):06d}"

    def message(self, user_id: str, name: str = "Người dùng", **fields: Any) -> JSONDict:
        """An incoming message from `user_id` in their private chat with the bot."""
        return {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": self.new_message_id(),
            "date": int(time.time() * 1000),
            **fields,
        }

    def text_update(self, user_id: str, text: str) -> JSONDict:
        return {"event_name": "message.text.received", "message": self.message(user_id, text=text)}

    def image_update(self, user_id: str, url: str, caption: str | None = None) -> JSONDict:
        fields: JSONDict = {"photo_url": url}
        if caption is not None:
            fields["caption"] = caption
        return {"event_name": "message.image.received", "message": self.message(user_id, **fields)}

    def sticker_update(self, user_id: str, sticker: str = "sticker-1") -> JSONDict:
        return {"event_name": "message.sticker.received", "message": self.message(user_id, sticker=sticker)}

    def unsupported_update(self, user_id: str) -> JSONDict:
        return {"event_name": "message.unsupported.received", "message": self.message(user_id)}

    def push_update(self, update: JSONDict) -> str:
        """Queue a raw update (copied); returns its message id (or "")."""
        update = copy.deepcopy(update)
        with self._cond:
            self._queue.append(update)
            self._cond.notify_all()
        return str((update.get("message") or {}).get("message_id", ""))

    def push_text(self, user_id: str, text: str) -> str:
        return self.push_update(self.text_update(user_id, text))

    def push_image(self, user_id: str, url: str, caption: str | None = None) -> str:
        return self.push_update(self.image_update(user_id, url, caption))

    def push_sticker(self, user_id: str, sticker: str = "sticker-1") -> str:
        return self.push_update(self.sticker_update(user_id, sticker))

    def push_unsupported(self, user_id: str) -> str:
        return self.push_update(self.unsupported_update(user_id))

    # ---- knobs ----------------------------------------------------------------------------------------------------
    def fail_next(
        self, method: str, code: int, description: str, *, http_status: int = 200, count: int = 1, after: int = 0
    ) -> None:
        """The next `count` calls of `method` ("*": any) answer ok: false (after letting `after` calls through)."""
        body = {"ok": False, "error_code": code, "description": description}
        with self._lock:
            self._failures += [_Failure(method.lower(), http_status, body, {}, after) for _ in range(count)]

    def rate_limit_next(self, count: int = 1, retry_after: float | None = None, *, method: str = "*") -> None:
        """The next `count` calls answer HTTP 429, with a retry hint in the body and header when given."""
        body: JSONDict = {"ok": False, "error_code": 429, "description": "Too Many Requests"}
        headers: dict[str, str] = {}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            headers["Retry-After"] = str(retry_after)
        with self._lock:
            self._failures += [_Failure(method.lower(), 429, body, headers) for _ in range(count)]

    # ---- inspection -----------------------------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[JSONDict]:
        """Recorded requests: method, params, status, time (monotonic)."""
        with self._lock:
            return [dict(c) for c in self._calls if method is None or c["method"].lower() == method.lower()]

    def sent(self, chat_id: str | None = None) -> list[JSONDict]:
        """Accepted sendMessage / sendPhoto / sendSticker calls (method and params), in order."""
        with self._lock:
            return self._sent_locked(chat_id)

    def _sent_locked(self, chat_id: str | None) -> list[JSONDict]:
        return [
            {"method": c["method"], **c["params"]}
            for c in self._calls
            if c["method"].lower() in SEND_METHODS
            and c["status"] == 200
            and (chat_id is None or str(c["params"].get("chat_id")) == chat_id)
        ]

    def sent_count(self, chat_id: str) -> int:
        """How many messages went to `chat_id` (cheap: for polling many chats at once)."""
        return self._sent_count[chat_id]

    def sent_texts(self, chat_id: str | None = None) -> list[str]:
        return [str(m.get("text", m.get("photo", ""))) for m in self.sent(chat_id)]

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def webhook(self) -> JSONDict:
        with self._lock:
            return dict(self._webhook)

    def wait_for_sent(self, chat_id: str, count: int, timeout: float = 15.0) -> list[JSONDict]:
        """Block until at least `count` messages went to `chat_id`; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                sent = self._sent_locked(chat_id)
                if len(sent) >= count:
                    return sent
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected >= {count} message(s) to {chat_id} within {timeout}s, got {len(sent)}: "
                        f"{[str(m.get('text', ''))[:60] for m in sent]}"
                    )
                self._cond.wait(remaining)

    def wait_until_consumed(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self._queue)} update(s) not fetched within {timeout}s")
                self._cond.wait(remaining)

    async def wait_for_sent_async(self, chat_id: str, count: int, timeout: float = 15.0) -> list[JSONDict]:
        return await asyncio.to_thread(self.wait_for_sent, chat_id, count, timeout)

    def assert_sent_texts(self, chat_id: str, expected: list[str]) -> None:
        texts = [str(m.get("text", "")) for m in self.sent(chat_id)]
        assert texts == expected, f"sent to {chat_id}: {texts}"

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._sent_count.clear()

    # ---- request handling (server threads) -------------------------------------------------------------------------
    def _handle(self, method: str, params: JSONDict) -> tuple[int, JSONDict, dict[str, str]]:
        delay = self.delay.get(method, 0.0)
        if delay:
            time.sleep(delay)
        record: JSONDict = {"method": method, "params": params, "status": None, "time": time.monotonic()}
        with self._cond:
            self._calls.append(record)
            failure = self._take_failure(method.lower())
            if failure is not None:
                status, body, headers = failure.http_status, copy.deepcopy(failure.body), dict(failure.headers)
            else:
                status, body, headers = self._answer_locked(method.lower(), params)
            record["status"] = 200 if body.get("ok") else (status if status != 200 else body.get("error_code"))
            if record["status"] == 200 and method.lower() in SEND_METHODS:
                self._sent_count[str(params.get("chat_id"))] += 1
            self._cond.notify_all()
        return status, body, headers

    def _take_failure(self, method: str) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.method in (method, "*"):
                if failure.after > 0:
                    failure.after -= 1
                    return None
                return self._failures.pop(index)
        return None

    def _answer_locked(self, method: str, params: JSONDict) -> tuple[int, JSONDict, dict[str, str]]:
        if method == "getupdates":
            return self._get_update_locked(params)
        if method in SEND_METHODS or method == "sendchataction":
            chat_id = str(params.get("chat_id", ""))
            if not chat_id:
                return self._error(400, "chat_id is required")
            if chat_id in self.blocked_users:
                return self._error(403, "User has blocked the bot")
            if method == "sendmessage":
                text = params.get("text")
                if not isinstance(text, str) or not 1 <= len(text) <= TEXT_MAX:
                    return self._error(400, "text must be 1-2000 characters")
            if method == "sendphoto" and not str(params.get("photo", "")).startswith(("http://", "https://")):
                return self._error(400, "photo must be a URL")
            if method == "sendchataction":
                return self._ok(True)
            return self._ok({"message_id": f"bot{next(self._message_ids):06d}", "date": int(time.time() * 1000)})
        if method == "getme":
            return self._ok(dict(self.bot))
        if method == "setwebhook":
            url = str(params.get("url", ""))
            if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
                return self._error(400, "url must be https")
            self._webhook = {"url": url, "secret_token": str(params.get("secret_token", ""))}
            return self._ok({"url": url, "updated_at": int(time.time() * 1000)})
        if method == "deletewebhook":
            self._webhook = {"url": "", "secret_token": ""}
            return self._ok({"url": "", "updated_at": int(time.time() * 1000)})
        if method == "getwebhookinfo":
            return self._ok({"url": self._webhook["url"], "updated_at": int(time.time() * 1000)})
        return self._error(404, "Method not found")

    def _get_update_locked(self, params: JSONDict) -> tuple[int, JSONDict, dict[str, str]]:
        try:
            wait = min(float(params.get("timeout", 0) or 0), self.max_long_poll)
        except (TypeError, ValueError):
            wait = self.max_long_poll
        deadline = time.monotonic() + wait
        while not self._queue:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._server is None:
                return 408, {"ok": False, "error_code": 408, "description": "Request timeout"}, {}
            self._cond.wait(remaining)
        update = self._queue.pop(0)
        return self._ok(update)

    @staticmethod
    def _ok(result: Any) -> tuple[int, JSONDict, dict[str, str]]:
        return 200, {"ok": True, "result": result}, {}

    @staticmethod
    def _error(code: int, description: str) -> tuple[int, JSONDict, dict[str, str]]:
        return 200, {"ok": False, "error_code": code, "description": description}, {}
