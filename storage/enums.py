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
