"""Login through a link sent in the chat, the session cookie, and logout.

GET  /login/{token}  a page with one button (POST): link previews and scanners that fetch the link spend nothing
POST /login/{token}  spends the token, opens a session (cookie HttpOnly, Secure, SameSite=Strict), 303 to /
POST /logout         ends the session
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.dashboard.render import message, page
from bot.refusals import RefusalLog
from handlers.catalog import web as w
from handlers.clock import Clock
from handlers.services.authz import Actor
from handlers.services.errors import Forbidden, NotFound
from handlers.services.web_access import SESSION_TTL, log_out, open_login, session_actor
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
COOKIE = "lamtheo_session"


def client_address(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """The address a request came from: behind a trusted proxy, the nearest address in X-Forwarded-For that is
    not itself a trusted proxy (the ones further left could be written by anyone)."""
    address = request.remote or ""
    if address not in trusted_proxies:
        return address
    for hop in reversed(request.headers.get("X-Forwarded-For", "").split(",")):
        hop = hop.strip()
        if hop and hop not in trusted_proxies:
            return hop
    return address


class Access:
    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], clock: Clock, trusted_proxies: frozenset[str] = frozenset()
    ) -> None:
        self.uow_factory, self.clock, self.trusted_proxies = uow_factory, clock, trusted_proxies
        self.bad_logins = RefusalLog(log, "web login links refused (wrong, used or expired)")

    async def viewer(self, request: web.Request, uow: UnitOfWork) -> Actor | None:
        """The actor of the request's session, read in the page's own transaction; an invalid session is ended
        (a write, in a transaction of its own, only then)."""
        actor, stale = await session_actor(uow, request.cookies.get(COOKIE), self.clock.now())
        if stale:
            async with self.uow_factory() as writing:
                await log_out(writing, request.cookies.get(COOKIE))
                await writing.commit()
        return actor

    async def login_form(self, request: web.Request) -> web.StreamResponse:
        return page("login.html", token=request.match_info["token"], viewer=None)

    async def login(self, request: web.Request) -> web.StreamResponse:
        now: datetime = self.clock.now()
        try:
            async with self.uow_factory() as uow:
                try:
                    address = client_address(request, self.trusted_proxies)
                    opened = await open_login(uow, request.match_info["token"], address, now)
                finally:
                    await uow.commit()  # a refusal is counted against the address
        except NotFound as refused:
            self.bad_logins.refused()
            return message(404, w.LOGIN_REFUSED_TITLE, refused.message)
        except Forbidden as refused:
            self.bad_logins.refused()
            return message(429, w.LOGIN_REFUSED_TITLE, refused.message)
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE,
            opened.session,
            max_age=int(SESSION_TTL.total_seconds()),
            path="/",
            secure=True,
            httponly=True,
            samesite="Strict",
        )
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        async with self.uow_factory() as uow:
            await log_out(uow, request.cookies.get(COOKIE))
            await uow.commit()
        response = message(200, w.LOGGED_OUT_TITLE, w.LOGGED_OUT)
        response.del_cookie(COOKIE, path="/")
        return response
