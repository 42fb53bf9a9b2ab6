"""The shipped deployment files parse: `caddy validate` on deploy/Caddyfile (with its defaults and with the
test's placeholders), `systemd-analyze verify` on an instance of the template. Each skips without its tool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT

DEPLOY = ROOT / "deploy"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False, env=env)


@pytest.mark.parametrize(
    "placeholders",
    [{}, {"LAMTHEO_SITE": "http://127.0.0.1:18080", "LAMTHEO_UPSTREAMS": "127.0.0.1:18081 127.0.0.1:18082"}],
)
def test_the_caddyfile_is_valid(tmp_path: Path, placeholders: dict[str, str]) -> None:
    if shutil.which("caddy") is None:
        pytest.skip("caddy is not installed (.ci/run installs it)")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), **placeholders}
    done = run("caddy", "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile", env=env)
    assert done.returncode == 0, done.stderr
    adapted = run("caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), env=env)
    upstreams = placeholders.get("LAMTHEO_UPSTREAMS", "127.0.0.1:8081 127.0.0.1:8082 127.0.0.1:8083").split()
    for upstream in upstreams:
        assert f'"dial":"{upstream}"' in adapted.stdout
    assert '"uri":"/healthz"' in adapted.stdout


def test_the_systemd_template_verifies(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    shutil.copy(DEPLOY / "lamtheo@.service", tmp_path / "lamtheo@.service")
    env = {**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"}
    done = run("systemd-analyze", "verify", str(tmp_path / "lamtheo@2.service"), env=env)
    complaints = [line for line in done.stderr.splitlines() if "lamtheo@" in line and "ignoring" in line]
    assert done.returncode == 0 and complaints == [], done.stderr
    unit = (DEPLOY / "lamtheo@.service").read_text("utf-8")
    for needed in ("Restart=always", "User=lamtheo", "ReadWritePaths=/var/lib/lamtheo", "EnvironmentFile="):
        assert needed in unit
