"""`lamtheo run` as a subprocess for end-to-end tests, its output in files (a full pipe could block it)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import IO

LAMTHEO = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "lamtheo"


class BotProcess:
    def __init__(self, workdir: Path, env: dict[str, str], name: str, args: tuple[str, ...] = ("run",)) -> None:
        self.stdout_path = workdir / f"{name}.out"
        self.stderr_path = workdir / f"{name}.err"
        self._out: IO[bytes] = self.stdout_path.open("wb")
        self._err: IO[bytes] = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [str(LAMTHEO), *args], cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err
        )

    def output(self) -> str:
        return self.stdout_path.read_text("utf-8", "replace") + self.stderr_path.read_text("utf-8", "replace")

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM, then wait; returns the exit code (a hang fails the test)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the bot did not stop within {timeout}s of SIGTERM:\n{self.output()}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._out.close()
        self._err.close()


def run_cli(workdir: Path, env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`lamtheo ARGS` to completion; a non-zero exit fails the test with what it printed."""
    done = subprocess.run(
        [str(LAMTHEO), *args],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"lamtheo {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done
