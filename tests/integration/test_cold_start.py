"""What `warroom open` imports before its first frame: everything the modules it starts from
import at load time or in reading its command line (bench/coldstart.py times the start
itself). Checked in a fresh interpreter, since this test process has imported everything
already."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

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


def as_open_starts(report: str) -> Any:
    """What the Python expression `report` gives in a fresh interpreter that has imported what
    `warroom open` imports before its app runs, read back as JSON."""
    script = (
        "import dataclasses, importlib, json, sys\n"
        f"for name in {FIRST_FRAME!r}: importlib.import_module(name)\n"
        # What `warroom open` does before the app: read the command line, find its handler.
        "from warroom.cli.main import handler, parse\n"
        "handler(parse(['open', 'INC-20261207-001']).command)\n"
        f"print(json.dumps({report}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout)


def test_the_first_frame_imports_neither_httpx_nor_the_screens_pushed_later() -> None:
    assert as_open_starts(f"sorted(m for m in {LATER!r} if m in sys.modules)") == []


DATACLASSES_AT_START = {
    "warroom.health.judging.HealthSample": "its history is left out of its equality",
    "warroom.incident.actions._Record": "mutable, while the action items are folded",
    "warroom.incident.clocks.PhaseProgress": "a NamedTuple's field `index` would hide tuple.index",
    "warroom.logs.tail.LogTail": "mutable: the tail's running parts",
}
"""The only dataclasses the first frame builds, and why each is one."""

CLASSES_BUILT = (
    "sorted(f'{c.__module__}.{c.__qualname__}'"
    " for m in list(sys.modules.values()) if m and m.__name__.startswith('warroom')"
    " for c in vars(m).values() if isinstance(c, type) and c.__module__ == m.__name__"
    " and dataclasses.is_dataclass(c))"
)


def test_the_records_the_first_frame_builds_are_namedtuples() -> None:
    """Python 3.11 compiles five or six methods for each frozen dataclass (~0.5 ms a class)
    and one for a NamedTuple (~0.08 ms); some sixty records are built before the first
    frame."""
    assert as_open_starts(CLASSES_BUILT) == sorted(DATACLASSES_AT_START)
