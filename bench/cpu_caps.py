"""A fixed CPU share per process, as if each ran on its own small machine: one cgroup per process with a CPU quota.

cgroup v1 (a writable `cpu` hierarchy): `cpu.cfs_quota_us` = share × `cpu.cfs_period_us`; cgroup v2 (a hierarchy
whose `cgroup.controllers` lists `cpu`): `cpu.max` = "quota period". The groups are made beside this process's own
cgroup, named after this process, and removed on close (a process still in one is moved back first). When neither
is writable (no privilege, a read-only /sys/fs/cgroup), `unavailable()` says why and nothing is made.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


def own_group(version: int, controller: str = "cpu", proc: Path = Path("/proc/self/cgroup")) -> str:
    """This process's cgroup (its path inside the hierarchy) in v1's `controller` hierarchy, or v2's (version 2)."""
    for line in proc.read_text().splitlines():
        _number, controllers, path = line.split(":", 2)
        if (version == 2 and controllers == "") or (version == 1 and controller in controllers.split(",")):
            return path
    return "/"


@dataclass
class CpuCaps:
    """Groups made for processes, each held to `share` of one core; `close()` removes them."""

    share: float
    root: Path = ROOT
    version: int = 0  # 1 or 2 once a writable hierarchy is found; 0: none
    base: Path | None = None  # where the groups are made
    home: Path | None = None  # this process's own group: where a process left in a group goes back on close
    reason: str = ""  # why there is no writable hierarchy
    groups: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0 < self.share <= (os.cpu_count() or 1):
            raise ValueError(f"a CPU share must be above 0 and at most the cores: {self.share}")
        self._find()

    def unavailable(self) -> str:
        """Empty when capping works; else why not (the capped series is skipped)."""
        return self.reason

    def _find(self) -> None:
        tried = []
        for name in ("cpu", "cpu,cpuacct"):  # v1: the cpu controller's hierarchy (sometimes mounted with cpuacct)
            hierarchy = self.root / name
            if (hierarchy / "cpu.cfs_quota_us").exists():
                base = hierarchy / own_group(1).lstrip("/")
                if os.access(base, os.W_OK):
                    self.version, self.base, self.home = 1, base, base
                    return
                tried.append(f"{base} is not writable")
        for hierarchy in (self.root, self.root / "unified"):  # v2: the unified hierarchy, with the cpu controller
            controllers = hierarchy / "cgroup.controllers"
            if controllers.exists() and "cpu" in controllers.read_text().split():
                home = hierarchy / own_group(2).lstrip("/")
                # A group with processes (but the root) cannot give its children a controller: siblings, then.
                parent = home.parent if home != hierarchy else home
                try:
                    (parent / "cgroup.subtree_control").write_text("+cpu")
                except OSError as error:
                    tried.append(f"{parent}/cgroup.subtree_control: {error.strerror}")
                    continue
                self.version, self.base, self.home = 2, parent, home
                return
        self.reason = "; ".join(tried) or f"no cgroup cpu controller under {self.root}"

    def cap(self, pid: int, label: str) -> Path:
        """Move process `pid` (all its threads) into a new group held to the share; returns the group."""
        if self.base is None:
            raise RuntimeError(f"CPU caps unavailable: {self.reason}")
        group = self.base / f"lamtheo-bench-{os.getpid()}-{label}"
        group.mkdir()
        self.groups.append(group)
        quota = round(self.share * PERIOD_US)
        if self.version == 1:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        (group / "cgroup.procs").write_text(str(pid))
        return group

    @staticmethod
    def throttled(group: Path) -> float:
        """The share of the group's scheduling periods in which it used its whole quota (0 to 1)."""
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines() if line.strip())
        periods = int(stat.get("nr_periods", 0))
        return int(stat.get("nr_throttled", 0)) / periods if periods else 0.0

    def close(self) -> None:
        """Remove the groups made (a process still in one goes back to the group this process is in)."""
        for group in reversed(self.groups):
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):  # gone meanwhile
                        (self.home or group.parent).joinpath("cgroup.procs").write_text(pid)
            with contextlib.suppress(OSError):
                group.rmdir()
        self.groups = [group for group in self.groups if group.exists()]

    def __enter__(self) -> CpuCaps:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
