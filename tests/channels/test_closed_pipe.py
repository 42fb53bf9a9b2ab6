"""`lamtheo ... | head`: a reader that goes away ends the command quietly, with the status Unix tools give."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.cli import EXIT_CLOSED_PIPE
from tests.processes import LAMTHEO


def closed_early(workdir: Path, *args: str) -> tuple[int, str]:
    """Run `lamtheo ARGS` with its standard output a pipe whose reading end is closed before it writes."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/cli.db"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    proc = subprocess.Popen(
        [str(LAMTHEO), *args],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone (as `head` is after its lines) before the command prints a thing
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode()


@pytest.mark.parametrize("args", [("invite",), ("member", "export", "DV001")])
def test_a_closed_pipe_ends_the_command_quietly(roster_env: Path, args: tuple[str, ...]) -> None:
    status, err = closed_early(roster_env, *args)
    assert status == EXIT_CLOSED_PIPE == 141
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_head_gets_its_lines_and_the_command_ends_quietly(roster_env: Path) -> None:
    """`lamtheo invite | head -n 2`, as a shell runs it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{roster_env}/cli.db"}
    lamtheo = subprocess.Popen(
        [str(LAMTHEO), "invite"], cwd=roster_env, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert lamtheo.stdout is not None
    head = subprocess.run(["head", "-n", "2"], stdin=lamtheo.stdout, capture_output=True, text=True, timeout=60)
    lamtheo.stdout.close()  # only head reads it now
    _, err = lamtheo.communicate(timeout=60)
    assert len(head.stdout.splitlines()) == 2
    assert lamtheo.returncode in (0, EXIT_CLOSED_PIPE)  # 0 when it had written everything before head left
    assert "Traceback" not in err.decode(), err
