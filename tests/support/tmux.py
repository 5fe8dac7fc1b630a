"""A private tmux server for the end-to-end tests: its own socket, no config, killed after."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable


class Tmux:
    """A tmux server of the test's own (own socket, no config file), killed by `kill`."""

    def __init__(self, name: str = "warroom-test") -> None:
        self.socket = f"{name}-{uuid.uuid4().hex[:8]}"

    def command(self, *args: str) -> list[str]:
        """argv of `tmux ARGS` on this server."""
        return ["tmux", "-L", self.socket, "-f", "/dev/null", *args]

    def run_bytes(self, *args: str) -> bytes:
        """What `tmux ARGS` prints, byte for byte; a failing command raises."""
        return subprocess.run(
            self.command(*args), capture_output=True, check=True, timeout=30
        ).stdout

    def run(self, *args: str) -> str:
        return self.run_bytes(*args).decode()

    def kill(self) -> None:
        subprocess.run(self.command("kill-server"), capture_output=True, timeout=30)

    def screen(self, target: str = "war") -> str:
        return self.run("capture-pane", "-p", "-t", target)

    def wait_for(
        self,
        condition: Callable[[str], bool],
        *,
        what: str,
        timeout: float = 30,
        target: str = "war",
    ) -> str:
        # A terminal gives no event to await: poll what it shows, with a deadline.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen(target)
            if condition(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"never shown: {what}\n--- screen ---\n{self.screen(target)}")
