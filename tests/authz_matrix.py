"""The authorisation matrix's actors, targets and who sees which cell's summary: the same expectations on the
router (tests/unit/test_authorization.py) and through the Zalo channel (tests/channels/test_zalo_authorization.py)."""

from __future__ import annotations

import pytest

from tests.chat import add_commitment
from tests.support import Database, FakeClock

ACTORS = {"member": "DV001", "secretary": "DV002", "committee": "DV025"}
TARGETS = {
    "own cell": ("Chi bộ thôn Đồng Tâm", "DV004"),
    "same committee": ("Chi bộ thôn Tân Lập", "DV009"),
    "other subtree": ("Chi bộ tổ dân phố Hồng Hà", "DV018"),
}
# Who sees a cell's summary.                 own cell  same committee  other subtree
SUMMARY_MATRIX = {
    "member": {"own cell": False, "same committee": False, "other subtree": False},
    "secretary": {"own cell": True, "same committee": False, "other subtree": False},
    "committee": {"own cell": True, "same committee": True, "other subtree": False},
}
SUMMARY_CASES = [
    pytest.param(role, target, visible, id=f"{role}-{target}-{'sees' if visible else 'refused'}")
    for role in ACTORS
    for target, visible in SUMMARY_MATRIX[role].items()
]


async def commitments_of_targets(db: Database, clock: FakeClock) -> dict[str, int]:
    """One commitment with some progress for each target member; returns target -> commitment id."""
    return {
        target: await add_commitment(db, clock, code, f"Nội dung của {code} ở {cell}", percent=30)
        for target, (cell, code) in TARGETS.items()
    }
