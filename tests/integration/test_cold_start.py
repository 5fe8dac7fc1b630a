"""What `warroom open` imports before its first frame: everything the modules it starts from
import at load time or in reading its command line (bench/coldstart.py times the start
itself). Checked in a fresh interpreter, since this test process has imported everything
already."""

from __future__ import annotations

import json
import subprocess
import sys

FIRST_FRAME = ("warroom.cli.main", "warroom.cli.commands", "warroom.cli.launch", "warroom.ui.app")
"""The CLI's path to the app: `warroom open` imports these before the app runs."""
LATER = (
    "httpx",
    "httpcore",
    "textual.widgets._tabs",
    "warroom.cli.db_copy",
    "warroom.cli.export",
    "warroom.cli.log_search",
    "warroom.cli.postmortem",
    "warroom.cli.publish",
    "warroom.cli.run",
    "warroom.commands.fleet",
    "warroom.commands.interactive",
    "warroom.incident.export",
    "warroom.incident.metrics",
    "warroom.runbooks",
    "warroom.health.fetching",
    "warroom.ui.screens.choose_incident",
    "warroom.ui.screens.comms",
    "warroom.ui.screens.confirm",
    "warroom.ui.screens.declare",
    "warroom.ui.screens.incident_forms",
    "warroom.ui.screens.prompts",
    "warroom.ui.screens.recent_changes",
    "warroom.ui.screens.run_forms",
    "warroom.ui.screens.run_output",
    "warroom.ui.screens.runbooks",
    "warroom.ui.screens.timeline_edit",
)
"""Needed only once the war room runs: the first health round, and the prompts and forms
the keys push (or the screens bare `warroom` shows before it); or by other commands."""


def test_the_first_frame_imports_neither_httpx_nor_the_screens_pushed_later() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {FIRST_FRAME!r}: importlib.import_module(name)\n"
        # What `warroom open` does before the app: read the command line, find its handler.
        "from warroom.cli.main import handler, parse\n"
        "handler(parse(['open', 'INC-20261207-001']).command)\n"
        f"print(json.dumps(sorted(m for m in {LATER!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []
