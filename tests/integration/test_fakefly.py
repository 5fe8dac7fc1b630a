"""The demo's fake `fly logs` (warroom.demo.fakefly), run as a process: its output parses."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from warroom.logs.buffer import LogBuffer
from warroom.safetext import strip_sgr


def test_fakefly_output_parses() -> None:
    argv = [sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "slurpy-backend"]
    out = subprocess.run(
        [*argv, "--count", "200", "--rate", "100000"],
        capture_output=True,
        check=True,
        env={"WARROOM_DEMO_EPOCH": str(datetime.now(UTC).timestamp() - 30), "PATH": ""},
        timeout=30,
    ).stdout
    buffer = LogBuffer()
    buffer.extend("backend", strip_sgr(out.decode()).splitlines())
    records = list(buffer.records())
    assert len(records) == 200
    assert all(r.time is not None for r in records)  # entries and continuations alike
    assert any(r.continued for r in records)  # the scenario's error burst has tracebacks
    assert any(r.level == "error" for r in records)
