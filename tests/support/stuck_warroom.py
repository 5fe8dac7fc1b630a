"""`python -m tests.support.stuck_warroom ARGS`: warroom whose event loop gets stuck.

A stand-in for whatever could hog the loop (the catastrophic patterns of before): a second
after the app mounts, a timer spins in Python for ever, so nothing on the loop runs again.
What must still work is what does not need the loop: leaving on SIGTERM or SIGHUP.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from warroom.cli.main import main
from warroom.ui.app import WarRoomApp

_mount = WarRoomApp.on_mount


def _on_mount_then_stall(app: WarRoomApp) -> None:
    _mount(app)

    def stall() -> None:
        Path(os.environ["WARROOM_TEST_STALLED"]).write_text("stalled")
        while True:
            pass

    app.set_timer(1.0, stall)


WarRoomApp.on_mount = _on_mount_then_stall  # type: ignore[method-assign,assignment]  # the stall
sys.exit(main())
