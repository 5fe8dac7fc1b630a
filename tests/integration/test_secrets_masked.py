"""Values from `${VAR}` never reach a reason, a detail, a status line or `warroom check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import MINIMAL_PLAYBOOK
from warroom.health.monitor import HealthMonitor
from warroom.playbook import load_playbook

SECRET = "s3cr3t-t0ken"


def playbook_with_secret_url(folder: Path) -> Path:
    text = MINIMAL_PLAYBOOK.read_text().replace(
        "https://api.example.com/health",
        "http://ops:${WARROOM_TEST_SECRET}@127.0.0.1:9/health?token=${WARROOM_TEST_SECRET}",
    )
    path = folder / "playbook.toml"
    path.write_text(text.replace("https://status.flyio.net", "http://127.0.0.1:9"))
    return path


async def test_a_secret_in_a_url_is_masked_in_the_reason_and_the_detail(tmp_path: Path) -> None:
    playbook = load_playbook(
        playbook_with_secret_url(tmp_path), env={"WARROOM_TEST_SECRET": SECRET}
    )
    assert SECRET in playbook.services[0].url and SECRET in playbook.secrets
    async with HealthMonitor.from_playbook(playbook) as monitor:
        samples = await monitor.poll_once()
    api = next(sample for sample in samples if sample.target == "api")
    assert SECRET not in api.reason and SECRET not in api.detail
    assert "ops:•••@127.0.0.1:9/health?token=•••" in api.detail


def test_warroom_check_never_prints_the_secret(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "--playbook", str(playbook_with_secret_url(tmp_path)),
         "check", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WARROOM_TEST_SECRET": SECRET},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_an_export_never_carries_the_secret(tmp_path: Path) -> None:
    playbook, db = playbook_with_secret_url(tmp_path), tmp_path / "incidents.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "warroom", "--playbook", str(playbook), "--db", str(db), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "WARROOM_TEST_SECRET": SECRET},
        )

    incident_id = run("new", "--severity", "P1", "--title", "Down").stdout.strip()
    # Someone pasted the URL, secret and all, into a note: the export still masks it.
    assert run("note", incident_id, f"curl http://ops:{SECRET}@127.0.0.1:9/health").returncode == 0
    for export_format in ("markdown", "json"):
        result = run("export", incident_id, "--format", export_format)
        assert result.returncode == 0, result.stderr
        assert SECRET not in result.stdout and "•••" in result.stdout
