"""The year's trend of a unit: registered, updated and completed %, month by month, as an SVG drawn here (no
script, no library: the web page shows it as an image) and as a PNG (matplotlib, for the download)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from handlers.catalog import web as w

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 40, 64
SERIES = (("registered", "#c0392b"), ("updated", "#2e86c1"), ("completed", "#1e8449"))
FONT = "DejaVu Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Point:
    month: int
    registered: float
    updated: float
    completed: float


def _labels() -> dict[str, str]:
    return {"registered": w.TREND_REGISTERED, "updated": w.TREND_UPDATED, "completed": w.TREND_COMPLETED}


def _x(month: int) -> float:
    return LEFT + (month - 1) * (WIDTH - LEFT - RIGHT) / 11


def _y(percent: float) -> float:
    return TOP + (100 - max(0.0, min(100.0, percent))) * (HEIGHT - TOP - BOTTOM) / 100


def svg(title: str, points: list[Point]) -> str:
    """A line per series over the twelve months (months not reached yet are left empty)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="{FONT}" font-size="11" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="13">{escape(title)}</text>',
    ]
    for percent in range(0, 101, 25):
        y = _y(percent)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{percent}%</text>')
    for month in range(1, 13):
        label = escape(w.TREND_MONTH.format(month=month))
        out.append(f'<text x="{_x(month):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{label}</text>')
    for index, (name, colour) in enumerate(SERIES):
        coords = " ".join(f"{_x(p.month):.1f},{_y(getattr(p, name)):.1f}" for p in points)
        if coords:
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in points:
            out.append(f'<circle cx="{_x(p.month):.1f}" cy="{_y(getattr(p, name)):.1f}" r="3" fill="{colour}"/>')
        x = LEFT + index * 190
        out.append(f'<rect x="{x}" y="{HEIGHT - 24}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{HEIGHT - 14}">{escape(_labels()[name])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def png(title: str, points: list[Point]) -> bytes:
    """The same chart with matplotlib (Agg, a Figure of its own: thread-safe); callers use a thread."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    months = [p.month for p in points]
    for name, colour in SERIES:
        axes.plot(months, [getattr(p, name) for p in points], marker="o", color=colour, label=_labels()[name])
    axes.set_xticks(list(range(1, 13)))
    axes.set_xticklabels([w.TREND_MONTH.format(month=m) for m in range(1, 13)], fontfamily="DejaVu Sans")
    axes.set_xlim(0.5, 12.5)
    axes.set_ylim(0, 105)
    axes.set_title(title, fontfamily="DejaVu Sans", fontsize=11)
    axes.legend(prop={"family": "DejaVu Sans", "size": 8}, loc="upper left")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
