"""Roster files for tests: a large generated roster in the operator's CSV format."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["Mã đảng viên", "Họ và tên", "Chi bộ", "Đảng bộ", "Chức vụ", "Vai trò", "Số điện thoại"]


def write_big_roster(path: Path, committees: int, cells: int, per_cell: int) -> Path:
    """Tỉnh Lớn / Xã k / Chi bộ k-c, `per_cell` members a cell (a secretary and a deputy first), codes G00001…"""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        n = 0
        for k in range(committees):
            for c in range(cells):
                for i in range(per_cell):
                    n += 1
                    role = "bí thư" if i == 0 else "phó bí thư" if i == 1 else "đảng viên"
                    cell, committee = f"Chi bộ {k}-{c}", f"Tỉnh Lớn / Xã {k}"
                    writer.writerow([f"G{n:05d}", f"Đảng viên Số {n}", cell, committee, "Nông dân", role, f"09{n:08d}"])
    return path
