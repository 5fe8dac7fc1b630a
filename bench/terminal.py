"""What the terminal benchmarks share (not a benchmark itself): a private tmux server, the
screen read back with its colours, a throwaway incident database, and the trivial Textual
app every figure is compared with."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SGR = re.compile(r"\x1b\[[0-9;:]*m")

ANCHOR = textwrap.dedent(
    """
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import Label

    class Anchor(App):
        BINDINGS = [Binding("1", "show('one')"), Binding("2", "show('two')")]

        def compose(self):
            yield Label("anchor shows one", id="shown")

        def action_show(self, what):
            self.query_one(Label).update(f"anchor shows {what}")

    Anchor().run()
    """
)
"""The trivial app: one label, which `1` and `2` change; its first screen says 'anchor'."""


class Terminal:
    """One program in a detached session of a private tmux server (its own socket, no
    config), so nothing here touches anyone else's tmux.

    The screen is read and keys are sent through a control-mode client (`tmux -C`) attached
    to that session: a command costs the server a fraction of a millisecond, where a `tmux`
    process per `capture-pane` costs ~2 ms of CPU taken from the program being timed, and the
    screen is read again as soon as the program writes to it (tmux's `%output`), not at a
    polling period."""

    def __init__(self, command: list[str], *, env: dict[str, str], size: tuple[int, int]):
        self.socket = f"keys-bench-{os.getpid()}-{time.monotonic_ns()}"
        width, height = size
        shell_command = " ".join(f"'{part}'" for part in command)
        self._tmux(
            "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
            shell_command, env=env,
        )  # fmt: skip
        self._pid = int(self._tmux("display-message", "-p", "-t", "bench", "#{pane_pid}"))
        self._control = subprocess.Popen(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "-C", "attach-session", "-t", "bench"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._written = False
        """Whether the program has written to the pane since the screen was last read."""
        threading.Thread(target=self._read_control, daemon=True).start()

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        argv = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout

    def _read_control(self) -> None:
        assert self._control.stdout is not None
        for line in self._control.stdout:
            self._lines.put(line)

    def _next_line(self, timeout: float) -> bytes | None:
        """The control client's next line (a notification is noted), None after `timeout`."""
        try:
            line = self._lines.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None
        if line.startswith(b"%output "):
            self._written = True
        return line

    def _command(self, command: str) -> list[str]:
        """Run one tmux command through the control client; the lines it printed."""
        assert self._control.stdin is not None
        self._control.stdin.write(command.encode() + b"\n")
        self._control.stdin.flush()
        # Command output comes between a `%begin` and an `%end` whose flags say it answers a
        # client's command; anything before is a notification (or the attach's own block).
        answer = re.compile(rb"%begin \d+ \d+ 1\n")
        while not answer.fullmatch(self._line_within(10)):
            pass
        output = []
        while not (line := self._line_within(10)).startswith((b"%end ", b"%error ")):
            output.append(line.decode(errors="replace").rstrip("\n"))
        if line.startswith(b"%error "):
            raise RuntimeError(f"tmux {command!r}: {output}")
        return output

    def _line_within(self, timeout: float) -> bytes:
        line = self._next_line(timeout)
        if line is None:
            raise TimeoutError("the tmux control client stopped answering")
        return line

    def screen(self) -> list[str]:
        """The pane's rows, with their colour escapes (a focus change may change only those)."""
        self._written = False
        return self._command("capture-pane -p -e -t bench")

    def send(self, key: str) -> None:
        self._command(f"send-keys -t bench {key}")

    def send_literal(self, text: str) -> None:
        """Type `text` as it is (no key names: `Enter` stays five letters)."""
        # As hex bytes (-H), which no tmux quoting rule can touch.
        self._command(f"send-keys -t bench -H {text.encode().hex(' ')}")

    def wait_for(self, condition: Callable[[list[str]], bool], *, timeout: float = 20) -> float:
        """Seconds until the screen meets `condition`: read again each time the program has
        written to the pane (and every 50 ms regardless, should a write go unseen)."""
        start = time.perf_counter()
        deadline = start + timeout
        while time.perf_counter() < deadline:
            if condition(self.screen()):
                return time.perf_counter() - start
            recheck = min(time.perf_counter() + 0.05, deadline)
            while not self._written and (left := recheck - time.perf_counter()) > 0:
                self._next_line(left)
        shown = "\n".join(SGR.sub("", row) for row in self.screen())
        raise TimeoutError(f"the screen never changed as expected:\n{shown}")

    def close(self, *, grace: float = 5.0) -> None:
        """End the session, and wait (up to `grace` s) for its program to be gone: one that is
        still shutting down (a demo stopping its sources and servers) would slow whatever the
        bench starts next, an anchor as well as warroom."""
        # Only this server's one session: with it gone the private server exits by itself,
        # and the control client with it.
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-session", "-t", "bench"], capture_output=True
        )
        deadline = time.monotonic() + grace
        try:
            self._control.wait(timeout=grace)
        except subprocess.TimeoutExpired:  # a client left behind must not end the bench
            self._control.kill()
        while _running(self._pid) and time.monotonic() < deadline:
            time.sleep(0.01)


def _running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        # ProcessLookupError: the process was reaped between the open and the read.
        return False
    return state != "Z"


class Scratch(NamedTuple):
    folder: Path
    """Where a bench keeps its databases and playbooks, gone after the run."""
    env: dict[str, str]
    """The environment to run warroom in: its data and cache folders are `folder`, so
    nothing touches the user's."""
    anchor: Path
    """The trivial Textual app (`ANCHOR`) as a script."""


@contextmanager
def scratch(prefix: str) -> Iterator[Scratch]:
    """A throwaway folder for one bench run, with the anchor app written into it."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        anchor = Path(name) / "anchor.py"
        anchor.write_text(ANCHOR)
        yield Scratch(
            Path(name), {**os.environ, "XDG_DATA_HOME": name, "XDG_CACHE_HOME": name}, anchor
        )


def plain(rows: list[str]) -> str:
    return "\n".join(SGR.sub("", row) for row in rows)


def showing(text: str) -> Callable[[list[str]], bool]:
    """A `Terminal.wait_for` condition: the screen shows `text`."""
    return lambda rows: text in plain(rows)


def playbook_without_outside_world(folder: Path, extra: str = "") -> Path:
    """The tests' minimal playbook minus what polls or tails, plus `extra` TOML."""
    shipped = (REPO / "tests" / "data" / "playbooks" / "minimal.toml").read_text()
    kept = [
        block
        for block in shipped.split("\n[[")
        if not block.startswith(("service]]", "provider]]", "log_source]]"))
    ]
    path = folder / f"playbook-{len(list(folder.glob('playbook-*')))}.toml"
    path.write_text("\n[[".join(kept) + "\n" + extra)
    return path


def declare(db: Path, env: dict[str, str], title: str) -> str:
    """A new incident in `db`; its id."""
    out = subprocess.run(
        [PYTHON, "-m", "warroom", "--db", str(db), "new", "--severity", "P1", "--title", title],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return out.stdout.split()[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
