"""The roll-up as a bar chart (PNG): registered % and updated % per child unit.

Drawn with matplotlib's Agg backend (no display) and DejaVu Sans, which ships with matplotlib and has every
Vietnamese letter. Rendering takes a few hundred milliseconds: callers on the event loop use `render_async`.
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from dataclasses import dataclass

from handlers.catalog import reports as rp

FONT = "DejaVu Sans"
MAX_LABEL = 28
MIN_WIDTH, INCH_PER_BAR, MAX_WIDTH = 6.0, 0.55, 30.0
DRAWN_KEPT = 32  # charts kept by what they show: a roll-up viewed again with the same figures is not redrawn


@dataclass(frozen=True)
class Bar:
    label: str
    registered: float  # percent, 0..100
    updated: float
    exemplars: float = 0.0  # members registered to become exemplars, percent of members


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def render(title: str, bars: list[Bar]) -> bytes:
    """A PNG of three bars per unit. Uses a Figure of its own (no pyplot state), so it is thread-safe."""
    # Imported here: matplotlib takes about a second to load, and every `lamtheo` command imports the router.
    # The Figure API draws with Agg without selecting a backend, so no global state is touched.
    from matplotlib.figure import Figure

    width = min(MAX_WIDTH, max(MIN_WIDTH, INCH_PER_BAR * len(bars) + 2))
    figure = Figure(figsize=(width, 5.0), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(bars)))
    step = 0.27
    registered = axes.bar([p - step for p in positions], [b.registered for b in bars], step,
                          label=rp.CHART_REGISTERED, color="#c0392b")
    updated = axes.bar(positions, [b.updated for b in bars], step, label=rp.CHART_UPDATED, color="#2e86c1")
    exemplars = axes.bar([p + step for p in positions], [b.exemplars for b in bars], step,
                         label=rp.CHART_EXEMPLARS, color="#d4ac0d")
    for container in (registered, updated, exemplars):
        axes.bar_label(container, labels=[f"{v.get_height():.0f}" for v in container], fontsize=7,
                       fontfamily=FONT, padding=1)
    axes.set_xticks(positions)
    axes.set_xticklabels([_short(b.label) for b in bars], rotation=30, ha="right", fontsize=8, fontfamily=FONT)
    axes.set_ylim(0, 110)
    axes.set_ylabel(rp.CHART_Y, fontfamily=FONT)
    axes.set_title(title, fontfamily=FONT, fontsize=11)
    axes.legend(prop={"family": FONT, "size": 8}, loc="upper right")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


_drawn: OrderedDict[tuple[str, tuple[Bar, ...]], bytes] = OrderedDict()


def forget_drawn() -> None:
    """Draw every chart again (a benchmark timing the drawing)."""
    _drawn.clear()


async def render_async(title: str, bars: list[Bar]) -> bytes:
    """`render` in a thread; the same title and bars give the same PNG, so the last charts drawn are kept."""
    key = (title, tuple(bars))
    found = _drawn.get(key)
    if found is None:
        found = _drawn[key] = await asyncio.to_thread(render, title, bars)
        while len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
    _drawn.move_to_end(key)
    return found
