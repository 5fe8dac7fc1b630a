"""The war room's runbook commands: suggested runbooks (the line under the clock strip),
the runbook browser (`b`, and the palette's "Runbook: TITLE"), and recent changes (`D`).
A part of `WarRoomScreen`, kept in its own module so that the screen stays one readable page.

Suggestions are counted every `SUGGEST_SECONDS` from the health pane's latest samples and
the log lines of the last minute, which the log pane hands over a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget

from warroom.incident import Clock, IncidentState
from warroom.playbook import Playbook
from warroom.ui.messages import RunRequested
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.suggestion_line import SuggestionLine

if TYPE_CHECKING:
    # Imported where used: suggestions are first counted after the first frame, which does
    # not wait for warroom.runbooks.
    from warroom.runbooks import LogWindow, Suggestion

SUGGEST_SECONDS = 2.0
"""How often the suggestions are counted again."""

_W = TypeVar("_W", bound=Widget)


class _Room(Protocol):
    """What of the war room screen these commands use."""

    playbook: Playbook
    clock: Clock

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    @property
    def log_window(self) -> LogWindow: ...
    @property
    def suggestions(self) -> tuple[Suggestion, ...]: ...
    def query_one(self, selector: type[_W]) -> _W: ...
    def post_message(self, message: Message) -> bool: ...
    def open_runbook(self, name: str | None) -> None: ...
    def comms_palette_commands(self) -> Iterable[SystemCommand]: ...
    def runbook_palette_commands(self) -> Iterable[SystemCommand]: ...


def incident_began(state: IncidentState | None) -> datetime | None:
    """When the incident began: detected, or declared if that was earlier."""
    if state is None:
        return None
    detected = state.moments.get("detected")
    return min(detected, state.declared_at) if detected else state.declared_at


class RunbookCommands:
    """Mixed into `WarRoomScreen`: suggestions, the runbook browser, recent changes."""

    @cached_property
    def log_window(self: _Room) -> LogWindow:
        """The last minute of log lines, counted for the runbooks' log signals."""
        from warroom.runbooks import LogWindow
        from warroom.runbooks.suggest import log_signals

        return LogWindow(log_signals(self.playbook.runbooks))

    @property
    def suggestions(self: _Room) -> tuple[Suggestion, ...]:
        try:
            return self.query_one(SuggestionLine).suggestions
        except NoMatches:
            return ()

    def count_log_lines(self: _Room, source: str, lines: list[str]) -> None:
        """Given to the log pane: each chunk of lines, as it is ingested."""
        self.log_window.add(source, lines, self.clock())

    def update_suggestions(self: _Room) -> None:
        """Rank the runbooks against what the health pane and the logs show now."""
        from warroom.runbooks import TargetView, suggest

        try:
            samples = self.query_one(HealthPane).latest
        except NoMatches:
            samples = {}
        health = {
            name: TargetView(s.state, since=s.since, latency=s.latency, status=s.status)
            for name, s in samples.items()
        }
        found = suggest(self.playbook.runbooks, health, self.log_window, self.clock())
        self.query_one(SuggestionLine).suggestions = tuple(found)

    def action_browse_runbooks(self: _Room) -> None:
        self.open_runbook(None)

    def open_runbook(self: _Room, name: str | None) -> None:
        """Show the runbooks, `name` (else the best suggestion, else the first) chosen."""
        from warroom.ui.screens.runbooks import browse_runbooks

        def chosen(run: RunRequested | None) -> None:
            if run is not None:
                self.post_message(run)

        suggestions: Sequence[Suggestion] = self.suggestions
        browse_runbooks(
            self.app,
            chosen,
            runbooks=self.playbook.runbooks,
            suggestions=suggestions,
            selected=name,
        )

    def action_recent_changes(self: _Room) -> None:
        from warroom.ui.screens.recent_changes import RecentChangesScreen

        screen = RecentChangesScreen(
            playbook=self.playbook, began=incident_began(self.state), clock=self.clock
        )
        self.app.push_screen(screen)

    def runbook_palette_commands(self: _Room) -> Iterable[SystemCommand]:
        for runbook in self.playbook.runbooks:
            help_text = "; ".join(runbook.symptoms) or "open it in the runbook browser"
            yield SystemCommand(
                f"Runbook: {runbook.title}", help_text, partial(self.open_runbook, runbook.name)
            )

    def palette_commands(self: _Room) -> Iterable[SystemCommand]:
        """Commands only the palette offers (the keyed ones come from the bindings)."""
        yield from self.comms_palette_commands()
        yield from self.runbook_palette_commands()
