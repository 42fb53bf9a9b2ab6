"""The dashboard's pages and downloads: a unit's roll-up (a cell's page for a cell), the year's trend as SVG
and PNG, the Excel of /baocao. Every one re-checks the session and the unit against the viewer's scope: a unit
they may not see answers 404, whatever the URL says."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.dashboard import views
from bot.dashboard.access import Access
from bot.dashboard.render import message, page
from bot.web import content_disposition
from handlers.catalog import web as w
from handlers.clock import Clock, local_today
from handlers.reports import trend
from handlers.services.authz import Actor
from handlers.services.dashboard import CellPage, UnitPage, unit_page, year_trend
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.periods import Period
from handlers.services.reports import excel_attachment
from handlers.services.rollup import rollup, unit_for
from handlers.text import fmt_date
from storage.uow import UnitOfWork

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Viewed = Callable[[web.Request, Actor, UnitOfWork], Awaitable[web.StreamResponse]]


class Pages:
    def __init__(self, access: Access, uow_factory: Callable[[], UnitOfWork], clock: Clock, tz: ZoneInfo) -> None:
        self.access, self.uow_factory, self.clock, self.tz = access, uow_factory, clock, tz

    def viewed(self, handler: Viewed) -> Handler:
        """The handler with the viewer, in a read-only transaction; refusals as Vietnamese pages."""

        async def run(request: web.Request) -> web.StreamResponse:
            actor = None
            try:
                async with self.uow_factory().read_only() as uow:  # one transaction: the session, then the page
                    actor = await self.access.viewer(request, uow)
                    if actor is None:
                        return message(401, w.NEED_LOGIN_TITLE, w.NEED_LOGIN)
                    return await handler(request, actor, uow)
            except (Forbidden, NotFound):
                return message(404, w.NOT_FOUND_TITLE, w.NOT_FOUND, viewer=actor)
            except InvalidInput as bad:
                return message(400, w.BAD_INPUT_TITLE, bad.message, viewer=actor)

        return run

    def _now(self) -> datetime:
        return self.clock.now()

    def _period(self, request: web.Request) -> Period:
        return views.period_from(dict(request.query), local_today(self._now(), self.tz), self.tz)

    @staticmethod
    def _unit_id(request: web.Request) -> int | None:
        raw = request.match_info.get("unit_id")
        return int(raw) if raw else None

    async def unit(self, request: web.Request, actor: Actor, uow: UnitOfWork) -> web.StreamResponse:
        period = self._period(request)
        shown = await unit_page(uow, actor, self._unit_id(request), period, self._now(), self.tz)
        query = views.period_query(period)
        base = f"/unit/{shown.summary.unit_id}"
        key, descending = views.sort_order(dict(request.query))
        template = "cell.html" if isinstance(shown, CellPage) else "unit.html"
        return page(
            template,
            viewer=actor,
            shown=shown,
            period=period,
            base=base,
            query=urlencode(query),
            kinds=views.PERIOD_CHOICES,
            columns=views.COLUMNS,
            lines=sorted_lines(shown, key, descending),
            totals=views.cells_of(shown.summary.totals),
            cells_of=views.cells_of,
            links=views.sort_links(base, query, key, descending),
            sort_key=key,
            descending=descending,
            as_of=fmt_date(shown.summary.window.last_day),
            member_rows=lambda members: views.member_rows(members, self.tz),
            item_cells=lambda row: views.item_cells(row, self.tz),
        )

    async def excel(self, request: web.Request, actor: Actor, uow: UnitOfWork) -> web.StreamResponse:
        summary = await rollup(uow, actor, self._period(request), self._now(), self.tz, self._unit_id(request))
        today = local_today(self._now(), self.tz)
        attachment = await excel_attachment(uow, summary, today, self.tz)
        return download(attachment.content, attachment.mime, attachment.filename)

    async def _trend(self, request: web.Request, actor: Actor, uow: UnitOfWork) -> tuple[str, list[trend.Point], str]:
        year = self._period(request).year
        unit_id = self._unit_id(request)
        unit = await unit_for(uow, actor, unit_id)  # its name (a roll-up of the period is not needed)
        points = await year_trend(uow, actor, unit_id, year, self._now(), self.tz)
        title = w.TREND_CAPTION.format(year=year, unit=unit.name)
        return title, points, f"xu_huong_{unit.id}_{year}"

    async def trend_svg(self, request: web.Request, actor: Actor, uow: UnitOfWork) -> web.StreamResponse:
        title, points, _ = await self._trend(request, actor, uow)
        return web.Response(text=trend.svg(title, points), content_type="image/svg+xml", charset="utf-8")

    async def trend_png(self, request: web.Request, actor: Actor, uow: UnitOfWork) -> web.StreamResponse:
        title, points, name = await self._trend(request, actor, uow)
        png = await asyncio.to_thread(trend.png, title, points)
        return download(png, "image/png", f"{name}.png")


def sorted_lines(shown: UnitPage, key: str, descending: bool) -> list[object]:
    lines = list(shown.summary.lines)
    if key == "name":
        lines.sort(key=lambda line: line.name.casefold(), reverse=descending)
    else:
        lines.sort(key=lambda line: views.sort_value(line.figures, key), reverse=descending)
    return list(lines)


def download(content: bytes, mime: str, filename: str) -> web.Response:
    headers = {"Content-Disposition": content_disposition("attachment", filename), "Content-Type": mime}
    return web.Response(body=content, headers=headers)
