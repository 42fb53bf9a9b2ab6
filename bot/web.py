"""The one web server of production: the platforms' webhooks, signed file links, a health check.

POST /webhook/{platform}  the platform's secret header is checked (constant time), the update is stored in
                          the inbox and committed, then acknowledged with 200 (bot/inbox.py processes it)
GET  /files/{token}       a generated file behind a signed, expiring link (bot/files.py)
GET  /healthz             200 {"ok": true}, or 503 {"ok": false, "problems": [...]} when the database, the inbox
                          worker or the sender cannot do its work (bot/health.py)

The runtime (bot/runtime.py) builds the app in webhook mode and serves it with `start_site`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from urllib.parse import quote

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Middleware

from bot.files import FileAnswer, FileLinks
from bot.health import Health
from bot.inbox import Inbox
from bot.refusals import RefusalLog
from handlers.catalog import web as w

log = logging.getLogger(__name__)

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})  # never SVG: it can run scripts
MAX_BODY = 1024 * 1024  # an update is a few kilobytes
LOGIN_PREFIX = "/login/"


def secret_matches(given: str | None, secret: str) -> bool:
    """Constant-time comparison; a missing header never matches."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("utf-8"))


def build_web_app(
    inbox: Inbox,
    secret: str,
    links: FileLinks | None,
    middlewares: Sequence[Middleware] = (),
    health: Health | None = None,
) -> web.Application:
    """The app; `health` defaults to the database and the inbox (the runtime adds the sender)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=list(middlewares))
    checks = health or Health(inbox.uow_factory, inbox.clock, inbox=inbox)
    wrong_secrets = RefusalLog(log, "webhook calls with a wrong or missing secret")
    bad_links = RefusalLog(log, "file links refused (malformed, forged or tampered)")

    async def receive(request: web.Request) -> web.StreamResponse:
        endpoint = inbox.endpoints.get(request.match_info["platform"])
        if endpoint is None:
            raise web.HTTPNotFound()
        if not secret_matches(request.headers.get(endpoint.secret_header), secret):
            wrong_secrets.refused(f"platform={endpoint.platform}")
            return web.Response(status=403, text="forbidden")
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad json")
        except ConnectionError:  # the caller hung up mid-body (a proxy whose upstream died): nothing to store
            log.info("webhook call cut off before its body arrived platform=%s", endpoint.platform)
            return web.Response(status=400, text="cut off")
        if not isinstance(payload, dict):
            return web.Response(status=400, text="bad update")
        key = endpoint.update_key(payload)
        if key is None:  # not an update we could ever key: acknowledging it stops the redeliveries
            log.warning("webhook update without a key ignored platform=%s", endpoint.platform)
            return web.json_response({"ok": True})
        await inbox.accept(endpoint.platform, key, payload)
        return web.json_response({"ok": True})

    async def serve_file(request: web.Request) -> web.StreamResponse:
        if links is None:
            raise web.HTTPNotFound()
        answer = await links.open(request.match_info["token"], request.query.get("e"), request.query.get("s"))
        if answer.status == 403:
            bad_links.refused()
        return file_response(answer)

    async def healthz(_request: web.Request) -> web.StreamResponse:
        problems = await checks.problems()
        if problems:
            return web.json_response({"ok": False, "problems": problems}, status=503)
        return web.json_response({"ok": True})

    app.router.add_post("/webhook/{platform}", receive)
    app.router.add_get("/files/{token}", serve_file)
    app.router.add_get("/healthz", healthz)
    return app


def file_response(answer: FileAnswer) -> web.Response:
    private = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    private["Referrer-Policy"] = "no-referrer"  # the signed link must not leak to another site
    if answer.status != 200:
        page = w.FILE_PAGE.format(title=answer.title, text=answer.message)
        return web.Response(status=answer.status, text=page, content_type="text/html", charset="utf-8", headers=private)
    disposition = "inline" if answer.mime in INLINE_TYPES else "attachment"
    headers = {**private, "Content-Disposition": content_disposition(disposition, answer.filename)}
    headers["Content-Type"] = answer.mime or "application/octet-stream"  # as stored, parameters included
    return web.Response(body=answer.content, headers=headers)


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients and the UTF-8 name (Vietnamese diacritics) for the rest."""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename)
    return f"{kind}; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(filename, safe='')}"


class PrivateAccessLogger(AbstractAccessLogger):
    """aiohttp's access log without the query string (a file link's signature and expiry), the file or login token,
    the referrer or the user agent: `127.0.0.1 "GET /files/… HTTP/1.1" 200 1234 0.004s`."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        token = request.match_info.get("token") if isinstance(request, web.Request) else None
        if token:
            path = path.replace(token, "…")
        if path.startswith(LOGIN_PREFIX):  # a login link's token, even on a path no route matched
            path = LOGIN_PREFIX + "…"
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs',
            *(request.remote, request.method, path, *request.version, response.status, response.body_length, time),
        )


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app` on host:port; returns the runner (cleanup() stops it) and the port actually bound
    (port 0 asks the system for a free one)."""
    runner = web.AppRunner(app, access_log_class=PrivateAccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return runner, int(address[1])
    return runner, port
