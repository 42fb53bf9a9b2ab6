"""Build examples/roster.xlsx from examples/roster.csv (same content, Excel-friendly layout).

Run from the repository root:  .venv/bin/python examples/make_roster_xlsx.py
Every cell is written as text, so codes and phone numbers keep their leading zeros.
"""

import csv
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "roster.csv"
TARGET = HERE / "roster.xlsx"
SHEET_TITLE = "Danh sách đảng viên"
MIN_WIDTH = 10
MAX_WIDTH = 60
FIXED_TIMESTAMP = datetime(2025, 1, 1)  # keeps the document properties stable between runs


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]


def column_width(rows: list[list[str]], index: int) -> int:
    longest = max(len(row[index]) if index < len(row) else 0 for row in rows)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def build(rows: list[list[str]]) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    for values in rows:
        sheet.append(values)
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
        header_cell.alignment = Alignment(vertical="center")
    for sheet_row in sheet.iter_rows(min_row=2):
        for cell in sheet_row:
            cell.number_format = "@"  # text, so new phone numbers typed here keep their leading 0
    for index in range(len(rows[0])):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column_width(rows, index)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.creator = "lamtheo"
    workbook.properties.created = FIXED_TIMESTAMP
    return workbook


def main() -> int:
    rows = read_csv(SOURCE)
    build(rows).save(TARGET)
    print(f"{TARGET.name}: {len(rows) - 1} rows written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
