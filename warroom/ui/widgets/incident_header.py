"""The top line: which incident, how bad, how long, how healthy."""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual.reactive import var

from warroom.incident import IncidentState
from warroom.incident.clocks import Clocks
from warroom.playbook import SEVERITY_LEVELS
from warroom.safetext import visible
from warroom.store import Presence
from warroom.ui.timefmt import elapsed
from warroom.ui.widgets.part_line import Part, PartLine

SEVERITY_STYLES = {level: f"incident-header--{level.lower()}" for level in SEVERITY_LEVELS}
"""The component class of each severity the playbook knows; any other looks like P3."""


class IncidentHeader(PartLine):
    """Incident id, severity, title, elapsed time, the health summary and who else is here,
    on one line; the title takes the room the others leave."""

    FILL = "title"
    COMPONENT_CLASSES = {
        *SEVERITY_STYLES.values(),
        "incident-header--id",
        "incident-header--resolved",
        "incident-header--offline",
        "incident-header--presence",
    }
    DEFAULT_CSS = """
    IncidentHeader {
        height: 1;
        background: $panel;
        .incident-header--id { text-style: bold; }
        .incident-header--p0 { text-style: bold reverse; color: $severity-p0; }
        .incident-header--p1 { text-style: bold reverse; color: $severity-p1; }
        .incident-header--p2 { text-style: bold reverse; color: $severity-p2; }
        .incident-header--p3 { text-style: bold reverse; color: $severity-p3; }
        .incident-header--resolved { background: $success; color: $background; }
        .incident-header--offline { color: $text; background: $error; }
        .incident-header--presence { color: $text; background: $accent; }
    }
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
        self._redraw()

    def _line(self) -> Iterator[Part]:
        state = self.state
        if state is None:
            yield Part("id", "loading incident…", "incident-header--id")
            return
        level = state.severity
        yield Part("id", state.id, "incident-header--id")
        name = self._severity_names.get(level, "")
        # A level from outside the playbook (an imported incident's) is shown all the same,
        # as plain, visible text.
        style = SEVERITY_STYLES.get(level, SEVERITY_STYLES["P3"])
        yield Part("severity", f"{visible(level, limit=20)} {name}".strip(), style)
        # Typed by a person or a script: shown as plain, visible text.
        yield Part("title", visible(state.title, limit=200))
        # Open is the normal case: only a resolved incident spends header room on its status.
        if state.status == "resolved":
            yield Part("status", "RESOLVED", "incident-header--resolved")
        if self.clocks is not None:
            yield Part("elapsed", f"elapsed {elapsed(self.clocks.elapsed)}")
        if self.health_summary:
            yield Part("health", f"health {self.health_summary}")
        if self.queued:
            queued = f"offline — {self.queued} events queued"
            yield Part("offline", queued, "incident-header--offline")
        # Alone on the incident is the normal case: no room spent on saying so.
        if self.present:
            yield Part("presence", also_here(self.present), "incident-header--presence")

    def _redraw(self) -> None:
        self.show(self._line())

    watch_state = watch_clocks = watch_health_summary = watch_queued = _redraw

    def watch_present(self, present: tuple[Presence, ...]) -> None:
        self._redraw()
        # Typed by other people on other hosts: shown as plain, visible text (a Text, which
        # Textual does not read as markup, where it would a str).
        who = "\n".join(
            f"{terminal(p)} on {visible(p.region, limit=20)} since {p.since:%H:%M:%S} UTC"
            for p in present
        )
        self.tooltip = Text(who) if who else None


def also_here(present: tuple[Presence, ...]) -> str:
    """ "also here: 2 — ann@laptop, bob@desk", or "" when nobody else is."""
    if not present:
        return ""
    return f"also here: {len(present)} — {', '.join(terminal(p) for p in present)}"


def terminal(present: Presence) -> str:
    """ "ann@laptop": who is there and from where, as plain, visible text."""
    return f"{visible(present.actor, limit=40)}@{visible(present.host, limit=60)}"
