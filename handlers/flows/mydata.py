"""/dulieu: everything the bot stores about the member, in pages; and withdrawing consent (with a warning)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import org as o
from handlers.dialog import Ctx, Input
from handlers.messages import Reply
from handlers.services.personal_data import (
    CommitmentRecord,
    PersonalData,
    anonymous_token,
    collect_personal_data,
    withdraw_consent,
)
from handlers.text import fmt_date, split_text

PAGE_LIMIT = 1800  # one page fits a Zalo message (2,000 characters) with its choices


def render_pages(data: PersonalData, tz: ZoneInfo) -> list[str]:
    text = "\n".join(render_lines(data, tz))
    return split_text(text, PAGE_LIMIT)


def honour_lines(data: PersonalData) -> list[str]:
    """Exemplar registrations and proposals naming the member, when there are any."""
    if not data.exemplar_years and not data.commendations:
        return []
    lines = ["", cm.MYDATA_HONOURS]
    lines += [cm.MYDATA_EXEMPLAR.format(year=year) for year in data.exemplar_years]
    for item in data.commendations:
        state = cm.MYDATA_STATES.get(item["state"], item["state"])
        if item["decision_date"] is not None:
            state = cm.MYDATA_DECIDED.format(
                form=cm.FORM_LABELS.get(item["form"] or "", ""),
                number=item["decision_number"] or "",
                date=fmt_date(item["decision_date"]),
            )
        lines.append(cm.MYDATA_COMMENDATION.format(year=item["year"], state=state, account=item["account"]))
    return lines


def render_lines(data: PersonalData, tz: ZoneInfo) -> list[str]:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y") if moment else o.MYDATA_NONE

    def day(moment: datetime) -> str:
        return fmt_date(moment.astimezone(tz).date())

    lines = [
        o.MYDATA_PROFILE,
        o.MYDATA_CODE.format(value=data.code),
        o.MYDATA_NAME.format(value=data.full_name),
        o.MYDATA_POSITION.format(value=data.position or o.MYDATA_NONE),
        o.MYDATA_ROLE.format(value=t.ROLE_NAMES.get(data.role, data.role)),
        o.MYDATA_CELL.format(value=data.cell or o.MYDATA_NONE),
    ]
    if data.scope:
        lines.append(o.MYDATA_SCOPE.format(value=data.scope))
    lines += [
        o.MYDATA_PHONE.format(value=data.phone or o.MYDATA_NONE),
        o.MYDATA_EXEMPT.format(value=o.MYDATA_YES if data.exempt else o.MYDATA_NO),
        o.MYDATA_ADDED.format(value=day(data.added_at)),
        "",
        o.MYDATA_CONSENT,
    ]
    lines += [
        o.MYDATA_CONSENT_LINE.format(
            action=o.CONSENT_ACTIONS.get(e["action"], e["action"]), time=when(e["at"]), version=e["notice_version"]
        )
        for e in data.consent_events
    ] or [o.MYDATA_EMPTY]
    lines += ["", o.MYDATA_ACCOUNTS]
    lines += [
        o.MYDATA_ACCOUNT_LINE.format(
            platform=o.PLATFORM_NAMES.get(a["platform"], a["platform"]),
            linked=day(a["linked_at"]),
            seen=day(a["last_seen_at"]),
        )
        for a in data.accounts
    ] or [o.MYDATA_EMPTY]
    lines += ["", o.MYDATA_COMMITMENTS.format(count=len(data.commitments))]
    for number, record in enumerate(data.commitments, start=1):
        lines += commitment_lines(number, record, when)
    if not data.commitments:
        lines.append(o.MYDATA_EMPTY)
    lines += ["", o.MYDATA_STUDY]
    lines += [
        o.MYDATA_STUDY_LINE.format(
            date=fmt_date(s["held_on"]),
            title=s["title"],
            confirmed=o.MYDATA_STUDY_CONFIRMED if s["confirmed_at"] else "",
        )
        for s in data.study
    ] or [o.MYDATA_EMPTY]
    lines += honour_lines(data)
    lines += ["", o.MYDATA_REMINDERS, *reminder_lines(data)]
    if data.moves:
        lines += ["", o.MYDATA_MOVES]
        lines += [
            o.MYDATA_MOVE_LINE.format(date=day(m["at"]), source=m["from"] or "—", target=m["to"] or "—")
            for m in data.moves
        ]
    return lines


def commitment_lines(number: int, record: CommitmentRecord, when: Callable[[datetime | None], str]) -> list[str]:
    lines = [
        o.MYDATA_COMMITMENT.format(
            number=number, year=record.year, kind=o.KIND_LABELS.get(record.kind, record.kind), content=record.content
        ),
        o.MYDATA_MEASURES.format(value=record.measures),
        o.MYDATA_COMMITMENT_STATE.format(
            deadline=fmt_date(record.deadline),
            percent=record.percent,
            status=o.STATUS_LABELS.get(record.status, record.status),
            review=o.REVIEW_LABELS.get(record.review_state, record.review_state),
        ),
    ]
    if record.review_comment:
        lines.append(o.MYDATA_REVIEW_COMMENT.format(value=record.review_comment))
    for entry in record.progress:
        note = f" — {entry.note}" if entry.note else ""
        lines.append(o.MYDATA_PROGRESS.format(time=when(entry.at), percent=entry.percent, note=note))
    if record.evidence_count:
        lines.append(o.MYDATA_EVIDENCE.format(count=record.evidence_count))
    if record.assessment:
        a = record.assessment
        lines.append(
            o.MYDATA_ASSESSMENT.format(
                time=when(a.at),
                result=o.RESULT_LABELS.get(a.result, a.result),
                cause=o.MYDATA_CAUSE.format(value=a.cause) if a.cause else "",
                remedy=o.MYDATA_REMEDY.format(value=a.remedy) if a.remedy else "",
            )
        )
    return lines


def reminder_lines(data: PersonalData) -> list[str]:
    hour = f"{data.remind_hour} giờ" if data.remind_hour is not None else o.MYDATA_REMIND_DEFAULT
    platform = o.PLATFORM_NAMES.get(data.preferred_platform or "", o.MYDATA_PREFERRED_LAST)
    lines = [
        o.MYDATA_REMIND_HOUR.format(value=hour),
        o.MYDATA_QUIET.format(start=data.quiet_from, end=data.quiet_to),
        o.MYDATA_PREFERRED.format(value=platform),
    ]
    if data.paused_until:
        lines.append(o.MYDATA_PAUSED.format(value=fmt_date(data.paused_until)))
    lines.append(o.MYDATA_RESPONSES.format(count=data.reminder_responses))
    return lines


class MyDataFlow:
    name = "mydata"

    async def begin(self, ctx: Ctx, arg: str) -> list[Reply]:
        return await self._page(ctx, 0)

    async def on_input(self, ctx: Ctx, inp: Input) -> list[Reply]:
        step, value = ctx.state.step, inp.value
        if step == "view" and value and value.startswith("page:") and value[5:].isdecimal():
            return await self._page(ctx, int(value[5:]))
        if step == "view" and value == "withdraw":
            text = o.WITHDRAW_WARNING.format(token=anonymous_token(ctx.member.id))
            choices = [(o.WITHDRAW_CONFIRM, "confirm"), (o.WITHDRAW_KEEP, "keep")]
            return [ctx.ask("confirm", text, choices, cancel=False)]
        if step == "view" and value == "close":
            return await ctx.back_to_menu()
        if step == "confirm" and value == "keep":
            return [Reply(o.WITHDRAW_KEPT), *await self._page(ctx, 0)]
        if step == "confirm" and value == "confirm":
            return await self._withdraw(ctx)
        reply = ctx.state.current_reply()
        return [Reply(t.INVALID_CHOICE), *([reply] if reply else [])]

    async def _page(self, ctx: Ctx, index: int) -> list[Reply]:
        pages = render_pages(await collect_personal_data(ctx.uow, ctx.member), ctx.tz)
        index = min(max(index, 0), len(pages) - 1)
        choices = []
        if index + 1 < len(pages):
            choices.append((o.MYDATA_CHOICE_NEXT, f"page:{index + 1}"))
        if index > 0:
            choices.append((o.MYDATA_CHOICE_PREVIOUS, f"page:{index - 1}"))
        choices += [(o.MYDATA_CHOICE_WITHDRAW, "withdraw"), (o.MYDATA_CHOICE_CLOSE, "close")]
        header = o.MYDATA_PAGE.format(page=index + 1, pages=len(pages))
        return [Reply(f"{header}\n\n{pages[index]}"), ctx.ask("view", o.MYDATA_PROMPT, choices, cancel=False)]

    async def _withdraw(self, ctx: Ctx) -> list[Reply]:
        await withdraw_consent(ctx.uow, ctx.member, ctx.now)
        ctx.finish()
        return [Reply(o.WITHDRAW_DONE.format(time=ctx.local(ctx.now).strftime("%H:%M %d/%m/%Y")))]
