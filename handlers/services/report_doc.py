"""The draft report the committee signs (DOCX): every figure from the roll-up, written in sentences the way
committees write them ("40/40 chi bộ đã tổ chức học tập chuyên đề cho 2.510 đảng viên, đạt 95%"), with the
lists of models, activities and commended exemplars. The operator edits the prose before it is signed."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import document as dc
from handlers.messages import Attachment
from handlers.reports import excel
from handlers.reports.docx_report import MIME, DocReport, Part, Section, build_document
from handlers.services.honour_lists import ModelItem, activity_rows, model_items, proposal_rows
from handlers.services.honours import placement
from handlers.services.org_changes import resolve_unit
from handlers.services.periods import Period
from handlers.services.rollup import Rollup, rollup_of, unit_row
from handlers.text import fmt_date, fmt_number, fmt_percent, fold
from storage.enums import Role, UnitKind
from storage.uow import UnitOfWork

MODELS_SHOWN = 15


def issuer_of(name: str) -> tuple[str, str, str]:
    """("Đảng ủy xã Thanh Sơn", "ĐẢNG ỦY", "ĐU") for "Đảng bộ xã Thanh Sơn": the committee that issues, T/M, symbol."""
    words = name.split()
    for prefix, replacement, body, symbol in dc.ISSUERS:
        size = len(prefix.split())
        if fold(" ".join(words[:size])) == prefix:
            return " ".join([replacement, *words[size:]]), body, symbol
    return name, *dc.ISSUER_OTHER


def place_of(name: str) -> str:
    words = name.split()
    for prefix in dc.PLACE_PREFIXES:
        size = len(prefix.split())
        if fold(" ".join(words[:size])) == prefix and words[size:]:
            return " ".join(words[size:])
    return dc.PLACE_UNKNOWN


def _figures(summary: Rollup) -> dict[str, str]:
    f, h = summary.totals, summary.honours
    numbers = {name: fmt_number(value) for name, value in (asdict(f) | asdict(h)).items()}
    return numbers | {
        "registered_pct": fmt_percent(f.registered, f.members),
        "updated_pct": fmt_percent(f.updated, f.registered),
        "completed_pct": fmt_percent(f.completed, f.registered),
        "studied_pct": fmt_percent(f.studied, f.members),
        "units_held": fmt_number(sum(1 for line in summary.lines if line.honours.activities)),
        "units": fmt_number(len(summary.lines)),
        "unit": summary.unit_name,
    }


def _study(summary: Rollup, figures: dict[str, str]) -> Section:
    if not summary.is_cell:
        return Section(dc.HEAD_STUDY, [dc.STUDY_CELLS.format(**figures)])
    text = dc.STUDY_CELL if summary.totals.studied else dc.STUDY_CELL_NONE
    return Section(dc.HEAD_STUDY, [text.format(**figures)])


def _models(figures: dict[str, str], models: list[ModelItem]) -> Section:
    items = [
        (dc.MODEL_ITEM_FOLLOWS if m.source else dc.MODEL_ITEM).format(name=m.name, cell=m.cell, source=m.source)
        for m in models[:MODELS_SHOWN]
    ]
    if len(models) > MODELS_SHOWN:
        items.append(dc.MORE_ITEMS.format(count=len(models) - MODELS_SHOWN))
    paragraphs = [dc.EXEMPLARS.format(**figures), dc.MODELS.format(**figures)]
    if items:
        paragraphs.append(dc.MODELS_LIST)
    return Section(dc.HEAD_MODELS, paragraphs, items)


def _activities(summary: Rollup, figures: dict[str, str], items: list[str]) -> Section:
    if not summary.honours.activities:
        return Section(dc.HEAD_ACTIVITIES, [dc.ACTIVITIES_NONE])
    if summary.is_cell:
        template = dc.ACTIVITIES_CELL
    elif all(line.kind == UnitKind.CELL.value for line in summary.lines):
        template = dc.ACTIVITIES_CELLS
    else:
        template = dc.ACTIVITIES_UNITS
    return Section(dc.HEAD_ACTIVITIES, [template.format(**figures)], items)


def _limits(summary: Rollup) -> list[str]:
    f = summary.totals
    found = [
        (dc.LIMIT_NOT_REGISTERED, f.members - f.registered),
        (dc.LIMIT_NOT_UPDATED, f.registered - f.updated),
        (dc.LIMIT_BEHIND, f.behind),
        (dc.LIMIT_NOT_STUDIED, 0 if summary.is_cell else f.cells - f.cells_studied),
        (dc.LIMIT_UNREACHABLE, f.unreachable),
    ]
    items = [template.format(count=fmt_number(count)) for template, count in found if count > 0]
    return [dc.LIMITS.format(items="; ".join(items))] if items else [dc.LIMITS_NONE]


async def compose(uow: UnitOfWork, summary: Rollup, today: date, tz: ZoneInfo, place: str | None) -> DocReport:
    unit = await uow.units.get(summary.unit_id)
    parent = await uow.units.get(unit.parent_id) if unit is not None and unit.parent_id else None
    issuer, body, symbol = issuer_of(summary.unit_name)
    committee = parent if summary.is_cell and parent is not None else unit
    theme = await uow.themes.get(summary.window.year)
    figures = _figures(summary)
    where = await placement(uow, [cell.id for cell in summary.cells], summary.window)
    commended = [row for row in await proposal_rows(uow, summary, where, tz) if row.decided_on is not None]
    activities = [
        dc.ACTIVITY_ITEM.format(
            kind=a.kind, title=a.title, cell=a.cell, date=fmt_date(a.held_on), participants=fmt_number(a.participants)
        )
        for a in await activity_rows(uow, summary, where)
    ]
    commend = Section(
        dc.HEAD_COMMEND,
        [dc.COMMEND.format(**figures), *([dc.COMMENDED_LIST] if commended else [])],
        [
            dc.COMMENDED_ITEM.format(
                nominee=r.nominee,
                cell=r.cell,
                form=r.form,
                number=r.number,
                date=fmt_date(r.decided_on) if r.decided_on else "",
                level=issuer_of(r.level)[0],
                account=r.account,
            )
            for r in commended
        ],
    )
    register = Section(dc.HEAD_REGISTER, [dc.REGISTER.format(**figures), dc.LINKED.format(**figures)])
    results = [
        _study(summary, figures),
        register,
        _models(figures, await model_items(uow, summary)),
        _activities(summary, figures, activities),
        commend,
    ]
    opening_theme = dc.OPENING_THEME.format(year=theme.year, title=theme.title) if theme else ""
    return DocReport(
        superior=(parent.name.upper() if parent else ""),
        issuer=issuer.upper(),
        number=dc.NUMBER.format(symbol=symbol),
        place_date=dc.PLACE_DATE.format(
            place=place or place_of(committee.name if committee else summary.unit_name),
            day=today.day,
            month=today.month,
            year=today.year,
        ),
        title=dc.TITLE,
        subtitle=dc.SUBTITLE,
        period=dc.SUBTITLE_PERIOD.format(period=summary.period.label),
        opening=dc.OPENING.format(
            theme=opening_theme, issuer=issuer, period=summary.period.label, end=fmt_date(summary.window.last_day)
        ),
        parts=[
            Part(dc.PART_RESULTS, results),
            Part(dc.PART_LIMITS, [Section("", _limits(summary))]),
            Part(dc.PART_NEXT, [Section("", list(dc.NEXT_STEPS))]),
        ],
        recipients=_recipients(summary, issuer, parent.name if parent else None),
        on_behalf=dc.ON_BEHALF.format(body=body),
        signer_title=dc.SECRETARY,
        signer_name=await _secretary(uow, summary),
    )


def _recipients(summary: Rollup, issuer: str, parent: str | None) -> list[str]:
    lines = [dc.RECIPIENTS]
    if parent is not None:
        lines.append(dc.RECIPIENT_PARENT.format(parent=issuer_of(parent)[0]))
    if summary.is_cell:
        return [*lines, dc.RECIPIENT_FILE_CELL]
    return [*lines, dc.RECIPIENT_CHILDREN, dc.RECIPIENT_FILE.format(office=dc.OFFICE_OF.format(issuer=issuer))]


async def _secretary(uow: UnitOfWork, summary: Rollup) -> str:
    """The cell's secretary signs a cell's report; a committee's secretary is not in the roster: left blank."""
    if not summary.is_cell:
        return ""
    for member in await uow.members.in_cells([summary.unit_id]):
        if member.role == Role.SECRETARY.value and member.scope_unit_id == summary.unit_id:
            return member.full_name
    return ""


def filename(summary: Rollup) -> str:
    return excel.filename(summary.unit_name, summary.period.first_day, summary.period.last_day).replace(
        ".xlsx", ".docx"
    )


async def docx_attachment(
    uow: UnitOfWork, summary: Rollup, today: date, tz: ZoneInfo, place: str | None = None
) -> Attachment:
    report = await compose(uow, summary, today, tz, place)
    content = await asyncio.to_thread(build_document, report)
    return Attachment(filename(summary), content, MIME)


async def docx_for_unit(
    uow: UnitOfWork, unit_spec: str, period: Period, now: datetime, tz: ZoneInfo, place: str | None = None
) -> tuple[Rollup, Attachment]:
    """The operator's draft for any unit (named as in the other operator commands)."""
    summary = await rollup_of(uow, unit_row(await resolve_unit(uow, unit_spec)), period, now, tz)
    return summary, await docx_attachment(uow, summary, now.astimezone(tz).date(), tz, place)
