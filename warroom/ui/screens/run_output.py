"""One command running: its argv, its output as it comes (plain text), how long it has run,
and at the end its exit code, duration or what went wrong. `k` cancels (the whole process
group is killed); the run is recorded however it ends."""

from __future__ import annotations

import shlex
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Log, Static

from warroom.commands import CommandRun, RunResult, masked_argv
from warroom.safetext import visible
from warroom.ui.screens.dialog import Dialog

Recorder = Callable[[RunResult], Awaitable[object]]


class RunScreen(Dialog[RunResult | None]):
    """Runs `argv` on mount; answers its result (None if closed before it ended, which
    cannot happen: escape waits for the end)."""

    BINDINGS = [
        Binding("k", "cancel_run", "Cancel run", tooltip="Kill it and all it started"),
        Binding("escape", "close", "Close"),
    ]

    DEFAULT_CSS = """
    RunScreen > Vertical { width: 90%; height: 80%; }
    RunScreen Log { height: 1fr; border: round $primary; }
    """

    def __init__(
        self,
        *,
        name: str,
        argv: Sequence[str],
        timeout: timedelta,
        secrets: Iterable[str],
        record: Recorder | None,
    ) -> None:
        """`record` None: not recorded (a read-only war room)."""
        super().__init__()
        self.command_run = CommandRun(
            name, argv, timeout=timeout, on_output=self._output, secrets=secrets
        )
        self._shown = shlex.join(masked_argv(argv, self.command_run.secrets))
        self._record = record
        self._started = time.monotonic()
        self.result: RunResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(
                f"{self.command_run.name}: {visible(self._shown, limit=2000)}", markup=False
            )
            yield Log(id="output", auto_scroll=True)
            yield Static(Text("starting…"), id="status")

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._show_elapsed)
        self.run_worker(self._run(), exclusive=True, group="command-run")

    async def _run(self) -> None:
        result = await self.command_run.run()
        self.result = result
        self._ticker.stop()
        recorded = ""
        if self._record is None:
            recorded = " Not recorded: this warroom is read-only."
        elif await self._record(result) is None:
            recorded = " Not recorded: the store refused it."
        code = "" if result.exit_code is None else f" (exit code {result.exit_code})"
        said = f"{visible(result.summary, limit=500)}{code}.{recorded} Escape closes."
        self.query_one("#status", Static).update(Text(said))

    def _output(self, lines: Sequence[str]) -> None:
        # Already made visible and masked by the runner; Log shows plain text, no markup.
        self.query_one(Log).write_lines(lines)

    def _show_elapsed(self) -> None:
        took = time.monotonic() - self._started
        limit = self.command_run.timeout.total_seconds()
        text = f"running {took:.0f}s (killed after {limit:.0f}s); k cancels it"
        self.query_one("#status", Static).update(Text(text))

    def action_cancel_run(self) -> None:
        if self.result is None:
            self.command_run.cancel()

    def action_close(self) -> None:
        if self.result is None:
            self.notify("Still running: k cancels it first.", markup=False)
        else:
            self.dismiss(self.result)
