"""Review: the war room of a past (or running) incident, read-only, with replay. A part of
`WarRoomScreen`, kept in its own module so that the screen stays one readable page.

Every key that would write or act stays where it is and says why it does nothing, so a
reviewer who knows the war room's keys is told rather than left guessing. The health and
log panes show what was recorded (`recorded_panes`); replay shows everything as it stood at
the chosen moment (`incident.replay`), and follows new events again once back to live.
With a filter in the log pane, the pane shows the whole archive's matches up to the shown
moment (`store.search_log_lines`, off the loop), not only the window of newest lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from textual.app import App
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from warroom.incident import Clock, IncidentState
from warroom.incident.replay import (
    LogLine,
    clamp,
    event_times,
    jump,
    lines_until,
    position_bar,
    recorded_health,
    state_at,
    step_event,
)
from warroom.logs.filter import FilterSpec
from warroom.playbook import Playbook
from warroom.session.incident_session import IncidentSession
from warroom.store import EventStore, LogMatches
from warroom.timeparse import DayRule, parse_time
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.log_pane import LogPane
from warroom.ui.widgets.recorded_panes import RecordedHealthPane, RecordedLogPane
from warroom.ui.widgets.timeline import TimelinePane

READ_ONLY = "review is read-only"

SCREEN_WRITES = (
    "add_note",
    "change_severity",
    "copy_status",
    "set_moment",
    "assign_roles",
    "escalate",
    "resolve",
    "reopen",
    "acknowledge",
    "rename",
    "emergency_commands",
    "browse_runbooks",
    "recent_changes",
)
"""The screen's actions that record an event, copy and record comms, or run a command."""
WIDGET_WRITES: Mapping[type[Widget], tuple[str, ...]] = {
    TimelinePane: ("edit_entry", "edit_time", "retract_entry", "mark_moment"),
    ChecklistPane: ("toggle_item",),
    LogPane: ("pin", "restart_sources"),
}
"""The panes' actions that write (their message would be recorded) or act on the world."""

REPLAY_BINDINGS = [
    Binding("comma", "replay_step(-1)", "Back", tooltip="Replay: the previous event"),
    Binding("full_stop", "replay_step(1)", "On", tooltip="Replay: the next event"),
    Binding("less_than_sign", "replay_jump(-60)", "-1 min", show=False),
    Binding("greater_than_sign", "replay_jump(60)", "+1 min", show=False),
    Binding("left_curly_bracket", "replay_jump(-600)", "-10 min", show=False),
    Binding("right_curly_bracket", "replay_jump(600)", "+10 min", show=False),
    Binding("g", "replay_goto", "Go to", tooltip="Replay: go to a typed time"),
    Binding("L", "replay_live", "Live", tooltip="Replay: back to now, following"),
]
"""Replay's keys, in `WarRoomScreen.BINDINGS` (Textual reads bindings from widget classes
only); offered in review alone (`check_action`)."""

REPLAY_ACTIONS = frozenset({"replay_step", "replay_jump", "replay_goto", "replay_live"})
ARCHIVE_LINES = 100_000
"""Archived lines review reads: as many as the log pane holds."""
REFRESH_ARCHIVE_SECONDS = 2.0
"""How often review of a running incident reads the archive again for newly captured lines."""

SearchKey = tuple[FilterSpec, datetime | None, int, LogLine | None]
"""What a search's answer holds for: the filter, the moment it stops at (None: live), and
the window it was made beside (its length and newest line, which move as lines arrive)."""

_W = TypeVar("_W", bound=Widget)


class ReplayBar(Static):
    """Where review is, between declared and resolved, with the key moments marked."""

    DEFAULT_CSS = "ReplayBar { height: 1; background: $boost; }"


class _Room(Protocol):
    playbook: Playbook
    clock: Clock
    session: IncidentSession
    store: EventStore
    incident_id: str
    review: bool
    replay_at: datetime | None
    archived: Sequence[LogLine]
    archive_search: FilterSpec | None
    found: tuple[SearchKey, LogMatches] | None
    searching: SearchKey | None

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    def query_one(self, selector: type[_W]) -> _W: ...
    def query(self, selector: type[_W]) -> Any: ...
    def run_worker(self, work: Any, *, group: str = ..., exclusive: bool = ...) -> Any: ...
    async def read_archive(self) -> None: ...
    async def search_archive(self, key: SearchKey) -> None: ...
    def shown_lines(self, at: datetime, when: str) -> tuple[Sequence[LogLine], str]: ...
    def notify(self, message: str, *, severity: Any = ..., markup: bool = ...) -> None: ...
    def refuse(self, what: str) -> None: ...
    def shown_time(self) -> datetime: ...
    def show_recorded(self) -> None: ...
    def replay_to(self, at: datetime | None) -> None: ...
    def _replay_span(self) -> tuple[datetime, datetime] | None: ...
    def _state_derived(self, state: IncidentState) -> None: ...


class ReviewMode:
    """Mixed into `WarRoomScreen`: the refusals, the recorded panes' data, and replay."""

    archived: Sequence[LogLine] = ()
    """The captured log lines, oldest first, as last read."""
    archive_search: FilterSpec | None = None
    """The log pane's filter, searched over the whole archive (None: the window is shown)."""
    found: tuple[SearchKey, LogMatches] | None = None
    """The last search's answer and what it holds for."""
    searching: SearchKey | None = None
    """The search under way, so that each beat does not start it again."""

    def guard_writes(self: _Room) -> None:
        """Stand a refusal in front of every action that writes or acts.

        Textual dispatches `_action_NAME` before `action_NAME`, on whichever node holds the
        binding (screen or pane), also from the palette: one refusal covers every way in.
        """
        nodes: list[tuple[Any, tuple[str, ...]]] = [(self, SCREEN_WRITES)]
        for kind, actions in WIDGET_WRITES.items():
            nodes += [(node, actions) for node in self.query(kind)]
        for node, actions in nodes:
            for action in actions:
                setattr(node, f"_action_{action}", partial(self.refuse, action))

    def refuse(self: _Room, what: str) -> None:
        self.notify(f"Not done ({what.replace('_', ' ')}): {READ_ONLY}.", severity="warning")

    def shown_time(self: _Room) -> datetime:
        """The moment the room shows: the replay position, else now."""
        return self.replay_at if self.replay_at is not None else self.clock()

    def shown_state(self: _Room, state: IncidentState) -> IncidentState:
        """The live state, or the incident as it stood at the replay position."""
        if self.replay_at is None:
            return state
        return state_at(self.session.events, self.playbook, self.replay_at)

    async def read_archive(self: _Room) -> None:
        """The captured log lines, read again while the incident is being captured."""
        self.archived = await self.store.log_lines(self.incident_id, limit=ARCHIVE_LINES)
        self.show_recorded()

    def refresh_archive(self: _Room) -> None:
        if self.replay_at is None and self.state is not None and self.state.is_open:
            self.run_worker(self.read_archive(), group="review-archive")

    def show_recorded(self: _Room) -> None:
        """Health, logs and the position bar as of the shown moment."""
        at = self.shown_time()
        zone = ZoneInfo(self.playbook.settings.display_timezone)
        self.query_one(RecordedHealthPane).show_recorded(
            recorded_health(self.session.events, at), at
        )
        local = at.astimezone(zone)
        when = "now" if self.replay_at is None else f"{local:%H:%M:%S} {local.tzname()}"
        lines, note = self.shown_lines(at, when)
        self.query_one(RecordedLogPane).show_lines(lines, note)
        bar = self.query_one(ReplayBar)
        span = self._replay_span()
        whole = self.session.state
        if span is None or whole is None:
            return
        mode = "live" if self.replay_at is None else "replay"
        head = f"REVIEW {mode} {local:%Y-%m-%d %H:%M:%S} {local.tzname()} "
        width = max(bar.content_region.width - len(head), 10)
        line = position_bar(*span, at, whole.moments, width=width)
        bar.update(head + line)

    def shown_lines(self: _Room, at: datetime, when: str) -> tuple[Sequence[LogLine], str]:
        """The log lines to show at `at` and the note saying what they are: the window of
        newest captured lines, or, with a filter, the whole archive's matches."""
        if self.archive_search is None:
            lines = lines_until(self.archived, at)
            return lines, f"captured log window ({READ_ONLY}): {len(lines):,} lines up to {when}"
        newest = self.archived[-1] if self.archived else None
        until = None if self.replay_at is None else at
        key: SearchKey = (self.archive_search, until, len(self.archived), newest)
        if key != self.searching and (self.found is None or self.found[0] != key):
            self.searching = key
            self.run_worker(self.search_archive(key), group="review-search", exclusive=True)
        if self.found is None:
            return (), f"searching the whole archive ({READ_ONLY})…"
        matches = self.found[1]
        shown = "" if matches.total == len(matches.rows) else f", the first {len(matches.rows):,}"
        stale = " (searching again…)" if self.found[0] != key else ""
        note = f"whole archive ({READ_ONLY}): {matches.total:,} matching lines up to {when}"
        return matches.rows, note + shown + stale

    async def search_archive(self: _Room, key: SearchKey) -> None:
        """Search the whole archive for `key`; the matches shown once they are in."""
        spec, until = key[0], key[1]
        matches = await self.store.search_log_lines(
            self.incident_id, spec.compile(), until=until, limit=ARCHIVE_LINES
        )
        if self.archive_search == spec:
            self.found = (key, matches)
            self.show_recorded()

    def on_recorded_log_pane_archive_search_requested(
        self: _Room, message: RecordedLogPane.ArchiveSearchRequested
    ) -> None:
        self.archive_search = message.spec
        self.found = self.searching = None
        self.show_recorded()

    def _replay_span(self: _Room) -> tuple[datetime, datetime] | None:
        """From the declaration to the resolution (or now, while the incident is open)."""
        events = self.session.events
        if not events:
            return None
        latest = self.session.state
        start = events[0].at
        end = self.clock() if latest is None or latest.is_open else latest.resolved_at
        return start, max(start, end or self.clock())

    def replay_to(self: _Room, at: datetime | None) -> None:
        """Show the incident at `at` (None: live again)."""
        self.replay_at = at
        if self.session.state is not None:
            self._state_derived(self.session.state)

    def action_replay_step(self: _Room, direction: int) -> None:
        times = event_times(self.session.events)
        if times:
            self.replay_to(step_event(times, self.shown_time(), direction))

    def action_replay_jump(self: _Room, seconds: int) -> None:
        span = self._replay_span()
        if span is not None:
            self.replay_to(jump(self.shown_time(), timedelta(seconds=seconds), *span))

    def action_replay_goto(self: _Room) -> None:
        from warroom.ui.screens.prompts import ask_text

        zone = self.playbook.settings.display_timezone

        def go(text: str | None) -> None:
            span = self._replay_span()
            if not text or span is None:
                return
            # A bare time of day is the incident's day, not today's.
            near = clamp(self.shown_time(), *span)
            try:
                at = parse_time(text, zone=zone, near=near, rule=DayRule.NEAREST)
            except ValueError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.replay_to(clamp(at, *span))

        ask_text(self.app, f"Replay at (HH:MM[:SS] or ISO time, {zone}):", go)

    def action_replay_live(self: _Room) -> None:
        self.replay_to(None)
