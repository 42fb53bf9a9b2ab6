"""The unit of work: one transaction; `async with uow:` rolls back unless `commit()` was called.

`async with uow_factory().read_only() as uow:` is a transaction that only reads (dry runs, health checks, file
downloads): the database refuses its writes, and on SQLite it never waits for the write lock.
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import READ_ONLY_OPTIONS
from storage.repo_accounts import AccountRepository, InviteRepository
from storage.repo_budget import RateBudgetRepository
from storage.repo_commitments import CommitmentRepository
from storage.repo_deliveries import DeliveryRepository
from storage.repo_dialogs import DialogRepository
from storage.repo_evidence import EvidenceRepository
from storage.repo_figures import FiguresRepository, memo_of
from storage.repo_files import FileRepository
from storage.repo_honours import HonoursRepository
from storage.repo_inbox import InboxRepository
from storage.repo_members import MemberRepository
from storage.repo_org import OrgRepository
from storage.repo_personal import PersonalDataRepository
from storage.repo_quota import QuotaRepository
from storage.repo_redact import RedactionRepository
from storage.repo_reminders import ReminderRepository
from storage.repo_reports import ReportsRepository
from storage.repo_review import AssessmentRepository, ReviewRepository, StudyRepository
from storage.repo_stats import StatsRepository
from storage.repo_themes import ThemeRepository
from storage.repo_units import UnitRepository
from storage.repo_updates import UpdateLog
from storage.repo_web import WebRepository

log = logging.getLogger(__name__)


class UnitOfWork:
    units: UnitRepository
    members: MemberRepository
    accounts: AccountRepository
    invites: InviteRepository
    themes: ThemeRepository
    commitments: CommitmentRepository
    dialogs: DialogRepository
    updates: UpdateLog
    stats: StatsRepository
    quota: QuotaRepository
    evidence: EvidenceRepository
    inbox: InboxRepository
    files: FileRepository
    review: ReviewRepository
    assessments: AssessmentRepository
    study: StudyRepository
    org: OrgRepository
    personal: PersonalDataRepository
    reports: ReportsRepository
    reminders: ReminderRepository
    deliveries: DeliveryRepository
    honours: HonoursRepository
    redaction: RedactionRepository
    figures: FiguresRepository
    web: WebRepository
    budget: RateBudgetRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._read_only = False

    def read_only(self) -> Self:
        """Make this a read-only transaction (before `async with`)."""
        self._read_only = True
        return self

    async def __aenter__(self) -> Self:
        session = self._session = self._sessions()
        if self._read_only:
            await session.connection(execution_options=READ_ONLY_OPTIONS)
        self.units = UnitRepository(session)
        self.members = MemberRepository(session)
        self.accounts = AccountRepository(session)
        self.invites = InviteRepository(session)
        self.themes = ThemeRepository(session)
        self.commitments = CommitmentRepository(session)
        self.dialogs = DialogRepository(session)
        self.updates = UpdateLog(session)
        self.stats = StatsRepository(session)
        self.quota = QuotaRepository(session)
        self.evidence = EvidenceRepository(session)
        self.inbox = InboxRepository(session)
        self.files = FileRepository(session)
        self.reports = ReportsRepository(session)
        self.review = ReviewRepository(session)
        self.assessments = AssessmentRepository(session)
        self.study = StudyRepository(session)
        self.org = OrgRepository(session)
        self.personal = PersonalDataRepository(session)
        self.reminders = ReminderRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.honours = HonoursRepository(session)
        self.redaction = RedactionRepository(session)
        self.figures = FiguresRepository(session, memo_of(self._sessions))
        self.web = WebRepository(session)
        self.budget = RateBudgetRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        session, self._session = self._session, None
        # close() rolls back whatever was not committed and detaches the objects with their loaded
        # values intact (rollback() would expire them, and a caller reading one afterwards would fail).
        try:
            await session.close()
        except Exception as error:
            if exc_type is None or not issubclass(exc_type, asyncio.CancelledError):
                raise
            # Cut off mid-statement, the connection may fail to close too (the pool discards it). Its error must
            # not take the cancel's place: a worker catching errors to retry would go on instead of stopping.
            log.warning("closing a cancelled unit of work failed: %s", type(error).__name__)

    async def ping(self) -> None:
        """A trivial query: the database answers."""
        assert self._session is not None, "ping() outside 'async with uow:'"
        await self._session.execute(select(1))

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside 'async with uow:'"
        await self._session.commit()
        self.figures.forget_versions()  # this commit replaced some: what is read next is read again

    async def rollback(self) -> None:
        assert self._session is not None
        await self._session.rollback()
        self.figures.forget_versions()
