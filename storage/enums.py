"""Plain domain vocabularies shared by every floor (they import nothing)."""

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    SECRETARY = "secretary"
    DEPUTY = "deputy"
    COMMITTEE = "committee"

    @property
    def leads_cell(self) -> bool:
        return self in (Role.SECRETARY, Role.DEPUTY)


class UnitKind(StrEnum):
    COMMITTEE = "committee"
    CELL = "cell"


class Platform(StrEnum):
    TELEGRAM = "telegram"
    ZALO = "zalo"
    CONSOLE = "console"


class CommitmentStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class CommitmentKind(StrEnum):
    INDIVIDUAL = "individual"  # a member's own deed
    COLLECTIVE = "collective"  # a commitment of the cell (tập thể)
    MODEL = "model"  # a named model (mô hình) run by the cell


class ReviewState(StrEnum):
    PENDING = "pending"  # registered, waiting for the secretary
    APPROVED = "approved"
    RETURNED = "returned"  # sent back with a comment; the member revises and resubmits


class AssessmentResult(StrEnum):
    DONE = "done"  # hoàn thành
    PARTIAL = "partial"  # hoàn thành một phần
    NOT_DONE = "not_done"  # chưa hoàn thành


class BroadcastKind(StrEnum):
    PROGRESS_REMINDER = "progress_reminder"
    REGISTER_REMINDER = "register_reminder"
    DIGEST = "digest"  # the secretary's cell summary the day before the meeting
    ANNOUNCEMENT = "announcement"  # /thongbao
    NOTICE = "notice"  # a one-off message to one member (approval result, a snoozed reminder...)
    SECURITY = "security"  # a device linked or unlinked: to one chat account, at once, even in quiet hours


class BroadcastState(StrEnum):
    PENDING = "pending"  # created; recipients not yet expanded into deliveries
    SENDING = "sending"
    DONE = "done"
    MISSED = "missed"  # its firing came back later than the grace: recorded, shown, not sent


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # handed to the platform; a crash leaves it here, and it becomes UNKNOWN
    SENT = "sent"
    BLOCKED = "blocked"  # the member blocked the bot (Telegram 403): not retried
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request went out but no answer came: reported, not re-sent blindly
    SKIPPED = "skipped"  # no reachable chat account, paused, or superseded


class NomineeKind(StrEnum):
    """Who an exemplar registration or a commendation is about (issue 13)."""

    INDIVIDUAL = "individual"  # a member (cá nhân)
    COLLECTIVE = "collective"  # the cell (tập thể)


class CommendationState(StrEnum):
    PENDING = "pending"  # waiting for the staff of `level_unit_id`
    COMMENDED = "commended"  # decided: biểu dương or khen thưởng
    RETURNED = "returned"  # back with the proposer, with a comment
    WITHDRAWN = "withdrawn"  # the proposer took it back


class CommendationForm(StrEnum):
    PRAISE = "praise"  # biểu dương
    REWARD = "reward"  # khen thưởng


class CommendationAction(StrEnum):
    """A recorded step of a commendation: who did what, where, when."""

    PROPOSED = "proposed"
    RESUBMITTED = "resubmitted"
    FORWARDED = "forwarded"  # proposed to the level above
    RETURNED = "returned"
    COMMENDED = "commended"
    WITHDRAWN = "withdrawn"


class ActivityKind(StrEnum):
    """Activities beyond study sessions, counted in roll-ups."""

    CONTEST = "contest"  # hội thi
    SEMINAR = "seminar"  # tọa đàm
    WRITING = "writing"  # cuộc thi viết
    OTHER = "other"
