"""The top line: which incident, how bad, how long, how healthy."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

from warroom.incident import IncidentState
from warroom.safetext import visible
from warroom.ui.timefmt import elapsed


class IncidentHeader(Horizontal):
    """Incident id, severity, title, elapsed time and the health summary on one line."""

    DEFAULT_CSS = """
    IncidentHeader { height: 1; background: $panel; }
    IncidentHeader Label { padding: 0 1; }
    IncidentHeader #incident-id { text-style: bold; }
    IncidentHeader #severity { text-style: bold; color: $text; background: $primary; }
    IncidentHeader #severity.-p0 { background: $error; }
    IncidentHeader #severity.-p1 { background: $warning; color: $background; }
    IncidentHeader #severity.-p2 { background: $accent; }
    IncidentHeader #title { width: 1fr; min-width: 16; }
    /* Open is the normal case: only a resolved incident spends header room on its status. */
    IncidentHeader #status { display: none; }
    IncidentHeader #status.-resolved { display: block; background: $success; color: $background; }
    """

    state: reactive[IncidentState | None] = reactive(None)
    """The incident as derived from its events."""
    now: reactive[datetime | None] = reactive(None)
    """The current time, advanced by the screen's clock every second."""
    health_summary: reactive[str] = reactive("")
    """e.g. '2/7 down', from the health pane."""

    def __init__(self, *, severity_names: dict[str, str], id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._severity_names = severity_names

    def compose(self) -> ComposeResult:
        yield Label("loading incident…", id="incident-id", markup=False)
        yield Label("", id="severity", markup=False)
        yield Label("", id="title", markup=False)
        yield Label("", id="status", markup=False)
        yield Label("", id="elapsed", markup=False)
        yield Label("", id="health", markup=False)

    def watch_state(self, state: IncidentState | None) -> None:
        if state is None:
            return
        self.query_one("#incident-id", Label).update(state.id)
        severity = self.query_one("#severity", Label)
        severity.update(f"{state.severity} {self._severity_names.get(state.severity, '')}")
        severity.set_classes(f"-{state.severity.lower()}")
        # Typed by a person or a script: no markup (markup=False) and no escape sequences.
        self.query_one("#title", Label).update(visible(state.title, limit=200))
        status = self.query_one("#status", Label)
        status.update("RESOLVED")
        status.set_class(state.status == "resolved", "-resolved")
        self._show_elapsed()

    def watch_now(self) -> None:
        self._show_elapsed()

    def watch_health_summary(self, summary: str) -> None:
        self.query_one("#health", Label).update(f"health {summary}" if summary else "")

    def _show_elapsed(self) -> None:
        if self.state is None or self.now is None:
            return
        end = self.state.resolved_at or self.now
        self.query_one("#elapsed", Label).update(f"elapsed {elapsed(end - self.state.declared_at)}")
