"""The processes tests start: warroom as a user runs it, and whether one is still there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import SHIPPED_PLAYBOOK


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie awaiting its reaper is dead for our purposes."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def warroom(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`warroom ARGS [--db DB]` as a real process on the shipped playbook; `env` adds to it,
    `cwd` is where it runs (default: here)."""
    command = [sys.executable, "-m", "warroom", *args]
    if db is not None:
        command += ["--db", str(db)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK), **(env or {})},
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
