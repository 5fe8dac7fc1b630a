"""The comms screen's copy, end to end: the app in a tmux pane sends OSC 52, tmux keeps the text
in its paste buffer, byte for byte."""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.test_comms_screen import DECLARED, NOW, SHIPPED_PLAYBOOK, incident
from warroom.incident import comms
from warroom.playbook import Playbook, load_playbook


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(SHIPPED_PLAYBOOK)


HOST_SCRIPT = """
import subprocess, sys
from datetime import datetime
from pathlib import Path
from textual.app import App
from warroom.incident import Event, derive
from warroom.playbook import load_playbook
from warroom.ui.screens.comms import CommsScreen

socket, playbook_path, out_dir, declared, now = sys.argv[1:6]
playbook = load_playbook(Path(playbook_path))
at = datetime.fromisoformat(declared)
state = derive(
    [Event(1, "INC-1", at, "incident.declared", "ana", {"title": "Login fails", "severity": "P1"})],
    playbook,
)


class Host(App[None]):
    def on_mount(self) -> None:
        screen = CommsScreen(
            playbook=playbook, state=state, template_name="investigating",
            now=datetime.fromisoformat(now), fallback_dir=Path(out_dir), local=None,
        )
        self.push_screen(screen, lambda result: self.exit())

    def on_ready(self) -> None:
        subprocess.run(["tmux", "-L", socket, "wait-for", "-S", "ready"], check=True)


Host().run()
"""


def test_copy_reaches_tmux_paste_buffer_byte_exact(playbook: Playbook, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux for the OSC 52 end-to-end test")
    script = tmp_path / "host.py"
    script.write_text(HOST_SCRIPT)
    socket = f"warroom-comms-{os.getpid()}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    args = [sys.executable, str(script), socket, str(SHIPPED_PLAYBOOK), str(tmp_path / "out")]
    args += [DECLARED.isoformat(), NOW.isoformat()]
    command = " ".join(shlex.quote(arg) for arg in args)
    command += f"; tmux -L {socket} wait-for -S done"
    run = functools.partial(subprocess.run, check=True, timeout=30, capture_output=True)
    run([*tmux, "new-session", "-d", "-x", "100", "-y", "30", "sh"])
    try:
        run([*tmux, "set", "-g", "set-clipboard", "on"])
        # The server must outlive the app's pane, or the paste buffer goes with it.
        run([*tmux, "set", "-g", "remain-on-exit", "on"])
        run([*tmux, "respawn-pane", "-k", "-t", "0", command])
        run([*tmux, "wait-for", "ready"])
        run([*tmux, "send-keys", "-t", "0", "c"])
        run([*tmux, "wait-for", "done"])
        buffer = run([*tmux, "show-buffer"]).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=30)
    expected = comms.status_text(incident(playbook), playbook, "investigating", now=NOW)
    assert buffer == expected.encode("utf-8")
