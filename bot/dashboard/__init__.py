"""The leaders' web dashboard on the bot's own web server (issue 12): login links from /web, server-rendered
pages (Jinja2, autoescaped), static CSS served by the app, strict CSP. See README "Web dashboard".

GET  /                              the viewer's own unit (its roll-up, or a cell's page)
GET  /unit/{id}                     a unit in the viewer's scope (404 otherwise); ?p=month|quarter|year|range
                                    &from=&to= (dd/mm/yyyy), &sort=<column>&dir=asc|desc
GET  /unit/{id}/baocao.xlsx         the Excel of /baocao for that unit and period
GET  /unit/{id}/trend.svg|.png      the year's trend (registered, updated, completed % by month)
GET  /login/{token}, POST /login/{token}, POST /logout  (bot/dashboard/access.py)
GET  /static/...                    the stylesheet
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.dashboard.access import Access
from bot.dashboard.pages import Pages
from bot.dashboard.render import STATIC, secure_headers
from handlers.clock import Clock
from storage.uow import UnitOfWork

UNIT = r"/unit/{unit_id:[1-9][0-9]{0,9}}"


def add_dashboard(
    app: web.Application,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    tz: ZoneInfo,
    trusted_proxies: frozenset[str] = frozenset(),
) -> None:
    """The dashboard's routes on `app`; `trusted_proxies`: WEB_TRUSTED_PROXIES (bot/dashboard/access.py)."""
    access = Access(uow_factory, clock, trusted_proxies)
    pages = Pages(access, uow_factory, clock, tz)
    app.router.add_get("/", pages.viewed(pages.unit))
    app.router.add_get(UNIT, pages.viewed(pages.unit))
    app.router.add_get(UNIT + "/baocao.xlsx", pages.viewed(pages.excel))
    app.router.add_get(UNIT + "/trend.svg", pages.viewed(pages.trend_svg))
    app.router.add_get(UNIT + "/trend.png", pages.viewed(pages.trend_png))
    app.router.add_get("/login/{token}", access.login_form)
    app.router.add_post("/login/{token}", access.login)
    app.router.add_post("/logout", access.logout)
    app.router.add_static("/static", STATIC, follow_symlinks=False)
    app.on_response_prepare.append(secure_headers)
