"""A member's personal data: everything stored about them (/dulieu, export) and withdrawing consent.

Withdrawal erases what identifies the member or what they wrote, and keeps the rows that carry
numbers, so reports still count their past entries, anonymously:
- member: code and full name become "AN-<id>"; position, phone, reminder preferences cleared;
  `anonymised_at` set; `consent_at` cleared; a consent event "withdrawn" recorded. Role, cell and
  the exempt flag stay (they are the cell's structure, and counting needs them).
- chat accounts, their dialog states and link failures, and the member's invite codes: deleted, so
  the bot treats the chat as a stranger.
- individual commitments: content and measures replaced by a neutral text (a deed such as "help my
  neighbour Mr X" identifies people), the chi ủy's comment cleared; year, deadline, percent, status,
  review state and dates stay. Collective commitments and models belong to the cell and stay.
- progress notes on their commitments and notes they entered anywhere, evidence photos, causes and
  remedies of self-assessments, reasons given to reminders, texts of messages queued for them, and
  files generated for them: deleted. Percents, results, attendance and delivery counts stay.
- proposals to commend them: the account of what they did and the comments on it replaced by the neutral text;
  the decision (form, number, date) and the exemplar registration stay, and are counted.
- everywhere else (what others wrote about them, and what they wrote for the cell: announcements, review
  comments, study titles, commendation accounts, queued messages, open dialogs, webhook updates waiting): their
  name, phone and code are replaced by "AN-<id>" (storage/repo_redact.py); reports generated for the leaders of
  their cell and the committees above are deleted, since they may list them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from handlers.catalog import org as o
from handlers.services.errors import InvalidInput, NotFound
from handlers.services.linking import CONSENT_NOTICE_VERSION
from handlers.text import fold
from storage.models import Member
from storage.uow import UnitOfWork

ANONYMOUS_PREFIX = "AN-"
MIN_NAME_LENGTH, MIN_PHONE_DIGITS, MIN_CODE_LENGTH = 5, 8, 4


def anonymous_token(member_id: int) -> str:
    return f"{ANONYMOUS_PREFIX}{member_id}"


@dataclass(frozen=True)
class ProgressRecord:
    at: datetime
    percent: int
    note: str | None
    entered_by_self: bool


@dataclass(frozen=True)
class AssessmentRecord:
    result: str
    cause: str | None
    remedy: str | None
    at: datetime


@dataclass(frozen=True)
class CommitmentRecord:
    year: int
    kind: str
    content: str
    measures: str
    deadline: date
    percent: int
    status: str
    review_state: str
    review_comment: str | None
    created_at: datetime
    withdrawn_at: datetime | None
    progress: list[ProgressRecord]
    evidence_count: int
    assessment: AssessmentRecord | None


@dataclass(frozen=True)
class PersonalData:
    code: str
    full_name: str
    position: str
    role: str
    phone: str | None
    cell: str | None  # "Parent / Cell" label
    scope: str | None
    exempt: bool
    active: bool
    added_at: datetime
    consent_at: datetime | None
    anonymised_at: datetime | None
    preferred_platform: str | None
    remind_hour: int | None
    quiet_from: int
    quiet_to: int
    paused_until: date | None
    consent_events: list[dict[str, Any]] = field(default_factory=list)  # action, at, notice_version
    accounts: list[dict[str, Any]] = field(default_factory=list)  # platform, linked_at, last_seen_at (no ids)
    commitments: list[CommitmentRecord] = field(default_factory=list)
    study: list[dict[str, Any]] = field(default_factory=list)  # held_on, title, unit, confirmed_at
    moves: list[dict[str, Any]] = field(default_factory=list)  # at, from, to
    reminder_responses: int = 0
    exemplar_years: list[int] = field(default_factory=list)  # registered to become an exemplar
    commendations: list[dict[str, Any]] = field(default_factory=list)  # year, state, form, decision, account


async def collect_personal_data(uow: UnitOfWork, member: Member) -> PersonalData:
    """Everything stored about `member`, platform account ids left out."""
    labels: dict[int, str] = {}

    async def label(unit_id: int | None) -> str | None:
        if unit_id is None:
            return None
        if unit_id not in labels:
            unit = await uow.units.get(unit_id)
            labels[unit_id] = " / ".join(a.name for a in await uow.units.ancestors(unit)) if unit else str(unit_id)
        return labels[unit_id]

    commitments = await uow.personal.commitments_of(member.id)
    ids = [c.id for c in commitments]
    progress = await uow.personal.progress_of(ids)
    evidence = await uow.personal.evidence_of(ids)
    assessments = {a.commitment_id: a for a in await uow.personal.assessments_of(ids)}
    records = []
    for c in commitments:
        assessment = assessments.get(c.id)
        records.append(
            CommitmentRecord(
                year=c.year,
                kind=c.kind,
                content=c.content,
                measures=c.measures,
                deadline=c.deadline,
                percent=c.percent,
                status=c.status,
                review_state=c.review_state,
                review_comment=c.review_comment,
                created_at=c.created_at,
                withdrawn_at=c.withdrawn_at,
                progress=[
                    ProgressRecord(p.created_at, p.percent, p.note, p.entered_by_member_id in (None, member.id))
                    for p in progress
                    if p.commitment_id == c.id
                ],
                evidence_count=sum(1 for e in evidence if e.commitment_id == c.id),
                assessment=AssessmentRecord(
                    assessment.result, assessment.cause, assessment.remedy, assessment.assessed_at
                )
                if assessment
                else None,
            )
        )
    study = [
        {"held_on": s.held_on, "title": s.title, "unit": await label(s.unit_id), "confirmed_at": a.confirmed_at}
        for a, s in await uow.personal.attendance_of(member.id)
    ]
    moves = [
        {"at": m.moved_at, "from": await label(m.from_unit_id), "to": await label(m.to_unit_id)}
        for m in await uow.personal.moves_of(member.id)
    ]
    exemplars, proposals = await uow.honours.of_member(member.id)
    commendations = [
        {
            "year": p.year,
            "state": p.state,
            "form": p.form,
            "decision_number": p.decision_number,
            "decision_date": p.decision_date,
            "account": p.account,
            "proposed_at": p.created_at,
        }
        for p in proposals
    ]
    return PersonalData(
        code=member.code,
        full_name=member.full_name,
        position=member.position,
        role=member.role,
        phone=member.phone,
        cell=await label(member.cell_id),
        scope=await label(member.scope_unit_id),
        exempt=member.exempt,
        active=member.active,
        added_at=member.created_at,
        consent_at=member.consent_at,
        anonymised_at=member.anonymised_at,
        preferred_platform=member.preferred_platform,
        remind_hour=member.remind_hour,
        quiet_from=member.quiet_from,
        quiet_to=member.quiet_to,
        paused_until=member.paused_until,
        consent_events=[
            {"action": e.action, "at": e.at, "notice_version": e.notice_version}
            for e in await uow.members.consent_events(member.id)
        ],
        accounts=[
            {"platform": a.platform, "linked_at": a.linked_at, "last_seen_at": a.last_seen_at}
            for a in sorted(await uow.accounts.for_member(member.id), key=lambda a: (a.platform, a.linked_at))
        ],
        commitments=records,
        study=study,
        moves=moves,
        reminder_responses=len(await uow.personal.reminder_responses_of(member.id)),
        exemplar_years=[e.year for e in exemplars],
        commendations=commendations,
    )


def as_json(data: PersonalData) -> dict[str, Any]:
    """Plain JSON values (ISO dates and times in UTC) for `lamtheo member export`."""
    plain: dict[str, Any] = _jsonable(asdict(data))
    return plain


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def member_by_code(uow: UnitOfWork, code: str) -> Member:
    member = await uow.members.by_code(code)
    if member is None:
        raise NotFound(o.MEMBER_UNKNOWN.format(code=code))
    return member


async def withdraw_consent(uow: UnitOfWork, member: Member, now: datetime) -> str:
    """Erase the member's personal data (see the module's docstring); returns their anonymous token.

    The caller commits. Refused when already done, so a repeated request changes nothing.
    """
    token = anonymous_token(member.id)
    if member.anonymised_at is not None:
        raise InvalidInput(o.ALREADY_ANONYMISED.format(token=member.code))
    written_as = identifying_texts(member)
    unit = await uow.units.get(member.cell_id or member.scope_unit_id or 0)
    touched = await uow.personal.unlink_accounts(member.id)
    await uow.deliveries.finish_complete(touched, now)
    await uow.web.end_sessions_of([member.id])  # the web dashboard's sessions and login links
    await uow.personal.erase_free_texts(member, o.ANONYMOUS_TEXT, now)
    await uow.honours.erase_accounts(member.id, o.ANONYMOUS_TEXT)
    member.code = token
    member.full_name = token
    member.position = ""
    member.phone = None
    member.preferred_platform = None
    member.remind_hour = None
    member.paused_until = None
    member.consent_at = None
    member.anonymised_at = now
    member.updated_at = now
    await uow.members.record_consent(member, "withdrawn", CONSENT_NOTICE_VERSION, now)
    await uow.redaction.redact(written_as, token)  # what others wrote about them, and what they wrote themselves
    if unit is not None:
        await uow.personal.delete_files_seen_by_leaders(unit.path)
    return token


def identifying_texts(member: Member) -> list[str]:
    """How the member may be written in a text: full name (also without diacritics), phone (also +84...), code.
    Short or common-looking values are left out, or redacting them would mangle other texts."""
    texts: list[str] = []
    name = member.full_name.strip()
    if len(name) >= MIN_NAME_LENGTH:
        texts += [name, fold(name)]
    digits = re.sub(r"\D", "", member.phone or "")
    if len(digits) >= MIN_PHONE_DIGITS:
        texts += [member.phone or "", digits, *([f"84{digits[1:]}"] if digits.startswith("0") else [])]
    code = member.code.strip()
    if len(code) >= MIN_CODE_LENGTH and re.search(r"[^\W\d_]", code) and re.search(r"\d", code):
        texts.append(code)
    return sorted({text.strip() for text in texts if text.strip()})
