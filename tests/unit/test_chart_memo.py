"""A chart with the same title and bars is drawn once: viewing a roll-up again whose figures did not change costs
no drawing (handlers/reports/chart.render_async)."""

from __future__ import annotations

import pytest

from handlers.reports import chart


async def test_the_same_chart_is_drawn_once_and_a_different_one_again(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[str, list[chart.Bar]]] = []

    def recording(title: str, bars: list[chart.Bar]) -> bytes:
        drawn.append((title, bars))
        return f"png {len(drawn)}".encode()

    monkeypatch.setattr(chart, "render", recording)
    monkeypatch.setattr(chart, "_drawn", type(chart._drawn)())
    bars = [chart.Bar("Đảng bộ xã Thanh Sơn", 80.0, 50.0, 5.0), chart.Bar("Đảng bộ phường Hồng Phong", 60.0, 40.0)]
    first = await chart.render_async("Tháng 11/2026", bars)
    assert await chart.render_async("Tháng 11/2026", list(bars)) == first
    changed = [bars[0], chart.Bar("Đảng bộ phường Hồng Phong", 60.0, 40.1)]
    assert await chart.render_async("Tháng 11/2026", changed) != first
    assert await chart.render_async("Quý IV/2026", bars) != first
    assert [title for title, _ in drawn] == ["Tháng 11/2026", "Tháng 11/2026", "Quý IV/2026"]


async def test_only_the_last_charts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "render", lambda title, bars: title.encode())
    monkeypatch.setattr(chart, "_drawn", type(chart._drawn)())
    for n in range(chart.DRAWN_KEPT + 5):
        await chart.render_async(f"chart {n}", [])
    assert len(chart._drawn) == chart.DRAWN_KEPT
    assert ("chart 0", ()) not in chart._drawn
