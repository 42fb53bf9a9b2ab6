"""The version of each unit's figures, for the roll-up's per-cell cache (migration 0007_cell_figures)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CellVersion(Base):
    """A token replaced, in the same transaction, by every write that changes what a unit's figures read
    (storage/figure_versions.py). A unit without a row has version 0. `unit_id` 0 is the version of everything:
    a write whose cells cannot be told changes it, and every cached figure depends on it."""

    __tablename__ = "cell_versions"

    unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # no foreign key: 0 is no unit
    version: Mapped[int] = mapped_column(BigInteger)
