"""SIGTERM and SIGHUP end warroom and everything it started within 2 s, stuck loop or not.

warroom runs in tmux with a log source that ignores SIGTERM and has started a helper that
left its process group with setsid (as daemons do). The signal comes from outside, as from
`kill` or a closed terminal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.paths import MINIMAL_PLAYBOOK, REPO
from tests.support.processes import pid_alive
from tests.support.tmux import Tmux

STUBBORN_SOURCE = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    helper = subprocess.Popen(
        [sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)"]
    )
    time.sleep(0.2)  # the helper is in its own session by now
    with open(sys.argv[1] + ".tmp", "w") as out:
        out.write(f"{os.getpid()} {helper.pid}")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        print("2026-12-03T03:00:00Z app[1] iad [info] still here", flush=True)
        time.sleep(0.2)
    """
)


PARENT = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    folder = Path(sys.argv[1])
    def put(name, text):  # whole or not at all: the test reads as soon as the file is there
        (folder / f"{name}.part").write_text(text)
        (folder / f"{name}.part").replace(folder / name)
    child = subprocess.Popen(sys.argv[2:])
    put("warroom.pid", str(child.pid))
    code = child.wait()
    put("status", str(code if code >= 0 else 128 - code))
    """
)


def playbook_with_stubborn_source(folder: Path) -> Path:
    source = folder / "stubborn.py"
    source.write_text(STUBBORN_SOURCE)
    minimal = MINIMAL_PLAYBOOK.read_text()
    command = f'command = ["{sys.executable}", "{source}", "{folder / "pids"}"]'
    text = minimal.replace('command = ["fly", "logs", "--app", "acme-api"]', command)
    text = text.replace("https://api.example.com/health", "http://127.0.0.1:9/health")
    text = text.replace("https://status.flyio.net", "http://127.0.0.1:9")
    playbook = folder / "playbook.toml"
    playbook.write_text(text)
    return playbook


def wait_until(condition: object, *, timeout: float, what: str) -> float:
    """Seconds until `condition()` held; a process ending gives no event to await here."""
    assert callable(condition)
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"never happened within {timeout} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("stuck", "signum", "status"),
    [
        (False, signal.SIGTERM, 0),
        (False, signal.SIGHUP, 0),
        (True, signal.SIGTERM, 128 + signal.SIGTERM),
    ],
)
def test_a_signal_ends_warroom_and_all_it_started(
    tmux: Tmux, tmp_path: Path, stuck: bool, signum: int, status: int
) -> None:
    playbook = playbook_with_stubborn_source(tmp_path)
    db = tmp_path / "incidents.db"
    environment = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
        "WARROOM_TEST_STALLED": str(tmp_path / "stalled"),
        "TERM": "xterm-256color",
    }
    args = ["--db", str(db), "--playbook", str(playbook)]
    subprocess.run(
        [sys.executable, "-m", "warroom", *args, "new", "--severity", "P1", "--title", "db down"],
        check=True,
        capture_output=True,
        env={**os.environ, **environment},
    )
    program = ["-m", "tests.support.stuck_warroom"] if stuck else ["-m", "warroom"]
    # The pane runs a parent that records warroom's pid and, once it ends, its exit status.
    command = ["env", "-u", "COLUMNS", "-u", "LINES", sys.executable, "-c", PARENT, str(tmp_path)]
    command += [sys.executable, *program, *args]
    env_args = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
    tmux.run("new-session", "-d", "-s", "war", "-x", "120", "-y", "40", *env_args, *command)
    pids = tmp_path / "pids"
    wait_until(pids.exists, timeout=30, what="the source and its helper started")
    source, helper = (int(pid) for pid in pids.read_text().split())
    if stuck:
        wait_until((tmp_path / "stalled").exists, timeout=30, what="the loop stuck")
    warroom = int((tmp_path / "warroom.pid").read_text())

    os.kill(warroom, signum)
    took = wait_until(
        lambda: not any(map(pid_alive, (warroom, source, helper))),
        timeout=5,
        what="warroom, its source and the source's setsid helper all gone",
    )
    assert took < 2.0
    exit_status = tmp_path / "status"
    wait_until(exit_status.exists, timeout=5, what="warroom's exit status, from its parent")
    assert exit_status.read_text() == str(status)
