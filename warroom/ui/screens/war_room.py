"""The war room: header, clock and phase strips, four regions (health, logs, checklist,
timeline), footer.

State flows down: the screen's `IncidentSession` follows the incident's event log, derives
the incident state, and the screen binds it into the widgets. Events flow up: widgets post
messages saying what the user asked for; the session appends the matching event and only the
store's answer changes what is shown, so nothing looks done before it is committed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from warroom.clipboard import LocalClipboard
from warroom.health.monitor import HealthMonitor, Target
from warroom.incident import (
    Clock,
    Event,
    IncidentState,
    NewEvent,
    log_pinned,
)
from warroom.incident.clocks import Clocks, clocks
from warroom.logs.step_aside import StepAside
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.session.incident_session import IncidentSession, Written
from warroom.session.presence import PresenceBeacon
from warroom.store import EventStore, Presence
from warroom.ui.messages import EventRequested
from warroom.ui.pulse import on_beat
from warroom.ui.screens.region_screen import RegionScreen
from warroom.ui.screens.war_room_commands import RunCommands
from warroom.ui.screens.war_room_comms import CommsCommands
from warroom.ui.screens.war_room_confirmed import ConfirmedCommands
from warroom.ui.screens.war_room_incident import IncidentCommands
from warroom.ui.screens.war_room_postmortem import (
    POSTMORTEM_BINDING,
    PostmortemCommands,
    PostmortemWriter,
)
from warroom.ui.screens.war_room_review import (
    REFRESH_ARCHIVE_SECONDS,
    REPLAY_ACTIONS,
    REPLAY_BINDINGS,
    ReplayBar,
    ReviewMode,
)
from warroom.ui.screens.war_room_runbooks import SUGGEST_SECONDS, RunbookCommands
from warroom.ui.widgets.busy_line import BusyLine, progress
from warroom.ui.widgets.checklist import ChecklistPane, already_done
from warroom.ui.widgets.clock_strip import ClockStrip
from warroom.ui.widgets.command_panel import CommandPanel
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.incident_header import IncidentHeader
from warroom.ui.widgets.key_bar import KeyBar
from warroom.ui.widgets.log_pane import LogPane
from warroom.ui.widgets.phase_strip import PhaseStrip
from warroom.ui.widgets.recorded_panes import RecordedHealthPane, RecordedLogPane
from warroom.ui.widgets.regions import REGIONS, Regions
from warroom.ui.widgets.suggestion_line import SuggestionLine
from warroom.ui.widgets.timeline import TimelinePane

# The prompts and forms the actions push are imported by those actions: the first frame
# does not wait for their modules (and Textual's widgets they pull in).

FOLLOW_RETRY_SECONDS = 2.0
"""Pause before following the incident log again after it failed."""
WATCH_AFTER_SECONDS = 0.15
"""The first health round, the log sources, the presence beacon and the store's follow start
this long after the refresh that follows the incident's load, so that it is on screen first:
Textual writes its first frame only once the app's start-up batch has ended, a refresh or two
after the load, and httpx's import and TLS setup, the sources' forks (~¼ s on the event loop)
and the store's queries would hold that frame back. Counted from the refresh, not the load:
on a busy machine the frame can take longer than this to come."""


class WarRoomScreen(
    ReviewMode,
    PostmortemCommands,
    IncidentCommands,
    ConfirmedCommands,
    RunbookCommands,
    RunCommands,
    CommsCommands,
    RegionScreen,
):
    """One incident. Below 100×28 cells the regions are switched instead of squeezed.
    With `review`, read-only and replayable (`war_room_review`).

    Its keys are `BINDINGS` here and in the mixins (`?` lists them all, with what each does).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_region('health')", "Health", id="region-health"),
        Binding("2", "show_region('logs')", "Logs", id="region-logs"),
        Binding("3", "show_region('checklist')", "Checklist", id="region-checklist"),
        Binding("4", "show_region('timeline')", "Timeline", id="region-timeline"),
        *REPLAY_BINDINGS,  # first in review's footer; not offered elsewhere (check_action)
        Binding("n", "add_note", "Add note", id="add-note"),
        Binding("s", "change_severity", "Change severity", id="change-severity"),
        Binding("c", "copy_status", "Copy status text", id="copy-status"),
        # Short descriptions keep the footer readable; the tooltip is the palette's help line.
        # Keys the log and timeline panes leave free, so they work wherever the focus is.
        Binding(
            "M", "set_moment", "Moment", tooltip="Set a key moment and its time", id="set-moment"
        ),
        Binding("a", "assign_roles", "Roles", tooltip="Commander, scribe, comms", id="roles"),
        Binding(
            "exclamation_mark", "escalate", "Escalate", tooltip="To the next level", id="escalate"
        ),
        # One key, two actions: check_action offers whichever fits the incident's status.
        Binding("R", "resolve", "Resolve", tooltip="Resolve the incident (asks)", id="resolve"),
        Binding("R", "reopen", "Reopen", tooltip="Reopen the resolved incident", id="reopen"),
        Binding("A", "acknowledge", "Ack", tooltip="Acknowledge: I am responding", id="ack"),
        Binding("T", "rename", "Rename", tooltip="Rename the incident", id="rename"),
        Binding("I", "show_title", "Show title", tooltip="The whole incident title", id="title"),
        Binding(
            "x",
            "emergency_commands",
            "Commands",
            tooltip="Emergency commands, quick checks, rollbacks",
            id="emergency-commands",
        ),
        Binding("b", "browse_runbooks", "Runbooks", tooltip="Suggested first", id="runbooks"),
        Binding("D", "recent_changes", "Changes", tooltip="Releases, commits", id="changes"),
        POSTMORTEM_BINDING,  # also in review: the one write it allows (war_room_postmortem)
    ]

    state: var[IncidentState | None] = var(None)
    """The incident derived from every event read so far."""
    now: var[datetime | None] = var(None)
    """The clock, advanced every second."""
    clocks: var[Clocks | None] = var(None, always_update=True)
    """Every clock of the incident at `now`, computed once for the widgets that show them;
    set after every new state too (always_update), so those widgets redraw once for both."""
    health_summary: var[str] = var("")
    """e.g. '2/7 down', as the health pane last counted."""
    present: var[tuple[Presence, ...]] = var(())
    """The other terminals on this incident (`session.presence`)."""
    queued: var[int] = var(0)
    """Events waiting in the store's outbox while its server is away."""
    replay_at: var[datetime | None] = var(None)
    """In review, the moment shown (None: now, following new events)."""
    AUTO_FOCUS = ""
    """None: the active region takes the focus (`Regions.active`). Textual's default (for
    None too, the app's "*") would focus the tabs first, restyling them and then the region
    before the first frame."""

    def __init__(
        self,
        *,
        incident_id: str,
        playbook: Playbook,
        store: EventStore,
        actor: str,
        clock: Clock,
        copies_dir: Path,
        local_clipboard: LocalClipboard | None,
        review: bool = False,
        postmortem_writer: PostmortemWriter | None = None,
        step_aside: StepAside | None = None,
    ) -> None:
        """`copies_dir` receives copied texts no clipboard confirmed; `local_clipboard`
        None leaves the host clipboard alone (tests); `review` refuses every write but the
        post-mortem's, written through `postmortem_writer`, and shows what was recorded
        instead of polling and tailing; the log sources wait while `step_aside` is held."""
        super().__init__()
        self.review = review
        self.postmortem_writer = postmortem_writer
        self.step_aside = step_aside
        # `--read-only` refuses the whole war room (cli.main); the playbook's setting opens
        # it with destructive commands refused and no run recorded.
        self.read_only = playbook.settings.read_only
        self.copies_dir = copies_dir
        self.local_clipboard = local_clipboard
        self.incident_id = incident_id
        self.playbook = playbook
        self.store = store
        self.actor = actor
        self.clock = clock
        self.session = IncidentSession(
            store=store,
            incident_id=incident_id,
            playbook=playbook,
            actor=actor,
            clock=clock,
            on_state=self._state_derived,
            on_refused=self._write_refused,
        )

    def compose(self) -> ComposeResult:
        zone = self.playbook.settings.display_timezone
        yield IncidentHeader(
            severity_names={s.level: s.name for s in self.playbook.severities}
        ).data_bind(
            WarRoomScreen.state,
            WarRoomScreen.clocks,
            WarRoomScreen.health_summary,
            WarRoomScreen.present,
            WarRoomScreen.queued,
        )
        yield ClockStrip().data_bind(WarRoomScreen.clocks)
        yield PhaseStrip().data_bind(WarRoomScreen.clocks)
        if self.review:
            yield ReplayBar(markup=False)
        yield SuggestionLine()
        yield from self.compose_tabs()
        # Made here, not in Regions.compose: data_bind binds to the screen composing them.
        bodies = {key: self._region_body(key, zone=zone) for key in REGIONS}
        yield Regions(bodies, id="regions")
        yield BusyLine()
        yield KeyBar()

    def _region_body(self, key: str, *, zone: str) -> Widget:
        if key == "health":
            targets: tuple[Target, ...] = (*self.playbook.services, *self.playbook.providers)
            clock = self.shown_time if self.review else self.clock
            monitor = HealthMonitor(targets, clock=clock, secrets=self.playbook.secrets)
            health = RecordedHealthPane if self.review else HealthPane
            return health(monitor=monitor, timezone=zone, autostart=False)
        if key == "logs":
            return (RecordedLogPane if self.review else LogPane)(
                sources=self.playbook.log_sources,
                presets=self.playbook.log_presets,
                capture=None if self.review else self.session.log_capture(),
                tz=ZoneInfo(zone),
                clock=self.clock,
                secrets=self.playbook.secrets,
                autostart=False,
                on_lines=self.count_log_lines,
                step_aside=self.step_aside,
            )
        if key == "checklist":
            return CommandPanel(playbook=self.playbook, timezone=zone).data_bind(
                WarRoomScreen.state, WarRoomScreen.clocks
            )
        assert key == "timeline", key
        return TimelinePane(timezone=zone, clock=self.clock).data_bind(WarRoomScreen.state)

    async def on_mount(self) -> None:
        self._show_region(self.active_region)
        self.now = self.clock()
        on_beat(self, 1.0, self._tick)
        if not self.review:  # suggestions say what to do now; review does nothing
            on_beat(self, SUGGEST_SECONDS, self.update_suggestions)
        await self.session.load()
        if self.review:
            self.guard_writes()
            on_beat(self, REFRESH_ARCHIVE_SECONDS, self.refresh_archive)
            self.run_worker(self.read_archive(), group="review-archive")
            self._follow()
        else:
            self.call_after_refresh(self.set_timer, WATCH_AFTER_SECONDS, self._start_watching)

    def _others_present(self, present: tuple[Presence, ...]) -> None:
        self.present = present

    def _start_watching(self) -> None:
        if not self.is_attached:
            return
        self.query_one(HealthPane).start()
        self.query_one(LogPane).start()
        beacon = PresenceBeacon(
            self.session.store,
            self.session.incident_id,
            actor=self.session.actor,
            region=lambda: self.active_region,
            on_change=self._others_present,
        )
        self.run_worker(beacon.run(), group="presence", exit_on_error=False)
        # From the position the load reached: nothing appended meanwhile is missed.
        self._follow()

    def _tick(self) -> None:
        self.now = self.shown_time()
        self.queued = self.session.store.queued()
        self._count_clocks()
        if self.review and self.is_mounted:
            self.show_recorded()

    def _count_clocks(self) -> None:
        # After `state` or `now` moved: the widgets bound to both redraw once, on `clocks`.
        if self.state is not None and self.now is not None:
            self.clocks = clocks(self.state, self.playbook, self.now)

    @work(exclusive=True, group="follow-store", exit_on_error=False)
    async def _follow(self) -> None:
        """Pick up events appended by this process and by any other one on the same db."""
        await self.session.follow()

    @on(Worker.StateChanged)
    def _follow_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "follow-store" or event.state != WorkerState.ERROR:
            return
        # Without following, other terminals' changes would silently stop arriving.
        self.notify(
            f"Lost sync with the incident log: {visible(str(event.worker.error), limit=200)}. "
            "Retrying.",
            severity="warning",
            markup=False,
        )
        self.set_timer(FOLLOW_RETRY_SECONDS, self._follow)

    def _state_derived(self, state: IncidentState) -> None:
        self.state = self.shown_state(state)
        if self.review and self.is_mounted:
            self.now = self.shown_time()
            self.show_recorded()
        self._count_clocks()

    def _write_refused(self, kind: str, error: Exception) -> None:
        self.notify(
            f"Not recorded ({kind}): {visible(str(error), limit=200)}. Try again.",
            title="Store refused the change",
            severity="error",
            timeout=15,
            markup=False,
        )

    async def record(self, new: NewEvent) -> Event | None:
        """Append an event through the session; None (and a notice) if the store refused."""
        if self.review:
            self.refuse(new.kind)
            return None
        # Another terminal's write can hold the lock for seconds: past 300 ms it shows.
        async with progress(self, "Writing to the incident log"):
            return await self.session.record(new)

    # What widgets ask for -----------------------------------------------------------------

    @on(EventRequested)
    async def _event_requested(self, message: EventRequested) -> None:
        message.stop()
        await self.record(message.new)

    @on(LogPane.PinRequested)
    async def _pin_requested(self, message: LogPane.PinRequested) -> None:
        record = message.record
        await self.record(log_pinned(record.source, record.raw, record.time or self.clock()))

    @on(HealthPane.SummaryChanged)
    def _health_counted(self, message: HealthPane.SummaryChanged) -> None:
        self.health_summary = message.text

    @on(HealthPane.TargetChanged)
    async def _health_changed(self, message: HealthPane.TargetChanged) -> None:
        await self.session.record_health_change(message.event())

    @on(ChecklistPane.TickRequested)
    async def _tick_requested(self, message: ChecklistPane.TickRequested) -> None:
        item_id, ticked = message.item_id, message.ticked
        async with progress(self, "Writing to the incident log"):
            written = await self.session.record_tick(item_id, ticked=ticked)
        if written is not Written.ALREADY:
            return
        # Another terminal was first; the checklist now shows its change, and says so.
        zone = self.playbook.settings.display_timezone
        self.notify(already_done(self.state, item_id, zone), markup=False)

    # Incident command --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Resolve is offered while the incident is open, reopen once it is resolved; replay
        only in review."""
        if action in REPLAY_ACTIONS:
            return self.review
        if action in ("resolve", "reopen") and self.state is not None:
            return self.state.is_open == (action == "resolve")
        return True
