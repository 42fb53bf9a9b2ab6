"""The operator's command line, run in-process (main(argv)) on a temporary database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from handlers.catalog import admin as a
from handlers.catalog import roster as ro
from tests.support import EXAMPLE_CSV, ROOT


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["run"], ["chat"], ["import-roster"], ["invite"], ["theme", "set"], ["db"]):
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: lamtheo" in capsys.readouterr().out


def test_a_bad_setting_is_one_clear_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "TIMEZONE" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "mysql://x/y"), ("TELEGRAM_BOT_TOKEN", "no-colon"), ("LOG_LEVEL", "LOUD")],
)
def test_each_bad_setting_names_its_variable(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["db", "upgrade"]) == 2
    assert name in capsys.readouterr().err


def test_import_dry_run_writes_nothing_then_import_is_idempotent(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-roster", str(EXAMPLE_CSV), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert ro.IMPORT_DRY_RUN in out and "+ DV001" in out
    assert main(["invite", "--member", "DV001"]) == 1  # nothing was written: DV001 is unknown
    assert a.MEMBER_UNKNOWN.format(code="DV001") in capsys.readouterr().err
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    assert "Đảng viên mới: 25" in capsys.readouterr().out
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    assert "Không đổi: 25" in capsys.readouterr().out


def test_bad_rows_are_reported_and_good_rows_still_import(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = env / "bad.csv"
    roster.write_text(
        "Mã đảng viên,Họ và tên,Chi bộ,Đảng bộ,Chức vụ,Vai trò,Số điện thoại\n"
        "X1,Nguyễn Văn Một,Chi bộ A,Đảng bộ xã Z,,đảng viên,\n"
        ",Không Có Mã,Chi bộ A,Đảng bộ xã Z,,đảng viên,\n"
        "X3,Trần Văn Ba,Chi bộ A,Đảng bộ xã Z,,chủ tịch,\n",
        encoding="utf-8",
    )
    assert main(["import-roster", str(roster)]) == 3
    captured = capsys.readouterr()
    assert "Dòng 3" in captured.err and "Dòng 4" in captured.err
    assert "Đảng viên mới: 1" in captured.out


def test_invites_codes_are_stable_until_used_and_theme_is_kept(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    capsys.readouterr()
    assert main(["invite", "--unit", "Chi bộ thôn Đồng Tâm"]) == 0
    first = capsys.readouterr()
    assert a.INVITE_NO_USERNAME in first.err
    codes = {line.split("\t")[0]: line.split("\t")[3] for line in first.out.splitlines() if line.startswith("DV")}
    assert set(codes) == {"DV001", "DV002", "DV003", "DV004", "DV005", "DV006"}
    assert main(["invite", "--member", "DV001"]) == 0
    assert codes["DV001"] in capsys.readouterr().out
    assert main(["theme", "set", "2026", "Chuyên đề năm 2026 về đạo đức công vụ"]) == 0
    assert main(["theme", "show", "2026"]) == 0
    assert "đạo đức công vụ" in capsys.readouterr().out


def test_invite_links_use_the_configured_username(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@lamtheo_xa_bot")
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    assert main(["invite", "--member", "DV002"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/lamtheo_xa_bot?start=" in out


def test_run_without_token_and_without_a_terminal_advises_and_fails(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "@BotFather" in done.stderr and "BotFather" in a.NO_TOKEN
    assert "Traceback" not in done.stderr


def test_chat_as_a_member_runs_the_flows_by_typing(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    capsys.readouterr()
    typed = "1\n/dangky\nTrồng 20 cây xanh ở nhà văn hóa thôn\nCùng chi đoàn thanh niên\n1\nkhong\n1\n/camket\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    assert main(["chat", "--as", "DV001"]) == 0
    out = capsys.readouterr().out
    assert "Trồng 20 cây xanh ở nhà văn hóa thôn" in out
    assert "Đã lưu bản đăng ký số 1" in out
    assert a.CONSOLE_BYE in out
