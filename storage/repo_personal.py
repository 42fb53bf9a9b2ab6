"""Everything stored about one member, and erasing it when they withdraw consent.

Nothing here commits. Rows that carry numbers for reports (commitments, progress entries,
self-assessments, attendance) stay; their free texts are cleared.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import DeliveryStatus
from storage.models import (
    ChatAccount,
    Commitment,
    Delivery,
    DialogStateRow,
    Evidence,
    InviteCode,
    LinkFailure,
    Member,
    MemberMove,
    ProgressEntry,
    ReminderResponse,
    SelfAssessment,
    StoredFile,
    StudyAttendance,
    StudySession,
)
from storage.repo_base import Repo

ACCOUNT_REMOVED = "chat account unlinked"


class PersonalDataRepository(Repo):
    # Chat accounts deleted in this unit of work: the router must not save a dialog state for them.
    unlinked_account_ids: set[int]

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.unlinked_account_ids = set()

    # --- reading -----------------------------------------------------------------------------------------
    async def commitments_of(self, member_id: int) -> list[Commitment]:
        """Every commitment the member registered (withdrawn ones too, collective ones they entered)."""
        stmt = select(Commitment).where(Commitment.member_id == member_id)
        return await self._scalars(stmt.order_by(Commitment.year, Commitment.id))

    async def progress_of(self, commitment_ids: list[int]) -> list[ProgressEntry]:
        if not commitment_ids:
            return []
        stmt = select(ProgressEntry).where(ProgressEntry.commitment_id.in_(commitment_ids))
        return await self._scalars(stmt.order_by(ProgressEntry.created_at, ProgressEntry.id))

    async def evidence_of(self, commitment_ids: list[int]) -> list[Evidence]:
        if not commitment_ids:
            return []
        stmt = select(Evidence).where(Evidence.commitment_id.in_(commitment_ids))
        return await self._scalars(stmt.order_by(Evidence.created_at, Evidence.id))

    async def assessments_of(self, commitment_ids: list[int]) -> list[SelfAssessment]:
        if not commitment_ids:
            return []
        stmt = select(SelfAssessment).where(SelfAssessment.commitment_id.in_(commitment_ids))
        return await self._scalars(stmt)

    async def attendance_of(self, member_id: int) -> list[tuple[StudyAttendance, StudySession]]:
        stmt = (
            select(StudyAttendance, StudySession)
            .join(StudySession, StudySession.id == StudyAttendance.session_id)
            .where(StudyAttendance.member_id == member_id)
            .order_by(StudySession.held_on, StudySession.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def moves_of(self, member_id: int) -> list[MemberMove]:
        stmt = select(MemberMove).where(MemberMove.member_id == member_id)
        return await self._scalars(stmt.order_by(MemberMove.moved_at, MemberMove.id))

    async def reminder_responses_of(self, member_id: int) -> list[ReminderResponse]:
        stmt = select(ReminderResponse).where(ReminderResponse.member_id == member_id)
        return await self._scalars(stmt.order_by(ReminderResponse.created_at, ReminderResponse.id))

    # --- erasing -----------------------------------------------------------------------------------------
    async def unlink_accounts(self, member_id: int) -> list[int]:
        """Delete the member's chat accounts (see remove_accounts) and their invite codes."""
        accounts: list[ChatAccount] = await self._scalars(select(ChatAccount).where(ChatAccount.member_id == member_id))
        touched = await self.remove_accounts(accounts)
        await self.session.execute(delete(InviteCode).where(InviteCode.member_id == member_id))
        await self.session.flush()
        return touched

    async def remove_accounts(self, accounts: list[ChatAccount]) -> list[int]:
        """Delete chat accounts with their dialog states and link failures; messages still waiting for them are
        skipped (never sent to a chat that is no longer the member's). Returns the broadcasts of those messages.

        Deleted through the session (not bulk statements) so objects the router already loaded for
        this update are deleted rather than updated.
        """
        ids = [account.id for account in accounts]
        if not ids:
            return []
        for row in await self._scalars(select(DialogStateRow).where(DialogStateRow.account_id.in_(ids))):
            await self.session.delete(row)
        await self.session.execute(
            update(InviteCode).where(InviteCode.used_by_account_id.in_(ids)).values(used_by_account_id=None)
        )
        waiting = (Delivery.account_id.in_(ids), Delivery.status == DeliveryStatus.PENDING.value)
        touched = list((await self.session.scalars(select(Delivery.broadcast_id).where(*waiting).distinct())).all())
        await self.session.execute(
            update(Delivery).where(*waiting).values(status=DeliveryStatus.SKIPPED.value, error=ACCOUNT_REMOVED)
        )
        await self.session.execute(update(Delivery).where(Delivery.account_id.in_(ids)).values(account_id=None))
        for account in accounts:
            await self.session.execute(
                delete(LinkFailure).where(
                    LinkFailure.platform == account.platform, LinkFailure.external_id == account.external_id
                )
            )
        await self.session.flush()
        for account in accounts:
            await self.session.delete(account)
        await self.session.flush()
        self.unlinked_account_ids.update(ids)
        return touched

    async def erase_free_texts(self, member: Member, placeholder: str, now: datetime) -> None:
        """Clear what the member wrote, keep the numbers: percents, dates, statuses, results."""
        commitment_ids = select(Commitment.id).where(Commitment.member_id == member.id)
        own = select(Commitment.id).where(Commitment.member_id == member.id, Commitment.kind == "individual")
        await self.session.execute(
            update(Commitment)
            .where(Commitment.id.in_(own))
            .values(content=placeholder, measures=placeholder, review_comment=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        # Notes on progress the member entered themselves, even on a collective commitment.
        await self.session.execute(
            update(ProgressEntry)
            .where(ProgressEntry.entered_by_member_id == member.id)
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(ProgressEntry)
            .where(ProgressEntry.commitment_id.in_(own))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(SelfAssessment)
            .where(SelfAssessment.commitment_id.in_(commitment_ids))
            .values(cause=None, remedy=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(delete(Evidence).where(Evidence.commitment_id.in_(own)))
        await self.session.execute(
            update(ReminderResponse)
            .where(ReminderResponse.member_id == member.id)
            .values(reason=None)
            .execution_options(synchronize_session=False)
        )
        # Messages the bot queued for the member may quote their name: keep the delivery counts, not the text.
        await self.session.execute(
            update(Delivery)
            .where(Delivery.member_id == member.id)
            .values(text="")
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(delete(StoredFile).where(StoredFile.member_id == member.id))
        await self.session.flush()

    async def delete_files_seen_by_leaders(self, unit_path: str) -> int:
        """Delete the reports generated for those who lead the unit at `unit_path` or a unit above it: they may
        list the member (Excel sheets, the draft's exemplars). Their links then answer that the file is gone."""
        above = [int(part) for part in unit_path.strip("/").split("/") if part]
        leaders = select(Member.id).where(Member.scope_unit_id.in_(above))
        result = await self.session.execute(delete(StoredFile).where(StoredFile.member_id.in_(leaders)))
        return int(getattr(result, "rowcount", 0) or 0)
