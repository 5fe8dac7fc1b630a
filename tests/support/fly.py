"""The project's `fly` stand-in (`warroom.demo.fakefly`) on PATH, as a user's flyctl would be.

`fly_on_path` writes a `fly` wrapper script into a folder of its own and returns the
environment that puts that folder first on PATH; each call of the wrapper is logged to
`calls` (and its pid to `pids`), so a test can tell that nothing ran, or that it is gone.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FakeFly:
    env: dict[str, str]
    """PATH with the wrapper's folder first, and a fleet file of the test's own."""
    calls: Path
    """One line per call of `fly`: its arguments."""
    pids: Path
    """One line per call of `fly`: its process id (the wrapper execs the stand-in)."""

    def called(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def started(self) -> list[int]:
        return [int(pid) for pid in self.pids.read_text().split()] if self.pids.exists() else []


def fly_on_path(tmp_path: Path) -> FakeFly:
    folder = tmp_path / "fly-bin"
    folder.mkdir()
    calls, pids = tmp_path / "fly-calls", tmp_path / "fly-pids"
    wrapper = folder / "fly"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{calls}"\n'
        f'echo "$$" >> "{pids}"\n'
        f'exec "{sys.executable}" -m warroom.demo.fakefly "$@"\n'
    )
    wrapper.chmod(0o755)
    env = {
        "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}",
        "WARROOM_FAKEFLY_STATE": str(tmp_path / "fleet.json"),
    }
    return FakeFly(env=env, calls=calls, pids=pids)
