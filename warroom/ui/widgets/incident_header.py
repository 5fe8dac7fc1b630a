"""The top line: which incident, how bad, how long, how healthy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Label

from warroom.incident import IncidentState
from warroom.incident.clocks import Clocks
from warroom.safetext import visible
from warroom.ui.relabel import relabel
from warroom.ui.timefmt import elapsed


class IncidentHeader(Horizontal):
    """Incident id, severity, title, elapsed time and the health summary on one line."""

    DEFAULT_CSS = """
    IncidentHeader { height: 1; background: $panel; }
    IncidentHeader Label { padding: 0 1; }
    IncidentHeader #incident-id { text-style: bold; }
    IncidentHeader #severity { text-style: bold reverse; color: $severity-p3; }
    IncidentHeader #severity.-p0 { color: $severity-p0; }
    IncidentHeader #severity.-p1 { color: $severity-p1; }
    IncidentHeader #severity.-p2 { color: $severity-p2; }
    IncidentHeader #title { width: 1fr; min-width: 16; }
    /* Open is the normal case: only a resolved incident spends header room on its status. */
    IncidentHeader #status { display: none; }
    IncidentHeader #status.-resolved { display: block; background: $success; color: $background; }
    """

    state: var[IncidentState | None] = var(None)
    """The incident as derived from its events."""
    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks, counted by the screen every second."""
    health_summary: var[str] = var("")
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
        relabel(self.query_one("#incident-id", Label), state.id)
        severity = self.query_one("#severity", Label)
        relabel(severity, f"{state.severity} {self._severity_names.get(state.severity, '')}")
        severity.set_classes(f"-{state.severity.lower()}")
        # Typed by a person or a script: no markup (markup=False) and no escape sequences.
        relabel(self.query_one("#title", Label), visible(state.title, limit=200))
        status = self.query_one("#status", Label)
        relabel(status, "RESOLVED")
        status.set_class(state.status == "resolved", "-resolved")

    def watch_clocks(self, clocks: Clocks | None) -> None:
        if clocks is not None:
            relabel(self.query_one("#elapsed", Label), f"elapsed {elapsed(clocks.elapsed)}")

    def watch_health_summary(self, summary: str) -> None:
        relabel(self.query_one("#health", Label), f"health {summary}" if summary else "")
