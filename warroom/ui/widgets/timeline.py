"""The timeline: the incident's event log as readable lines, oldest first, and its editing.

Each line is one `TimelineEntry` as `derive` left it (edits applied, retractions gone):
time in the display zone with the zone named, a `◆ MOMENT` badge when the entry is what a
key moment currently rests on, who, what, and `(edited)` when an edit changed it. Entry text
quotes log lines and HTTP reasons, so it goes through `warroom.safetext` into plain `Text`.

Corrections never touch the store from here: the pane asks for them with `EventRequested`
(`entry.edited`, `entry.retracted`, `moment.set`) and shows the result only when the
derived state comes back down through `state`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var

from warroom import incident as kinds
from warroom.incident import (
    Clock,
    IncidentState,
    NewEvent,
    TimelineEntry,
    entry_edited,
    entry_retracted,
    moment_set,
)
from warroom.playbook import KEY_MOMENTS, KeyMoment
from warroom.safetext import safe_text, visible
from warroom.ui.messages import EventRequested
from warroom.ui.timefmt import clock_time
from warroom.ui.widgets.timeline_view import TimelineView

# The prompts the actions push are imported by those actions: the war room's first frame
# does not wait for them.


class TimelineFilter(NamedTuple):
    """One way of narrowing the timeline, by the kinds of entries it keeps."""

    label: str
    """Shown in the filter chooser and above the list, e.g. "Notes only"."""
    kinds: frozenset[str] | None
    """Entry kinds kept; None keeps every kind."""
    moments_only: bool = False
    """Keep only entries a key moment rests on (and moments set by hand)."""


FILTERS: Mapping[str, TimelineFilter] = {
    "all": TimelineFilter("All entries", None),
    "notes": TimelineFilter("Notes only", frozenset({kinds.NOTE_ADDED})),
    "moments": TimelineFilter("Key moments", None, moments_only=True),
    "health": TimelineFilter("Health", frozenset({kinds.HEALTH_CHANGED})),
    "logs": TimelineFilter("Pinned logs", frozenset({kinds.LOG_PINNED})),
    "checklist": TimelineFilter("Checklist", frozenset({kinds.ITEM_TICKED, kinds.ITEM_UNTICKED})),
    "comms": TimelineFilter(
        "Comms", frozenset({kinds.COMMS_COPIED, kinds.COMMS_PUBLISHED, kinds.FIELD_SET})
    ),
    "severity": TimelineFilter(
        "Severity and status",
        frozenset(
            {
                kinds.DECLARED,
                kinds.SEVERITY_CHANGED,
                kinds.ESCALATED,
                kinds.RESOLVED,
                kinds.REOPENED,
                kinds.ROLE_ASSIGNED,
            }
        ),
    ),
    "commands": TimelineFilter("Commands run", frozenset({kinds.COMMAND_RUN})),
}
"""Filter id -> filter, in the order the chooser lists them."""


class TimelinePane(TimelineView):
    """The incident's timeline; follows the end as entries arrive unless moved up.

    | Key | Does |
    | :- | :- |
    | up/down, home/end | move between entries (end follows new ones again) |
    | e | edit: a note's text (or its time), any other entry's time |
    | t | edit the highlighted entry's time |
    | d | retract the highlighted entry, after confirming |
    | m | mark the highlighted entry as a key moment |
    | f | choose which kinds of entries to show |
    | o | notes only / everything |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_entry", "Edit entry", id="timeline-edit"),
        Binding("t", "edit_time", "Edit entry time", id="timeline-edit-time"),
        Binding("d", "retract_entry", "Retract entry", id="timeline-retract"),
        Binding("m", "mark_moment", "Mark key moment", id="timeline-moment"),
        Binding("f", "choose_filter", "Filter timeline", id="timeline-filter"),
        Binding("o", "toggle_notes_only", "Notes only", id="timeline-notes-only"),
    ]

    # The region around the pane already shows focus; a focus border of its own would
    # shift every line when the pane gains focus.
    DEFAULT_CSS = """
    TimelinePane.-filtered { border-top: hkey $primary; border-title-color: $text; }
    """

    state: var[IncidentState | None] = var(None)
    """The incident as derived from its events."""
    kind_filter: var[str] = var("all")
    """The id of the `FILTERS` entry in force."""

    class FilterChanged(Message):
        """The filter in force changed; `label` says what is shown (e.g. "Notes only")."""

        def __init__(self, filter_id: str, label: str) -> None:
            super().__init__()
            self.filter_id = filter_id
            self.label = label

    def __init__(self, *, timezone: str, clock: Clock, id: str | None = None) -> None:  # noqa: A002
        """`timezone` is the playbook's display zone (an IANA name); `clock` says when now is
        (no entry may be moved past it)."""
        super().__init__(timezone=timezone, id=id)
        self._clock = clock
        self._hold: tuple[int, datetime, str] | None = None
        # An entry being corrected keeps the highlight until the correction shows, even if
        # it was the last line and its new time moves it up.
        self._drawn: _Drawn | None = None

    # Showing ------------------------------------------------------------------------------

    def watch_state(self, state: IncidentState | None) -> None:
        self._redraw()

    def watch_kind_filter(self, filter_id: str) -> None:
        chosen = FILTERS[filter_id]
        filtered = filter_id != "all"
        self.set_class(filtered, "-filtered")
        self.border_title = f"Showing: {chosen.label} (f to change)" if filtered else None
        self.post_message(self.FilterChanged(filter_id, chosen.label))
        self._redraw()

    def _redraw(self) -> None:
        state = self.state
        if state is None:
            return
        drawn, self._drawn = self._drawn, _Drawn(state, self.kind_filter)
        if drawn is not None and drawn.grows_into(state, self.kind_filter):
            self._append(state, state.timeline[len(drawn.state.timeline) :])
        else:
            self._rebuild(state)

    def _append(self, state: IncidentState, arrived: Sequence[TimelineEntry]) -> None:
        """Entries only arrived at the end: add their rows, follow them if at the end."""
        chosen = FILTERS[self.kind_filter]
        following = self.highlighted is None or self.highlighted >= self.entry_count - 1
        held = self._hold is not None and self._hold[0] == getattr(
            self.highlighted_entry, "seq", None
        )
        self.extend([entry for entry in arrived if _keeps(chosen, entry, state.marks)], state.marks)
        if following and not held and self.entry_count:
            self.highlighted = self.entry_count - 1

    def _rebuild(self, state: IncidentState) -> None:
        previous = self.highlighted_entry
        previous_index = self.highlighted
        following = previous_index is None or previous_index >= self.entry_count - 1
        scroll_y = self.scroll_y

        chosen = FILTERS[self.kind_filter]
        shown = [entry for entry in state.timeline if _keeps(chosen, entry, state.marks)]
        self.show(shown, state.marks, empty_text=_empty_text(self.kind_filter))
        if not shown:
            self.highlighted = None
            return

        if self._hold is not None and (previous is None or previous.seq != self._hold[0]):
            self._hold = None  # the user moved on: their choice wins over the hold
        target = self._held_seq()
        if target is None and not following and previous is not None:
            target = self.row_of(previous.seq)
        if target is not None:
            self.highlighted = target
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            self.scroll_to_highlight()
        elif following:
            self.highlighted = self.entry_count - 1
        else:
            # The highlighted entry left (retracted or filtered out): stay where it was.
            self.highlighted = min(previous_index or 0, self.entry_count - 1)
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            self.scroll_to_highlight()

    def _held_seq(self) -> int | None:
        """The row a pending correction keeps highlighted, until the correction shows."""
        if self._hold is None:
            return None
        seq, at, text = self._hold
        row = self.row_of(seq)
        entry = self.entry_at(row) if row is not None else None
        if entry is None or (entry.at, entry.text) != (at, text):
            self._hold = None  # retracted, filtered out or corrected: following from here
        return row

    # Editing ------------------------------------------------------------------------------

    def _highlighted_entry(self) -> TimelineEntry | None:
        entry = self.highlighted_entry
        if entry is None:
            self.notify("Highlight an entry first.", severity="warning")
        return entry

    def _describe(self, entry: TimelineEntry) -> Text:
        return Text.assemble(
            clock_time(entry.at, self._timezone),
            " ",
            safe_text(entry.actor, limit=40),
            ": ",
            safe_text(entry.text, limit=200),
        )

    def _request(self, new: NewEvent, *, hold: TimelineEntry | None = None) -> None:
        """Ask the screen for an event; `hold` keeps that entry highlighted as it moves."""
        if hold is not None:
            self._hold = (hold.seq, hold.at, hold.text)
        self.post_message(EventRequested(new))

    def action_edit_entry(self) -> None:
        from warroom.ui.screens.prompts import ask_choice

        entry = self._highlighted_entry()
        if entry is None:
            return
        if entry.kind != kinds.NOTE_ADDED:
            self._ask_time(entry)
            return

        def chosen(what: str | None) -> None:
            if what == "text":
                self._ask_text(entry)
            elif what == "time":
                self._ask_time(entry)

        choices = [("text", "The note's text"), ("time", "When it happened")]
        ask_choice(self.app, "Edit what?", choices, chosen, selected="text")

    def action_edit_time(self) -> None:
        entry = self._highlighted_entry()
        if entry is not None:
            self._ask_time(entry)

    def _ask_text(self, entry: TimelineEntry) -> None:
        from warroom.ui.screens.prompts import ask_note

        # Prefilled with the visible form, line by line: a control character in a note is
        # never echoed, and a note of several lines is edited as several lines.
        shown = "\n".join(visible(line, limit=None) for line in entry.full_text.split("\n"))

        def edited(text: str | None) -> None:
            if text and text != shown:
                self._request(entry_edited(entry.seq, text=text), hold=entry)

        ask_note(self.app, "Note text:", edited, value=shown)

    def _ask_time(self, entry: TimelineEntry) -> None:
        from warroom.ui.screens.timeline_edit import TimePrompt

        def edited(at: datetime | None) -> None:
            if at is not None and at != entry.at:
                self._request(entry_edited(entry.seq, at=at), hold=entry)

        question = Text.assemble("When did this happen?\n", self._describe(entry))
        self.app.push_screen(
            TimePrompt(question=question, current=entry.at, zone=self._timezone, now=self._clock()),
            edited,
        )

    def action_retract_entry(self) -> None:
        from warroom.ui.screens.confirm import confirm

        entry = self._highlighted_entry()
        if entry is None:
            return
        if entry.kind == kinds.DECLARED:
            self.notify(
                "The declaration can't be retracted: the incident's id, title and start "
                "rest on it. Edit its time with t, or resolve the incident.",
                severity="warning",
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._request(entry_retracted(entry.seq))

        question = Text.assemble(
            "Retract this entry?\n",
            self._describe(entry),
            "\nIt leaves the timeline; the history keeps it.",
        )
        confirm(self.app, confirmed, question, yes="Retract", no="Keep")

    def action_mark_moment(self) -> None:
        from warroom.ui.screens.prompts import ask_choice

        entry = self._highlighted_entry()
        if entry is None:
            return

        def chosen(moment: str | None) -> None:
            if moment in KEY_MOMENTS:
                self._request(moment_set(moment, entry.at, target_seq=entry.seq))

        choices: list[tuple[str, str]] = [(m, m.capitalize()) for m in KEY_MOMENTS]
        question = Text.assemble("This entry is when the incident was…\n", self._describe(entry))
        ask_choice(self.app, question.plain, choices, chosen, selected=entry.moment)

    # Filtering ----------------------------------------------------------------------------

    def action_choose_filter(self) -> None:
        from warroom.ui.screens.prompts import ask_choice

        def chosen(filter_id: str | None) -> None:
            if filter_id is not None and filter_id in FILTERS:
                self.kind_filter = filter_id

        choices = [(key, f.label) for key, f in FILTERS.items()]
        ask_choice(self.app, "Show which entries?", choices, chosen, selected=self.kind_filter)

    def action_toggle_notes_only(self) -> None:
        self.kind_filter = "all" if self.kind_filter == "notes" else "notes"


class _Drawn(NamedTuple):
    """What the pane last drew: the state and the filter it drew it with."""

    state: IncidentState
    filter_id: str

    def grows_into(self, state: IncidentState, filter_id: str) -> bool:
        """True if `state` only adds entries at the end of what was drawn, under the same
        filter (and, for the key-moments filter, the same marks: they decide what it keeps)."""
        return (
            filter_id == self.filter_id
            and state.timeline_epoch == self.state.timeline_epoch
            and len(state.timeline) >= len(self.state.timeline)
            and not (FILTERS[filter_id].moments_only and state.marks != self.state.marks)
        )


def _keeps(
    chosen: TimelineFilter, entry: TimelineEntry, marks: Mapping[int, tuple[KeyMoment, ...]]
) -> bool:
    if chosen.moments_only:
        return entry.seq in marks or entry.kind == kinds.MOMENT_SET
    return chosen.kinds is None or entry.kind in chosen.kinds


def _empty_text(filter_id: str) -> str:
    if filter_id == "notes":
        return "No notes yet: n adds one; o shows every entry."
    return f"Nothing here under '{FILTERS[filter_id].label}': f changes the filter."
