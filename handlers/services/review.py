"""Approval of registrations (/duyet): the cell's leaders approve one or return it with a comment; the member
revises and resubmits it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.catalog import review as rv
from handlers.services.authz import Actor, can_summarise, cells_in_scope, own_active_commitment, scope_unit
from handlers.services.errors import Forbidden, InvalidInput, NotFound
from handlers.services.validation import NOTE_MAX, checked_text
from handlers.text import fold, shorten
from storage.enums import CommitmentKind, CommitmentStatus, ReviewState, Role
from storage.models import Commitment, Member, Unit
from storage.uow import UnitOfWork

COMMENT_MIN = 3
NOTICE_CONTENT = 120
LEADER_WORDS = ("bi thu", "cap uy", "dang uy", "chi uy")  # folded words of a leader's position


@dataclass(frozen=True)
class PendingItem:
    commitment_id: int
    member_name: str
    position: str
    cell_name: str
    content: str


@dataclass(frozen=True)
class ReviewDetail:
    commitment_id: int
    member_name: str
    position: str
    cell_name: str
    year: int
    content: str
    measures: str
    deadline: date
    previous_comment: str | None


async def review_cells(uow: UnitOfWork, actor: Actor) -> list[Unit]:
    """The cells whose registrations the actor reviews: a leader their cell, committee staff their subtree."""
    if not can_summarise(actor):
        raise Forbidden(rv.REVIEW_FORBIDDEN)
    _, cells = await cells_in_scope(uow, actor)
    return cells


async def review_units(uow: UnitOfWork, actor: Actor) -> tuple[dict[int, Unit], dict[int, Unit]]:
    """(cells, committees): committee staff also review the staff without a cell of every committee of their
    subtree, their own committee's included (another member of staff, or the committee above, reviews them)."""
    cells = {cell.id: cell for cell in await review_cells(uow, actor)}
    committees: dict[int, Unit] = {}
    if actor.role is Role.COMMITTEE:
        scope = await scope_unit(uow, actor)
        committees = {unit.id: unit for unit in await uow.units.committees_in_subtree(scope)}
    return cells, committees


async def pending_registrations(uow: UnitOfWork, actor: Actor) -> list[PendingItem]:
    """Nobody is shown their own registration: a leader's goes to another leader of the cell or the committee."""
    cells, committees = await review_units(uow, actor)
    rows = await uow.review.pending_in_cells(list(cells), list(committees), not_of_member=actor.member_id)
    rows.sort(key=lambda row: not is_leader(row.role, row.position))
    return [
        PendingItem(
            row.commitment_id,
            row.member_name,
            row.position,
            _unit_of(row.cell_id, row.scope_unit_id, cells, committees).name,
            row.content,
        )
        for row in rows
    ]


def _unit_of(
    cell_id: int | None, scope_unit_id: int | None, cells: dict[int, Unit], committees: dict[int, Unit]
) -> Unit:
    """The member's cell, or for committee staff without one their committee (rows come from these units)."""
    if cell_id is not None:
        return cells[cell_id]
    return committees[scope_unit_id or 0]


def is_leader(role: str, position: str) -> bool:
    """Leaders register first ("trên trước, dưới sau"): by role, or by a position such as "Đảng ủy viên"."""
    folded = fold(position)
    return Role(role) is not Role.MEMBER or any(word in folded for word in LEADER_WORDS)


async def reviewable(uow: UnitOfWork, actor: Actor, commitment_id: int) -> tuple[Commitment, Member, Unit]:
    """A pending individual registration of a member in the actor's review scope, not the actor's own
    (Forbidden: a forged or stale button); otherwise NotFound."""
    cells, committees = await review_units(uow, actor)
    commitment = await uow.commitments.get(commitment_id)
    if (
        commitment is None
        or commitment.kind != CommitmentKind.INDIVIDUAL.value
        or commitment.status != CommitmentStatus.ACTIVE.value
        or commitment.review_state != ReviewState.PENDING.value
    ):
        raise NotFound(rv.REVIEW_GONE)
    member = await uow.members.get(commitment.member_id)
    in_scope = member is not None and (
        member.cell_id in cells or (member.cell_id is None and member.scope_unit_id in committees)
    )
    if member is None or not member.active or not in_scope:
        raise NotFound(rv.REVIEW_GONE)
    if member.id == actor.member_id:
        raise Forbidden(rv.REVIEW_OWN)
    return commitment, member, _unit_of(member.cell_id, member.scope_unit_id, cells, committees)


async def review_detail(uow: UnitOfWork, actor: Actor, commitment_id: int) -> ReviewDetail:
    c, member, cell = await reviewable(uow, actor, commitment_id)
    return ReviewDetail(
        c.id, member.full_name, member.position, cell.name, c.year, c.content, c.measures, c.deadline, c.review_comment
    )


async def approve_registration(uow: UnitOfWork, actor: Actor, commitment_id: int, now: datetime) -> Commitment:
    commitment, _, _ = await reviewable(uow, actor, commitment_id)
    _mark(commitment, ReviewState.APPROVED, None, actor, now)
    return commitment


async def return_registration(
    uow: UnitOfWork, actor: Actor, commitment_id: int, comment: str, now: datetime
) -> Commitment:
    commitment, _, _ = await reviewable(uow, actor, commitment_id)
    _mark(commitment, ReviewState.RETURNED, checked_text(comment, COMMENT_MIN, NOTE_MAX), actor, now)
    return commitment


def _mark(commitment: Commitment, state: ReviewState, comment: str | None, actor: Actor, now: datetime) -> None:
    commitment.review_state = state.value
    if comment is not None:
        commitment.review_comment = comment
    commitment.reviewed_by_member_id = actor.member_id
    commitment.reviewed_at = commitment.updated_at = now


async def resubmit_registration(uow: UnitOfWork, actor: Actor, commitment_id: int, now: datetime) -> Commitment:
    """The member sends a returned registration back for review (the last comment stays for the reviewer)."""
    commitment = await own_active_commitment(uow, actor, commitment_id)
    if commitment.review_state != ReviewState.RETURNED.value:
        raise InvalidInput(rv.NOT_RETURNED)
    commitment.review_state = ReviewState.PENDING.value
    commitment.updated_at = now
    return commitment


async def returned_registrations(uow: UnitOfWork, actor: Actor) -> list[Commitment]:
    return await uow.review.returned_for(actor.member_id)


def returned_notice_text(commitments: list[Commitment]) -> str:
    lines = [
        rv.RETURNED_LINE.format(content=shorten(c.content, NOTICE_CONTENT), comment=c.review_comment or "")
        for c in commitments
    ]
    return "\n".join([rv.RETURNED_HEADER, *lines])


def review_notice(commitment: Commitment) -> tuple[int, str]:
    """(member id, text) telling the member the result of the review: for an immediate message."""
    content = shorten(commitment.content, NOTICE_CONTENT)
    if commitment.review_state == ReviewState.RETURNED.value:
        text = rv.NOTICE_RETURNED.format(content=content, comment=commitment.review_comment or "")
    else:
        text = rv.NOTICE_APPROVED.format(content=content)
    return commitment.member_id, text


def review_state_label(commitment: Commitment) -> str:
    return rv.REVIEW_STATE_LABELS.get(commitment.review_state, commitment.review_state)
