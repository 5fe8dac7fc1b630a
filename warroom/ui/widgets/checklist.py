"""The checklist: the severity's own actions, then every phase's items, keyboard only.

Severity actions are ticked like phase items, under ids `severity:P0:1` (see
`warroom.incident.severity_action_id`), so a tick is the same event with time and actor.
Phase headings show the playbook window, progress, the current phase (▶) and OVERDUE when
the incident has outlived the window with items still open.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from warroom.incident import IncidentState, severity_action_id
from warroom.incident.clocks import Clocks, PhaseProgress, span
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.ui.timefmt import clock_time
from warroom.ui.widgets.clock_strip import window_label


def is_all_hands(action: str) -> bool:
    """The action that calls everyone in (P0's "All hands on deck"): shown prominently."""
    return "all hands" in action.lower()


def already_done(state: IncidentState | None, item_id: str, timezone: str) -> str:
    """What to say when a tick or untick found another terminal had made it first."""
    tick = state.ticked.get(item_id) if state is not None else None
    if tick is None:
        return "Already unticked, in another terminal."
    return f"Already ticked by {visible(tick.actor, limit=40)} at {clock_time(tick.at, timezone)}."


PHASE_HEADING = "phase:"
"""The id of a phase's heading, which folds and unfolds it: `phase:0`, …"""


class ChecklistPane(OptionList):
    """Severity actions and phases as headings, their items as lines to tick.

    | Key | Does |
    | :- | :- |
    | up/down | move between items |
    | space, enter | tick or untick the highlighted item; on a done phase, show or hide it |

    Only the phases at hand show their items: the current one, the next, and any overdue;
    the others (done, or later) are folded to their heading, so that every phase is on
    screen. Space on a heading unfolds or folds it.
    """

    BINDINGS = [
        Binding("space", "toggle_item", "Tick/untick", id="toggle-item"),
    ]

    DEFAULT_CSS = """
    ChecklistPane, ChecklistPane:focus { height: 1fr; border: none; }
    """

    state: var[IncidentState | None] = var(None)
    """The incident as derived from its events; ticks shown are the ones in force."""
    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks; phases turn overdue as time passes their window's end."""

    class TickRequested(Message):
        """The user asked to tick (`ticked=True`) or untick an item; nothing is changed yet."""

        def __init__(self, item_id: str, ticked: bool) -> None:
            super().__init__()
            self.item_id = item_id
            self.ticked = ticked

    def __init__(self, *, playbook: Playbook, timezone: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._playbook = playbook
        self._timezone = timezone
        self._drawn: tuple[IncidentState | None, tuple[object, ...]] | None = None
        self._flipped: set[str] = set()
        """Headings (by id) the user folded or unfolded: the opposite of their default."""

    def watch_clocks(self) -> None:
        # The screen counts new clocks after every new state too: one redraw covers both.
        self._redraw()

    def _redraw(self) -> None:
        state = self.state
        progress = self.clocks.phases if state is not None and self.clocks is not None else ()
        # The clock ticks every second; the list is rebuilt only when what it shows changes
        # (a new state, or a phase turning overdue / its overdue minutes), keeping the cursor.
        # The drawn state is kept (not its id, which a new state object could reuse).
        headings = tuple(_heading_key(p) for p in progress)
        if self._drawn is not None and self._drawn[0] is state and self._drawn[1] == headings:
            return
        self._drawn = (state, headings)
        highlighted = self.highlighted
        keep = self.get_option_at_index(highlighted).id if highlighted is not None else None
        self.set_options(self._checklist_options(state, progress))
        if keep is not None and self._has_option(keep):
            self.highlighted = self.get_option_index(keep)
        else:
            self.highlighted = self._first_open_index(state)

    def _has_option(self, option_id: str) -> bool:
        try:
            self.get_option_index(option_id)
        except OptionDoesNotExist:  # e.g. the severity changed under the cursor
            return False
        return True

    def _first_open_index(self, state: IncidentState | None) -> int | None:
        ticked = state.ticked if state is not None else {}
        enabled = [i for i in range(self.option_count) if not self.get_option_at_index(i).disabled]
        for index in enabled:
            option_id = self.get_option_at_index(index).id or ""
            if option_id not in ticked and not option_id.startswith(PHASE_HEADING):
                return index
        return enabled[0] if enabled else None

    def _checklist_options(
        self, state: IncidentState | None, progress: tuple[PhaseProgress, ...]
    ) -> list[Option]:
        if state is None:
            return []
        options = self._severity_options(state)
        current = next((p.index for p in progress if p.is_current), len(progress))
        for phase in progress:
            heading_id = f"{PHASE_HEADING}{phase.index}"
            at_hand = not phase.complete and (phase.overdue or phase.index - current in (0, 1))
            folded = at_hand == (heading_id in self._flipped)
            heading = _phase_heading(phase)
            heading.append("  ▸ space: show" if folded else "  ▾", "dim")
            options.append(Option(heading, id=heading_id))
            if folded:
                continue
            options.extend(
                self._item_option(state, item.id, item.text) for item in phase.phase.items
            )
        return options

    def _severity_options(self, state: IncidentState) -> list[Option]:
        try:
            severity = self._playbook.severity(state.severity)
        except KeyError:
            return []
        ids = [severity_action_id(severity.level, n) for n in range(1, len(severity.actions) + 1)]
        done = sum(1 for item_id in ids if item_id in state.ticked)
        heading = Text.assemble(
            (f"{severity.level} {severity.name} actions", "bold"),
            f"  {done}/{len(ids)}",
            style="underline",
        )
        options = [Option(heading, disabled=True)]
        for item_id, action in zip(ids, severity.actions, strict=True):
            prominent = is_all_hands(action)
            text = f"‼ {action.upper()} ‼" if prominent else action
            options.append(self._item_option(state, item_id, text, bold=prominent))
        return options

    def _item_option(
        self, state: IncidentState, item_id: str, text: str, *, bold: bool = False
    ) -> Option:
        tick = state.ticked.get(item_id)
        line = Text("[x] " if tick else "[ ] ")
        line.append(text, "bold reverse" if bold and tick is None else "bold" if bold else "")
        if tick is not None:
            line.append(
                f"  {clock_time(tick.at, self._timezone)} {visible(tick.actor, limit=40)}", "dim"
            )
        return Option(line, id=item_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._toggle(event.option.id)

    def action_toggle_item(self) -> None:
        if self.highlighted is not None:
            self._toggle(self.get_option_at_index(self.highlighted).id)

    def _toggle(self, item_id: str | None) -> None:
        if item_id is None:
            return
        if item_id.startswith(PHASE_HEADING):
            self._flipped ^= {item_id}
            self._drawn = None
            self._redraw()
            return
        ticked = self.state is not None and item_id in self.state.ticked
        self.post_message(self.TickRequested(item_id, ticked=not ticked))


def _heading_key(phase: PhaseProgress) -> tuple[bool, bool, int]:
    minutes = int(phase.overdue_by.total_seconds()) // 60 if phase.overdue_by else -1
    return phase.is_current, phase.overdue, minutes


def _phase_heading(phase: PhaseProgress) -> Text:
    """'▶ Investigation  5–15 min  2/5  OVERDUE +3:00' — words and marks, not only colour."""
    mark = "✓ " if phase.complete else "▶ " if phase.is_current else "  "
    window = window_label(phase.phase.window_start, phase.phase.window_end)
    heading = Text.assemble(
        mark, (phase.phase.name, "bold"), f"  {window}  {phase.done}/{phase.total}"
    )
    if phase.overdue and phase.overdue_by is not None:
        # Minutes are enough here; the strip above counts the current phase in seconds.
        late = span(timedelta(minutes=int(phase.overdue_by.total_seconds()) // 60))
        heading.append(f"  OVERDUE +{late}", "bold reverse")
    heading.stylize("underline")
    return heading
