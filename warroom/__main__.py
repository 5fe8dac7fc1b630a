"""`python -m warroom` and the `warroom` command."""

from __future__ import annotations

import os

from warroom import collector

TEXTUAL_SETTINGS = {"TEXTUAL_FPS": "120"}
"""Textual's settings (environment variables, read once at its import) that warroom runs with
unless the user set them. Frames: a key's frame waits for the next tick of Textual's update
timer, and at its default 60 a second that was up to 17 ms (a key during a log flood, timed
inside the app: p95 29-32 ms at 60, 26-28 at 120). Frames are drawn only when something
changed, so an idle war room draws no more of them."""


def main() -> int:
    # Before the command line's imports: they are most of what a start collects for nothing,
    # and Textual reads its settings as it is imported.
    collector.hold()
    for name, value in TEXTUAL_SETTINGS.items():
        os.environ.setdefault(name, value)
    from warroom.cli.main import main as run_command_line

    return run_command_line()


if __name__ == "__main__":
    raise SystemExit(main())
