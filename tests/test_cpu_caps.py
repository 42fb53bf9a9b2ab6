"""bench/cpu_caps.py on a stand-in /sys/fs/cgroup: what it writes for cgroup v1 and v2, and why it declines."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import cpu_caps
from bench.cpu_caps import CpuCaps


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_caps, "own_group", lambda version, controller="cpu", proc=None: "/")


def test_v1_writes_the_quota_for_the_period_and_moves_the_process(tmp_path: Path) -> None:
    hierarchy = tmp_path / "cpu"
    hierarchy.mkdir()
    (hierarchy / "cpu.cfs_quota_us").write_text("-1")
    caps = CpuCaps(0.25, root=tmp_path)
    assert caps.unavailable() == "" and caps.version == 1
    group = caps.cap(4242, "n1-1")
    assert group.parent == hierarchy
    assert (group / "cpu.cfs_period_us").read_text() == "100000"
    assert (group / "cpu.cfs_quota_us").read_text() == "25000"
    assert (group / "cgroup.procs").read_text() == "4242"


def test_v2_enables_the_controller_and_writes_cpu_max(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids")
    caps = CpuCaps(0.3, root=tmp_path)
    assert caps.unavailable() == "" and caps.version == 2
    group = caps.cap(4242, "n2-1")
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu"
    assert (group / "cpu.max").read_text() == "30000 100000"


def test_without_a_cpu_controller_it_says_why_and_makes_nothing(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("memory pids")
    caps = CpuCaps(0.25, root=tmp_path)
    assert caps.unavailable() and caps.version == 0
    with pytest.raises(RuntimeError):
        caps.cap(4242, "n1-1")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cgroup.controllers"]


def test_a_share_above_the_cores_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        CpuCaps(1000.0, root=tmp_path)
