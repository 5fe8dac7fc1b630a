"""The core never imports Textual (DESIGN §3): checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = (
    "warroom.playbook",
    "warroom.playbook_loader",
    "warroom.incident",
    "warroom.store",
    "warroom.timers",
    "warroom.comms",
    "warroom.clipboard",
    "warroom.health",
    "warroom.health_judging",
    "warroom.checkcmd",
    "warroom.logtail",
    "warroom.logsource",
    "warroom.logarchive",
    "warroom.logbuffer",
    "warroom.logfilter",
    "warroom.logparse",
    "warroom.procgroups",
    "warroom.safetext",
    "warroom.timeparse",
    "warroom.scenario",
    "warroom.demo",
    "warroom.fakefly",
    # The command line too: `warroom note`, `list` and `check` answer without a UI's
    # import cost (perf-notes: importing Textual alone is ~200 ms).
    "warroom.cli",
    "warroom.commands",
)


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(CORE)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual'})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_the_check_catches_a_textual_import() -> None:
    # The same probe on the UI must see Textual, or the test above proves nothing.
    code = "import sys, warroom.ui.app; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
