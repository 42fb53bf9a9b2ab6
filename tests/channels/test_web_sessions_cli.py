"""`lamtheo web sessions [--revoke CODE]` in-process (main(argv)) on a temporary database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from handlers.catalog import web as w


@pytest.fixture(autouse=True)
def stock_event_loop_afterwards() -> Iterator[None]:
    yield
    asyncio.set_event_loop_policy(None)


def open_session(env: Path, code: str, digest: str) -> None:
    """A session row as a login leaves it (written directly: the CLI tests have no browser)."""
    engine = create_engine(f"sqlite:///{env}/cli.db")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO web_sessions (session_hash, member_id, role, scope_unit_id, created_at, expires_at) "
                "SELECT :digest, id, role, scope_unit_id, '2026-11-20 03:00:00', '2099-01-01 00:00:00' "
                "FROM members WHERE code = :code"
            ),
            {"digest": digest, "code": code},
        )
    engine.dispose()


def test_list_and_revoke(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "sessions"]) == 0
    assert capsys.readouterr().out.strip() == w.SESSIONS_NONE
    open_session(roster_env, "DV002", "a" * 64)
    open_session(roster_env, "DV025", "b" * 64)
    assert main(["web", "sessions"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["DV002", "DV025"]
    assert "bí thư chi bộ" in listed[0] and "20/11/2026 10:00" in listed[0] and "a" * 64 not in listed[0]
    assert main(["web", "sessions", "--revoke", "DV002"]) == 0
    assert capsys.readouterr().out.strip() == w.SESSIONS_REVOKED.format(count=1, code="DV002")
    assert main(["web", "sessions"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["DV025"]


def test_revoking_an_unknown_member(roster_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "sessions", "--revoke", "DV999"]) == 1
    assert w.MEMBER_UNKNOWN.format(code="DV999") in capsys.readouterr().err
