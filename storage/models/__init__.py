"""Typed SQLAlchemy models, one module per area; everything is importable from here. The schema changes only
through an Alembic migration."""

from __future__ import annotations

from storage.models.accounts import ChatAccount, DialogStateRow, InviteCode, LinkFailure
from storage.models.base import Base, UtcDateTime
from storage.models.broadcasts import Broadcast, Delivery, MeetingSchedule, ReminderResponse
from storage.models.budget import RateBudgetRow
from storage.models.commitments import Commitment, Cycle, Evidence, ProgressEntry, SelfAssessment
from storage.models.figures import CellVersion
from storage.models.honours import Activity, Commendation, CommendationStep, ExemplarRegistration, ModelReplication
from storage.models.org import ConsentEvent, Member, MemberMove, Unit, UnitEvent
from storage.models.study import StudyAttendance, StudySession, Theme
from storage.models.transport import InboxUpdate, MessageQuota, ProcessedUpdate, StoredFile
from storage.models.web import WebLogin, WebSession

__all__ = [
    "Activity",
    "Base",
    "Broadcast",
    "CellVersion",
    "ChatAccount",
    "Commendation",
    "CommendationStep",
    "Commitment",
    "ConsentEvent",
    "Cycle",
    "Delivery",
    "DialogStateRow",
    "Evidence",
    "ExemplarRegistration",
    "InboxUpdate",
    "InviteCode",
    "LinkFailure",
    "MeetingSchedule",
    "Member",
    "MemberMove",
    "MessageQuota",
    "ModelReplication",
    "ProcessedUpdate",
    "ProgressEntry",
    "RateBudgetRow",
    "ReminderResponse",
    "SelfAssessment",
    "StoredFile",
    "StudyAttendance",
    "StudySession",
    "Theme",
    "Unit",
    "UnitEvent",
    "UtcDateTime",
    "WebLogin",
    "WebSession",
]
