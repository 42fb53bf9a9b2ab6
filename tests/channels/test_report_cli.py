"""`lamtheo report --unit NAME --period P --out FILE.xlsx`, run in-process on a temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from handlers.catalog import org as o
from handlers.catalog import reports as rp
from tests.report_world import LEADING_SHEETS


def test_report_of_a_committee_for_a_quarter(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = roster_env / "thanh-son.xlsx"
    capsys.readouterr()
    assert main(["report", "--unit", "đảng bộ xã thanh sơn", "--period", "2026-Q4", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    written = rp.CLI_REPORT_WRITTEN.format(unit="Đảng bộ xã Thanh Sơn", period="quý 4/2026", path=out, sheets=7)
    assert said.strip() == written
    book = load_workbook(out)
    assert book.sheetnames[0] == rp.SHEET_ROLLUP
    totals = [list(row) for row in book[rp.SHEET_ROLLUP].iter_rows(values_only=True)][-1]
    assert totals[1] == rp.XL_TOTAL and totals[2] == 15  # DV001..DV015; DV025 (committee staff) has no cell


@pytest.mark.parametrize("period", ["2026", "2026-11", "01/10/2026-31/10/2026"])
def test_report_period_forms(roster_env: Path, period: str) -> None:
    out = roster_env / "dong-tam.xlsx"
    assert main(["report", "--unit", "Chi bộ thôn Đồng Tâm", "--period", period, "--out", str(out)]) == 0
    assert load_workbook(out).sheetnames == [*LEADING_SHEETS, "Chi bộ thôn Đồng Tâm"]


def test_report_errors_are_one_clear_line(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = roster_env / "x.xlsx"
    capsys.readouterr()
    assert main(["report", "--unit", "Chi bộ không có", "--period", "2026", "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == o.UNIT_UNKNOWN.format(name="Chi bộ không có")
    dong_tam = ["report", "--unit", "Chi bộ thôn Đồng Tâm", "--out", str(out)]
    assert main([*dong_tam, "--period", "31/02/2026-01/03/2026"]) == 1
    assert capsys.readouterr().err.strip() == rp.PERIOD_BAD_DATE.format(text="31/02/2026")
    assert main([*dong_tam, "--period", "2026-13"]) == 1
    assert capsys.readouterr().err.strip() == rp.CLI_PERIOD_BAD.format(text="2026-13")
    assert not out.exists()


def test_report_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import build_parser

    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["report", "--help"])
    assert exit_info.value.code == 0
    said = capsys.readouterr().out
    assert "usage: lamtheo report" in said and "2026-Q4" in said
