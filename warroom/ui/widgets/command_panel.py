"""The incident-command region: severity, the checklist, roles, key moments, escalation.

A view only: it shows the bound state and its clocks. Ticking goes through the
checklist's `TickRequested`; setting roles, moments, escalating and resolving are the
screen's keys, because they must work wherever the focus is.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.reactive import var
from textual.widgets import Static

from warroom.incident import ROLES, IncidentState
from warroom.incident.clocks import Clocks, span
from warroom.playbook import KEY_MOMENTS, Playbook
from warroom.safetext import visible
from warroom.ui.relabel import relabel
from warroom.ui.timefmt import clock_time, elapsed
from warroom.ui.widgets.checklist import ChecklistPane, is_all_hands
from warroom.ui.widgets.clock_strip import escalation_text, response_text

ROLE_TITLES: dict[str, str] = {"commander": "Commander", "scribe": "Scribe", "comms": "Comms"}
"""How each of `warroom.incident.ROLES` is named on screen."""


class CommandPanel(Vertical):
    """Severity summary above the checklist; roles, key moments and escalation below it.

    Every line is one row (ellipsis, never wrapped). When the panel is short (a quarter of
    a 100×30 screen) it takes `-cramped` and keeps only severity, all-hands and roles around
    the checklist: the clock strip above already shows response and escalation.
    """

    DEFAULT_CSS = """
    CommandPanel { height: 1fr; }
    CommandPanel > Static { padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    CommandPanel #severity-line, CommandPanel #response-line { background: $boost; }
    CommandPanel #all-hands { display: none; background: $error; color: $text; text-style: bold; }
    CommandPanel.-all-hands #all-hands { display: block; }
    CommandPanel #roles-line { border-top: solid $panel-lighten-2; }
    CommandPanel.-cramped #response-line,
    CommandPanel.-cramped #moments-line,
    CommandPanel.-cramped #escalation-line { display: none; }
    """

    CRAMPED_BELOW = 14
    """Panel height (rows) under which the secondary lines are hidden."""

    state: var[IncidentState | None] = var(None)
    """The incident as derived from its events."""
    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks, counted by the screen every second."""

    def __init__(self, *, playbook: Playbook, timezone: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._playbook = playbook
        self._timezone = timezone

    def compose(self) -> ComposeResult:
        yield Static("", id="severity-line", markup=False)
        yield Static("", id="response-line", markup=False)
        yield Static("", id="all-hands", markup=False)
        yield ChecklistPane(playbook=self._playbook, timezone=self._timezone).data_bind(
            CommandPanel.state, CommandPanel.clocks
        )
        for line in ("roles", "moments", "escalation"):
            yield Static("", id=f"{line}-line", markup=False)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < self.CRAMPED_BELOW, "-cramped")

    def watch_clocks(self) -> None:
        # The screen counts new clocks after every new state too: one redraw covers both.
        self._refresh_panel()

    def _line(self, name: str, text: Text | str) -> None:
        relabel(self.query_one(f"#{name}-line", Static), text)

    def _refresh_panel(self) -> None:
        state, at = self.state, self.clocks
        if state is None or at is None or not self.is_mounted:
            return
        try:
            severity = self._playbook.severity(state.severity)
            summary = f": {severity.summary}" if severity.summary.strip() else ""
            line = Text(f"{severity.level} {severity.name}{summary}", style="bold")
            line.append(f" · respond {severity.response_label or span(severity.response_time)}")
        except KeyError:
            # Another playbook's level, from an imported incident: untrusted text.
            line = Text(f"{visible(state.severity, limit=20)} (not in the playbook)", style="bold")
        self._line("severity", line)
        self._line(
            "response", f"Declared {elapsed(at.elapsed)} ago · {response_text(at.response)[0]}"
        )
        all_hands = self._all_hands(state)
        self.set_class(all_hands is not None, "-all-hands")
        relabel(self.query_one("#all-hands", Static), f"‼ {(all_hands or '').upper()} ‼")
        self._line("roles", self._roles(state))
        self._line("moments", self._moments(state))
        escalation = Text()
        if at.escalation.current is not None:
            current = at.escalation.current
            escalation.append(f"Level {current.level} {current.name}", "bold")
            escalation.append(" · ")
        escalation.append(escalation_text(at.escalation)[0])
        self._line("escalation", escalation)

    def _all_hands(self, state: IncidentState) -> str | None:
        """The all-hands action, while the incident is open at a severity that has one."""
        if not state.is_open:
            return None
        try:
            actions = self._playbook.severity(state.severity).actions
        except KeyError:
            return None
        return next((action for action in actions if is_all_hands(action)), None)

    def _roles(self, state: IncidentState) -> Text:
        # Names are typed by people: built as Text, never parsed as markup.
        line = Text()
        for n, role in enumerate(ROLES):
            line.append(" · " if n else "")
            line.append(f"{ROLE_TITLES.get(role, role)}: ", "bold")
            line.append(visible(state.roles.get(role, "—"), limit=40))
        return line

    def _moments(self, state: IncidentState) -> Text:
        line = Text()
        for n, moment in enumerate(KEY_MOMENTS):
            at = state.moments.get(moment)
            line.append(" · " if n else "")
            line.append(f"{moment.capitalize()} ", "bold")
            line.append(clock_time(at, self._timezone) if at else "—")
        return line
