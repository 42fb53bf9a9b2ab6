"""`lamtheo invite` (expiry, skipping linked members, --relink, --platform), `member accounts` and `member unlink`,
run in-process (main(argv)) on a temporary database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

from bot.cli import build_parser, main
from handlers.catalog import admin as a
from tests.support import EXAMPLE_CSV

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def stock_event_loop_afterwards() -> Iterator[None]:
    """main() installs uvloop's policy for the process; later tests get asyncio's own back."""
    yield
    asyncio.set_event_loop_policy(None)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "lamtheo_xa_bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("INVITE_TTL_DAYS", raising=False)
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    capsys.readouterr()
    return tmp_path


def sql(env: Path, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{env}/cli.db")
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        rows = [tuple(row) for row in result.all()] if result.returns_rows else []
    engine.dispose()
    return rows


def link(env: Path, member_code: str, platform: str, external_id: str) -> int:
    """A chat account as linking leaves it (written directly: the CLI tests have no chat)."""
    sql(
        env,
        "INSERT INTO chat_accounts (platform, external_id, member_id, linked_at, last_seen_at) "
        "SELECT :platform, :external, id, '2026-11-20 03:00:00', '2026-11-21 03:00:00' FROM members WHERE code = :code",
        platform=platform,
        external=external_id,
        code=member_code,
    )
    [(account_id,)] = sql(env, "SELECT id FROM chat_accounts WHERE external_id = :e", e=external_id)
    return int(str(account_id))


def invite_lines(out: str) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t") for line in out.splitlines() if line.startswith("DV")}


def test_the_new_subcommands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["member", "accounts"], ["member", "unlink"], ["invite"]):
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: lamtheo" in capsys.readouterr().out


def test_invite_prints_when_each_code_expires(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite", "--member", "DV001"]) == 0
    [line] = invite_lines(capsys.readouterr().out).values()
    expires = re.search(r"(\d\d/\d\d/\d{4} \d\d:\d\d)", line[4])
    assert expires is not None and line[4] == a.INVITE_EXPIRES.format(at=expires.group(1))
    when = datetime.strptime(expires.group(1), "%d/%m/%Y %H:%M").replace(tzinfo=HANOI)
    assert abs(when - (datetime.now(HANOI) + timedelta(days=14))) < timedelta(minutes=2)
    assert "https://t.me/lamtheo_xa_bot?start=" in line[5]


def test_invite_ttl_days_setting(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INVITE_TTL_DAYS", "3")
    assert main(["invite", "--member", "DV002"]) == 0
    [(created, expires)] = sql(
        env,
        "SELECT i.created_at, i.expires_at FROM invite_codes i JOIN members m ON m.id = i.member_id"
        " WHERE m.code = 'DV002'",
    )
    gap = datetime.fromisoformat(str(expires)) - datetime.fromisoformat(str(created))
    assert gap == timedelta(days=3)


def test_invite_skips_linked_members_unless_relink(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link(env, "DV001", "telegram", "123456789")
    assert main(["invite", "--unit", "Chi bộ thôn Đồng Tâm"]) == 0
    out = capsys.readouterr().out
    assert set(invite_lines(out)) == {"DV002", "DV003", "DV004", "DV005", "DV006", "DV001"}
    assert invite_lines(out)["DV001"][3] == a.INVITE_SKIPPED.format(platforms="Telegram")
    assert a.INVITE_COUNT.format(count=5, skipped=1) in out
    assert main(["invite", "--member", "DV001", "--relink"]) == 0
    relinked = invite_lines(capsys.readouterr().out)["DV001"]
    assert re.fullmatch(r"[A-Z2-9]{8}", relinked[3])
    assert main(["invite", "--member", "DV001", "--platform", "zalo"]) == 0
    zalo = invite_lines(capsys.readouterr().out)["DV001"]
    assert re.fullmatch(r"[A-Z2-9]{8}", zalo[3]) and zalo[3] != relinked[3]
    assert "t.me" not in "\t".join(zalo)  # a Zalo code: typed to the Zalo bot, no Telegram link
    assert sql(env, "SELECT platform FROM invite_codes WHERE code = :c", c=zalo[3]) == [("zalo",)]


def test_member_accounts_and_unlink(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["member", "accounts", "DV002"]) == 0
    assert a.ACCOUNTS_NONE in capsys.readouterr().out
    sql(env, "UPDATE members SET consent_at = '2026-11-20 03:00:00' WHERE code = 'DV002'")
    phone = link(env, "DV002", "telegram", "123456789")
    intruder = link(env, "DV002", "telegram", "987654321")
    assert main(["member", "accounts", "DV002"]) == 0
    out = capsys.readouterr().out
    assert "123456789" not in out and "987654321" not in out  # the operator sees a masked id
    assert f"#{phone}\tTelegram\t…6789\t" in out and f"#{intruder}\tTelegram\t…4321\t" in out
    assert "20/11/2026 10:00" in out and "21/11/2026 10:00" in out  # linked, last seen: local time
    assert main(["member", "unlink", "DV002", "--account", str(intruder)]) == 0
    assert a.ACCOUNT_UNLINKED.format(id=intruder, platform="Telegram", masked="…4321", code="DV002", told=1) in (
        capsys.readouterr().out
    )
    assert sql(env, "SELECT id FROM chat_accounts") == [(phone,)]
    assert main(["member", "unlink", "DV002", "--account", str(intruder)]) == 1
    assert a.ACCOUNT_UNKNOWN.format(code="DV002", id=intruder) in capsys.readouterr().err
    assert main(["member", "unlink", "DV001", "--account", str(phone)]) == 1  # not DV001's
    assert sql(env, "SELECT id FROM chat_accounts") == [(phone,)]
