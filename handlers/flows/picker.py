"""A long list to choose from, a page at a time: at most 8 options a page with «Trang trước» / «Trang sau»;
typing part of a name (diacritics optional) narrows the list. The page and the filter live in the dialog state.

A step using it asks with `ask_page(...)` and, on input, calls `follow(ctx, inp)`: a chosen value comes back;
None means the page or the filter changed and the step asks again (with the options computed afresh).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from handlers.catalog import core as t
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.errors import InvalidInput
from handlers.text import fold, shorten

PAGE_SIZE = 8
MAX_CHOICES = 12  # a Zalo message of numbered lines, a Telegram keyboard: the page, its moves and the rest
QUERY_MAX = 100
PREV, NEXT, CLEAR = "page:prev", "page:next", "page:clear"
STATE_KEY = "pick"


@dataclass(frozen=True)
class Option:
    label: str
    value: str
    words: str = ""  # what typing matches (the label when empty)


def _view(ctx: Ctx) -> dict[str, object]:
    view = ctx.state.data.get(STATE_KEY)
    if not isinstance(view, dict):
        view = {"query": "", "page": 0}
        ctx.state.data[STATE_KEY] = view
    return view


def query(ctx: Ctx) -> str:
    return str(_view(ctx).get("query") or "")


def reset(ctx: Ctx) -> None:
    ctx.state.data.pop(STATE_KEY, None)


def matching(options: list[Option], typed: str) -> list[Option]:
    wanted = fold(typed)
    if not wanted:
        return options
    return [option for option in options if wanted in fold(option.words or option.label)]


def ask_page(
    ctx: Ctx,
    step: str,
    text: str,
    options: list[Option],
    *,
    before: list[tuple[str, str]] | None = None,
    after: list[tuple[str, str]] | None = None,
    cancel: bool = True,
) -> Reply:
    """Ask `text` with `before`, the current page of the (filtered) options, the page moves and `after`; a page
    holds fewer than PAGE_SIZE options when `before` and `after` would make more than MAX_CHOICES in all."""
    view = _view(ctx)
    typed = query(ctx)
    found = matching(options, typed)
    size = _page_size(len(found), len(before or []) + len(after or []) + int(cancel) + int(bool(typed)))
    pages = max(1, ceil(len(found) / size))
    page = min(max(0, int(str(view.get("page") or 0))), pages - 1)
    view["page"] = page
    shown = found[page * size : (page + 1) * size]
    choices = list(before or [])
    choices.extend((shorten(option.label, 60), option.value) for option in shown)
    if page > 0:
        choices.append((t.PAGE_PREV, PREV))
    if page < pages - 1:
        choices.append((t.PAGE_NEXT, NEXT))
    if typed:
        choices.append((t.FILTER_CLEAR, CLEAR))
    choices.extend(after or [])
    info = _info(typed, len(found), page, pages)
    return ctx.ask(step, f"{text}\n{info}".rstrip(), choices, cancel=cancel)


def _page_size(count: int, fixed: int) -> int:
    """Options a page: all when they fit in one; else as many as fit beside `fixed` and the two page moves."""
    if count <= PAGE_SIZE and fixed + count <= MAX_CHOICES:
        return max(1, count)
    return max(1, min(PAGE_SIZE, MAX_CHOICES - fixed - 2))


def _info(typed: str, count: int, page: int, pages: int) -> str:
    if typed and not count:
        return t.FILTER_NONE.format(query=shorten(typed, 40))
    if typed:
        return t.FILTER_INFO.format(query=shorten(typed, 40), count=count, page=page + 1, pages=pages)
    if pages > 1:
        return t.PAGE_INFO.format(page=page + 1, pages=pages)
    return ""


def chosen_id(value: str, prefix: str = "") -> int:
    """The id in a chosen option's value ("<prefix><id>"); the caller re-checks it against the actor's scope."""
    digits = value.removeprefix(prefix)
    if not digits.isdecimal() or not value.startswith(prefix):
        raise InvalidInput(t.INVALID_CHOICE)
    return int(digits)


def follow(ctx: Ctx, inp: Input) -> str | None:
    """The value chosen, or None after moving a page or changing the filter (ask again)."""
    view = _view(ctx)
    page = int(str(view.get("page") or 0))
    if inp.value == PREV:
        view["page"] = max(0, page - 1)
    elif inp.value == NEXT:
        view["page"] = page + 1
    elif inp.value == CLEAR:
        view["query"], view["page"] = "", 0
    elif inp.value:
        return inp.value
    else:
        view["query"], view["page"] = inp.text[:QUERY_MAX], 0
    return None
