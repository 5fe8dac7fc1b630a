"""The comms screen's copy, end to end: the app in a tmux pane sends OSC 52, tmux keeps the text
in its paste buffer, byte for byte."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.comms import DECLARED, NOW, incident_with_fields
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.tmux import Tmux
from warroom.incident import comms
from warroom.playbook import load_playbook

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="needs tmux for the OSC 52 end-to-end test"
)


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


def test_copy_reaches_tmux_paste_buffer_byte_exact(tmux: Tmux, tmp_path: Path) -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)
    script = tmp_path / "host.py"
    script.write_text(HOST_SCRIPT)
    args = [sys.executable, str(script), tmux.socket, str(SHIPPED_PLAYBOOK), str(tmp_path / "out")]
    args += [DECLARED.isoformat(), NOW.isoformat()]
    command = " ".join(shlex.quote(arg) for arg in args)
    command += f"; tmux -L {tmux.socket} wait-for -S done"
    tmux.run_bytes("new-session", "-d", "-x", "100", "-y", "30", "sh")
    tmux.run_bytes("set", "-g", "set-clipboard", "on")
    # The server must outlive the app's pane, or the paste buffer goes with it.
    tmux.run_bytes("set", "-g", "remain-on-exit", "on")
    tmux.run_bytes("respawn-pane", "-k", "-t", "0", command)
    tmux.run_bytes("wait-for", "ready")
    tmux.run_bytes("send-keys", "-t", "0", "c")
    tmux.run_bytes("wait-for", "done")
    buffer = tmux.run_bytes("show-buffer")
    expected = comms.status_text(incident_with_fields(playbook), playbook, "investigating", now=NOW)
    assert buffer == expected.encode("utf-8")
