"""The top line: which incident, how bad, how long, how healthy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Label

from warroom.incident import IncidentState
from warroom.incident.clocks import Clocks
from warroom.safetext import visible
from warroom.store import Presence
from warroom.ui.relabel import relabel
from warroom.ui.timefmt import elapsed


class IncidentHeader(Horizontal):
    """Incident id, severity, title, elapsed time, the health summary and who else is here,
    on one line."""

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
    /* Alone on the incident is the normal case: no room spent on saying so. */
    IncidentHeader #presence { display: none; color: $text; background: $accent; }
    IncidentHeader #presence.-shown { display: block; }
    IncidentHeader #offline { display: none; color: $text; background: $error; }
    IncidentHeader #offline.-shown { display: block; }
    """

    state: var[IncidentState | None] = var(None)
    """The incident as derived from its events."""
    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks, counted by the screen every second."""
    health_summary: var[str] = var("")
    """e.g. '2/7 down', from the health pane."""
    queued: var[int] = var(0)
    """Events waiting in the outbox while the database server is away."""
    present: var[tuple[Presence, ...]] = var(())
    """The other terminals that have this incident open, longest there first."""

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
        yield Label("", id="offline", markup=False)
        yield Label("", id="presence", markup=False)

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

    def watch_queued(self, queued: int) -> None:
        label = self.query_one("#offline", Label)
        relabel(label, f"offline — {queued} events queued")
        label.set_class(queued > 0, "-shown")

    def watch_present(self, present: tuple[Presence, ...]) -> None:
        label = self.query_one("#presence", Label)
        relabel(label, also_here(present))
        label.set_class(bool(present), "-shown")
        # Typed by other people on other hosts: shown as plain, visible text.
        label.tooltip = "\n".join(
            f"{visible(p.actor, limit=40)}@{visible(p.host, limit=60)} on {p.region}"
            f" since {p.since:%H:%M:%S} UTC"
            for p in present
        )


def also_here(present: tuple[Presence, ...]) -> str:
    """ "also here: 2 — ann@laptop, bob@desk", or "" when nobody else is."""
    if not present:
        return ""
    who = ", ".join(f"{visible(p.actor, limit=40)}@{visible(p.host, limit=60)}" for p in present)
    return f"also here: {len(present)} — {who}"
