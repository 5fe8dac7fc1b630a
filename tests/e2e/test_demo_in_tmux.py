"""`warroom demo` in a real terminal: tmux runs it, we read the screen like a person would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.support.tmux import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def start(tmux: Tmux, tmp_path: Path, *args: str, marker: str = "", window: str = "") -> None:
    """Run warroom in a new session "war", or in a new window of it named `window`."""
    environment = {
        "WARROOM_TEST_MARKER": marker,
        "HOME": os.environ["HOME"],
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    # COLUMNS/LINES in the test runner's environment would override the pane's real size.
    command = ["env", "-u", "COLUMNS", "-u", "LINES", sys.executable, "-m", "warroom", *args]
    env_args = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
    if window:
        where = ["new-window", "-t", "war", "-n", window]
    else:
        where = ["new-session", "-d", "-s", "war", "-x", "100", "-y", "30"]
    tmux.run(*where, *env_args, "-c", str(tmp_path), *command)


def test_demo_shows_the_four_regions_and_quits_cleanly(tmux: Tmux, tmp_path: Path) -> None:
    start(tmux, tmp_path, "demo", "--db", str(tmp_path / "demo.db"))
    titles = ("╭─ 1 Health", "╭─ 2 Logs", "╭─ 3 Checklist", "╭─ 4 Timeline")
    shown = tmux.wait_for(
        lambda s: all(t in s for t in titles) and "Detection" in s, what="the four regions"
    )
    header = shown.splitlines()[0]
    assert "INC-" in header and "P1 High" in header
    assert "Declared P1" in shown  # the timeline reads the store
    # The demo's world starts serving once this first screen is out: every target answers.
    tmux.wait_for(
        lambda s: "health " in s.splitlines()[0] and "unknown" not in s.splitlines()[0],
        what="every target's first answer in the header",
    )
    tmux.run("send-keys", "-t", "war", "q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if (
            "war"
            not in subprocess.run(
                tmux.command("list-sessions", "-F", "#S"),
                capture_output=True,
                text=True,
            ).stdout.split()
        ):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("warroom did not quit on q")


def processes_marked(marker: str) -> list[int]:
    """Processes whose environment carries `marker` (children inherit it)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"WARROOM_TEST_MARKER={marker}".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def test_closing_the_terminal_leaves_no_log_process_behind(tmux: Tmux, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    start(tmux, tmp_path, "demo", "--db", str(tmp_path / "demo.db"), marker=marker)
    tmux.wait_for(lambda s: "╭─ 2 Logs" in s, what="the war room")
    deadline = time.monotonic() + 20
    while len(processes_marked(marker)) < 4:  # warroom + one fake `fly logs` per app
        assert time.monotonic() < deadline, "log sources never started"
        time.sleep(0.1)
    tmux.run("kill-server")  # the terminal goes away: SIGHUP
    deadline = time.monotonic() + 15
    while processes_marked(marker):
        left = {pid: _command_line(pid) for pid in processes_marked(marker)}
        assert time.monotonic() < deadline, f"left behind: {left}"
        time.sleep(0.1)


def test_two_terminals_on_one_incident_see_each_others_notes(tmux: Tmux, tmp_path: Path) -> None:
    db = str(tmp_path / "incidents.db")
    declared = subprocess.run(
        [
            sys.executable,
            "-m",
            "warroom",
            "new",
            "--severity",
            "P1",
            "--title",
            "Pairing",
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    incident_id = declared.stdout.strip()
    start(tmux, tmp_path, "open", incident_id, "--db", db, "--as", "alice")
    start(tmux, tmp_path, "open", incident_id, "--db", db, "--as", "bob", window="bob")
    for target in ("war:0", "war:bob"):
        tmux.wait_for(lambda s: "╭─ 4 Timeline" in s, what="the war room", target=target)
    tmux.run("send-keys", "-t", "war:0", "n")
    tmux.wait_for(lambda s: "Note for the timeline" in s, what="note prompt", target="war:0")
    tmux.run("send-keys", "-t", "war:0", "-l", "rolled back to v41")
    tmux.run("send-keys", "-t", "war:0", "Enter")
    shown = tmux.wait_for(
        lambda s: "rolled back to v41" in s,
        what="alice's note in bob's terminal",
        timeout=5,
        target="war:bob",
    )
    assert "alice: rolled back to v41" in shown


def test_a_resize_keeps_the_region_in_use_and_its_filter(tmux: Tmux, tmp_path: Path) -> None:
    """A responder's terminal changes size (a laptop's split, a client attaching with another
    size): the region they were in and what they set up in it stay."""
    start(tmux, tmp_path, "demo", "--db", str(tmp_path / "demo.db"))
    tmux.run("resize-window", "-t", "war", "-x", "160", "-y", "48")
    tmux.wait_for(lambda s: "╭─ 4 Timeline" in s and "streaming" in s, what="the room at 160x48")
    tmux.run("send-keys", "-t", "war", "2/")  # typed at once: `/` is the logs' key
    tmux.wait_for(lambda s: "level:warn src:NAME" in s, what="the filter box")
    tmux.run("send-keys", "-t", "war", "-l", "GET")
    tmux.run("send-keys", "-t", "war", "Enter")
    tmux.wait_for(lambda s: "│ GET" in s, what="the filter in force")

    tmux.run("resize-window", "-t", "war", "-x", "80", "-y", "24")
    small = tmux.wait_for(
        lambda s: len(s.splitlines()[0]) <= 80 and "│ GET" in s, what="the logs at 80x24"
    )
    assert "╭─ 1 Health" not in small  # regions switch at this size: the logs are the one shown

    tmux.run("resize-window", "-t", "war", "-x", "160", "-y", "48")
    big = tmux.wait_for(lambda s: "╭─ 4 Timeline" in s and "│ GET" in s, what="back at 160x48")
    assert "/ Filter" in big.splitlines()[-1]  # the logs still have the keys
