"""Templates (Jinja2, autoescaped) and the headers every dashboard answer carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.catalog import core as t
from handlers.catalog import web as w
from handlers.text import fmt_date

HERE = Path(__file__).parent
STATIC = HERE / "static"
# No inline script or style anywhere: the pages work with these alone.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a login link's token must not leave in a Referer
}
PRIVATE = "no-store"
STATIC_CACHE = "private, max-age=3600"

environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(w=w, role_names=t.ROLE_NAMES)
environment.filters["date"] = fmt_date


def page(template: str, status: int = 200, **values: Any) -> web.Response:
    html = environment.get_template(template).render(**values)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8")


def message(status: int, title: str, text: str, *, viewer: Any = None) -> web.Response:
    return page("message.html", status, title=title, text=text, viewer=viewer)


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every answer of the app gets the security headers; nothing but static files may be
    cached (pages and downloads carry personal data)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    static = request.path.startswith("/static/") and response.status == 200
    response.headers["Cache-Control"] = STATIC_CACHE if static else response.headers.get("Cache-Control", PRIVATE)
    if not static and "no-store" not in response.headers["Cache-Control"]:
        response.headers["Cache-Control"] = PRIVATE
