"""The operator's organisation and personal-data commands, run in-process (main(argv)) on a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli import build_parser, main
from handlers.catalog import org as o

PROVINCE = "Đảng bộ tỉnh Hòa Bình Xanh"
THANH_SON = "Đảng bộ xã Thanh Sơn"
TAN_LAP = "Chi bộ thôn Tân Lập"
DONG_TAM = "Chi bộ thôn Đồng Tâm"


def query(env: Path, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{env}/cli.db")
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql)).all()]
    engine.dispose()
    return rows


def test_the_new_subcommands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["unit", "merge"], ["unit", "move"], ["unit", "dissolve"], ["member", "export"]):
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([*command, "--help"])
        assert exit_info.value.code == 0
        assert "--dry-run" in capsys.readouterr().out or command[0] == "member"


def test_merge_dry_run_then_merge(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = query(roster_env, "SELECT id, cell_id, scope_unit_id FROM members ORDER BY id")
    assert main(["unit", "merge", TAN_LAP, "--into", DONG_TAM, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert o.CHANGE_DRY_RUN in out and "DV009\tĐặng Văn Khánh" in out
    assert o.CHANGE_MEMBERS.format(target=f"{PROVINCE} / {THANH_SON} / {DONG_TAM}", count=5) in out
    assert query(roster_env, "SELECT id, cell_id, scope_unit_id FROM members ORDER BY id") == before
    assert query(roster_env, "SELECT count(*) FROM unit_events") == [(0,)]
    assert main(["unit", "merge", TAN_LAP, "--into", DONG_TAM]) == 0
    out = capsys.readouterr().out
    assert o.CHANGE_DONE in out and o.CHANGE_DRY_RUN not in out
    assert query(roster_env, "SELECT count(*) FROM member_moves") == [(5,)]
    assert query(roster_env, "SELECT action, members_moved FROM unit_events") == [("merge", 5)]
    assert main(["unit", "merge", TAN_LAP, "--into", DONG_TAM]) == 1  # again: Tân Lập is inactive now
    assert o.UNIT_INACTIVE.format(name=f"{PROVINCE} / {THANH_SON} / {TAN_LAP}") in capsys.readouterr().err


def test_move_and_its_refusals(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unit", "move", "Đảng bộ phường Hồng Phong", "--to", THANH_SON]) == 0
    out = capsys.readouterr().out
    assert o.CHANGE_PATHS.format(count=3) in out
    [(path,)] = query(roster_env, "SELECT path FROM units WHERE name = 'Chi bộ tổ dân phố Hồng Hà'")
    [(thanh_son_path,)] = query(roster_env, f"SELECT path FROM units WHERE name = '{THANH_SON}'")
    assert str(path).startswith(str(thanh_son_path))
    assert main(["unit", "move", THANH_SON, "--to", "Đảng bộ phường Hồng Phong"]) == 1
    assert "trực thuộc nó" in capsys.readouterr().err


def test_an_ambiguous_unit_name_lists_the_candidates(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    twin = roster_env / "twin.csv"
    twin.write_text(
        "Mã đảng viên,Họ và tên,Chi bộ,Đảng bộ,Chức vụ,Vai trò,Số điện thoại\n"
        f"X1,Nguyễn Văn Một,{DONG_TAM},{PROVINCE} / Đảng bộ phường Hồng Phong,,đảng viên,\n",
        encoding="utf-8",
    )
    assert main(["import-roster", str(twin)]) == 0
    capsys.readouterr()
    assert main(["unit", "merge", DONG_TAM, "--into", TAN_LAP, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{PROVINCE} / {THANH_SON} / {DONG_TAM}" in err
        and f"{PROVINCE} / Đảng bộ phường Hồng Phong / {DONG_TAM}" in err
    )
    assert (
        main(["unit", "merge", f"Đảng bộ phường Hồng Phong / {DONG_TAM}", "--into", "Chi bộ tổ dân phố Hồng Hà"]) == 0
    )
    assert "X1\tNguyễn Văn Một" in capsys.readouterr().out


def test_member_export_to_a_file_and_to_stdout(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = roster_env / "dv001.json"
    assert main(["member", "export", "dv001", "--out", str(out)]) == 0
    assert o.EXPORT_WRITTEN.format(code="dv001", path=out) in capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["code"], data["full_name"], data["phone"]) == ("DV001", "Nguyễn Văn An", "0900000001")
    assert data["cell"] == f"{PROVINCE} / {THANH_SON} / {DONG_TAM}"
    assert data["commitments"] == [] and data["accounts"] == []
    assert "Nguyễn Văn An" in out.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    assert main(["member", "export", "DV002"]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "secretary"
    assert main(["member", "export", "DV999"]) == 1
    assert o.MEMBER_UNKNOWN.format(code="DV999") in capsys.readouterr().err


def test_member_anonymise(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [(member_id,)] = query(roster_env, "SELECT id FROM members WHERE code = 'DV006'")
    assert main(["member", "anonymise", "DV006"]) == 0
    token = f"AN-{member_id}"
    assert o.ANONYMISED.format(code="DV006", token=token) in capsys.readouterr().out
    found = query(roster_env, f"SELECT code, full_name, phone FROM members WHERE id = {member_id}")
    assert found == [(token, token, None)]
    assert query(roster_env, f"SELECT action FROM consent_events WHERE member_id = {member_id}") == [("withdrawn",)]
    assert main(["member", "export", token]) == 0
    assert json.loads(capsys.readouterr().out)["anonymised_at"] is not None
    assert main(["member", "anonymise", token]) == 1
