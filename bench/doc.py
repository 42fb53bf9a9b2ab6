"""What the benchmarks share: the machine they ran on, percentiles, and where each writes its results (its own
marked section of docs/PERFORMANCE.md)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {system}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def replace_section(doc: Path, section: str, start: str, end: str, heading: str = "") -> None:
    """Put `section` (which carries the `start` and `end` markers) in place of the one between those markers; without
    them, under `heading` when the document has it, else at the end (after `heading`, if any)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    elif heading and heading in text:
        before, rest = text.split(heading, 1)
        text = before + heading + "\n\n" + section + "\n" + rest
    else:
        text = text.rstrip() + "\n\n" + (heading + "\n\n" if heading else "") + section + "\n"
    doc.write_text(text, encoding="utf-8")
