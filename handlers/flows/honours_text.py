"""The roll-up's lines about exemplars, commendations, replicated models and activities (/tonghop)."""

from __future__ import annotations

from dataclasses import asdict

from handlers.catalog import commend as cm
from handlers.services.rollup import Rollup
from handlers.text import fmt_number
from storage.enums import UnitKind

PILOTS_SHOWN = 5


def honour_lines(summary: Rollup) -> list[str]:
    honours, figures = summary.honours, summary.totals
    activity = {"activities": honours.activities, "participants": fmt_number(honours.participants)}
    lines = [
        cm.ROLLUP_EXEMPLARS.format(**asdict(honours)),
        cm.ROLLUP_REPLICATIONS.format(replications=honours.replications, models=figures.models),
    ]
    if summary.is_cell:
        lines.append(cm.ROLLUP_ACTIVITIES_CELL.format(**activity))
    elif all(line.kind == UnitKind.CELL.value for line in summary.lines):
        lines.append(
            cm.ROLLUP_ACTIVITIES_CELLS.format(cells_active=honours.cells_active, cells=figures.cells, **activity)
        )
    else:
        held = sum(1 for line in summary.lines if line.honours.activities)
        lines.append(
            cm.ROLLUP_ACTIVITIES_UNITS.format(
                units_held=held,
                units=len(summary.lines),
                cells_active=honours.cells_active,
                cells=figures.cells,
                **activity,
            )
        )
    if summary.pilots:
        lines.append(cm.ROLLUP_PILOTS)
        for pilot in summary.pilots[:PILOTS_SHOWN]:
            template = cm.ROLLUP_PILOT if pilot.cell_name else cm.ROLLUP_PILOT_TYPED
            lines.append(template.format(name=pilot.name, cell=pilot.cell_name, cells=", ".join(pilot.followers)))
    return lines
