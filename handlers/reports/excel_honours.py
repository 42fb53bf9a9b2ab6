"""The workbook's sheets of exemplars, commendations and activities: the figures per unit with the totals, the
proposals and decisions with their accounts, and the contests, seminars and writing contests held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports.sheet_writer import SheetWriter
from storage.repo_honours import Honours

HONOURS_WIDTHS = (6, 34, 11, 11, 12, 12, 12, 12, 11, 11, 9, 10, 13, 12, 11)
COMMENDATION_WIDTHS = (6, 22, 24, 9, 26, 48, 20, 12, 22, 12, 14, 12, 20)
ACTIVITY_WIDTHS = (6, 30, 14, 60, 13, 13)
HONOURS_RATIO_COLUMN = 13
COMMENDATION_WRAPPED = (3, 5, 6, 9)
COMMENDATION_DATES = (8, 12)


@dataclass(frozen=True)
class UnitHonours:
    name: str
    honours: Honours
    models: int
    cells: int


@dataclass(frozen=True)
class ProposalRow:
    cell: str
    nominee: str
    kind: str  # individual | collective
    item: str
    account: str
    proposer: str
    proposed_on: date
    state: str  # already in words
    form: str  # biểu dương | khen thưởng, or empty
    number: str
    decided_on: date | None
    level: str  # the committee that decided, or where it waits


@dataclass(frozen=True)
class ActivityRow:
    cell: str
    kind: str  # in words
    title: str
    held_on: date
    participants: int


@dataclass(frozen=True)
class HonourSheets:
    unit_name: str
    lines: list[UnitHonours]
    totals: UnitHonours
    proposals: list[ProposalRow]
    activities: list[ActivityRow]


def _honour_values(index: int | str, line: UnitHonours) -> list[object]:
    h = line.honours
    return [
        index,
        line.name,
        h.exemplar_collective,
        h.exemplar_individual,
        h.proposed_collective,
        h.proposed_individual,
        h.commended_collective,
        h.commended_individual,
        h.upward_collective,
        h.upward_individual,
        line.models,
        h.replications,
        f"{h.cells_active}/{line.cells}",
        h.activities,
        h.participants,
    ]


def _figures_sheet(writer: SheetWriter, data: HonourSheets, subtitle: str) -> None:
    sheet = writer.sheet(dc.SHEET_HONOURS, HONOURS_WIDTHS)
    title = dc.XL_HONOURS_TITLE.format(unit=data.unit_name)
    writer.head(sheet, title, subtitle, dc.XL_HONOURS_HEADERS, HONOURS_WIDTHS)
    t = writer.templates(sheet)
    for index, line in enumerate(data.lines, start=1):
        values = _honour_values(index, line)
        values[HONOURS_RATIO_COLUMN - 1] = writer.styled(sheet, values[HONOURS_RATIO_COLUMN - 1], t["ratio"])
        writer.append(sheet, values)
    totals = _honour_values("", UnitHonours(rp.XL_TOTAL, data.totals.honours, data.totals.models, data.totals.cells))
    bold = {HONOURS_RATIO_COLUMN: t["bold_ratio"]}
    writer.append(sheet, [writer.styled(sheet, v, bold.get(i, t["bold"])) for i, v in enumerate(totals, 1)])


def _commendations_sheet(writer: SheetWriter, data: HonourSheets, subtitle: str) -> None:
    sheet = writer.sheet(dc.SHEET_COMMENDATIONS, COMMENDATION_WIDTHS)
    title = dc.XL_COMMENDATIONS_TITLE.format(unit=data.unit_name)
    writer.head(sheet, title, subtitle, dc.XL_COMMENDATIONS_HEADERS, COMMENDATION_WIDTHS)
    t = writer.templates(sheet)
    if not data.proposals:
        writer.append(sheet, ["", dc.XL_NONE])
    for index, row in enumerate(data.proposals, start=1):
        values: list[Any] = [
            index,
            row.cell,
            row.nominee,
            dc.XL_NOMINEE_KIND.get(row.kind, row.kind),
            row.item,
            row.account,
            row.proposer,
            row.proposed_on,
            row.state,
            row.form,
            row.number,
            row.decided_on,
            row.level,
        ]
        for column in COMMENDATION_WRAPPED:
            values[column - 1] = writer.styled(sheet, values[column - 1], t["wrap"])
        for column in COMMENDATION_DATES:
            if values[column - 1] is not None:
                values[column - 1] = writer.styled(sheet, values[column - 1], t["date"])
        writer.append(sheet, values)


def _activities_sheet(writer: SheetWriter, data: HonourSheets, subtitle: str) -> None:
    sheet = writer.sheet(dc.SHEET_ACTIVITIES, ACTIVITY_WIDTHS)
    title = dc.XL_ACTIVITIES_TITLE.format(unit=data.unit_name)
    writer.head(sheet, title, subtitle, dc.XL_ACTIVITIES_HEADERS, ACTIVITY_WIDTHS)
    t = writer.templates(sheet)
    if not data.activities:
        writer.append(sheet, ["", dc.XL_NONE])
    for index, row in enumerate(data.activities, start=1):
        title_cell = writer.styled(sheet, row.title, t["wrap"])
        writer.append(
            sheet,
            [index, row.cell, row.kind, title_cell, writer.styled(sheet, row.held_on, t["date"]), row.participants],
        )
    count = dc.XL_ACTIVITIES_TOTAL.format(count=len(data.activities))
    participants = sum(row.participants for row in data.activities)
    writer.append(
        sheet, ["", "", "", writer.styled(sheet, count, t["bold"]), "", writer.styled(sheet, participants, t["bold"])]
    )


def write_sheets(writer: SheetWriter, data: HonourSheets, subtitle: str) -> set[str]:
    """The three sheets; returns their names (case-folded), taken for the cells' sheets that follow."""
    _figures_sheet(writer, data, subtitle)
    _commendations_sheet(writer, data, subtitle)
    _activities_sheet(writer, data, subtitle)
    return {name.casefold() for name in (dc.SHEET_HONOURS, dc.SHEET_COMMENDATIONS, dc.SHEET_ACTIVITIES)}
