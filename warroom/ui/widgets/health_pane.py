"""The health pane: one row per service and provider, live, with the last answer on enter.

The pane owns nothing but its rows: a `HealthMonitor` is passed in and run in a worker;
each sample arrives as a message, updates one row, and — when the shown state changed —
bubbles up as `HealthPane.TargetChanged` for the screen to record on the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ListView, Static
from textual.worker import Worker, WorkerState

from warroom.health.monitor import HealthMonitor, HealthSample, State, stale_after, summary
from warroom.incident import NewEvent, health_changed
from warroom.safetext import visible
from warroom.ui.pulse import on_beat
from warroom.ui.screens.dialog import Dialog
from warroom.ui.widgets.health_row import HealthList, HealthRow, format_latency


class HealthDetailScreen(Dialog[None]):
    """The last response of one target, as plain text: status line, headers, body start.

    | Key | Does |
    | :- | :- |
    | escape, q | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="health-detail-close"),
        Binding("q", "dismiss", "Close", show=False),
    ]

    DEFAULT_CSS = """
    HealthDetailScreen {
        align: center middle;
        & > VerticalScroll {
            width: 90%; height: 90%; max-width: 120;
            border: round $primary; background: $surface; padding: 0 1;
        }
    }
    """

    def __init__(self, *, target: str, sample: HealthSample | None, timezone: str) -> None:
        """`timezone`: the display zone the answer's time is shown in (and named)."""
        super().__init__()
        self._target = target
        self._sample = sample
        self._timezone = timezone

    def compose(self) -> ComposeResult:
        sample = self._sample
        if sample is None:
            head, body = "no answer yet", ""
        else:
            latency = format_latency(sample.latency)
            local = sample.at.astimezone(ZoneInfo(self._timezone))
            head = f"{sample.state} · {latency} · {local:%Y-%m-%d %H:%M:%S} {local.tzname()}"
            body = f"{sample.reason}\n\n{sample.detail}"
        scroll = VerticalScroll()
        scroll.border_title = Text(f"{self._target}: {head}")
        scroll.border_subtitle = "escape to close"
        with scroll:
            # Text, never a markup string: the body came from the network.
            yield Static(Text(body), markup=False, id="health-detail-body")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


class _SamplesArrived(Message):
    """Samples from the monitor worker are waiting in the pane; handled by the pane itself."""


class HealthPane(Widget):
    """Live health of every service and provider.

    | Key | Does |
    | :- | :- |
    | up/down | move between targets |
    | enter, d | show the highlighted target's last response |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "show_detail", "Last response", id="health-show-detail"),
    ]

    DEFAULT_CSS = """
    HealthPane {
        height: 1fr;
        & > HealthList { height: 1fr; background: transparent; }
        /* ListView gives its items height: auto, which would measure the line at a width
           it does not have yet; a row is one line, always. */
        & > HealthList > HealthRow { height: 1; }
        & > .hp-empty { color: $text-muted; padding: 1 2; }
        & > #hp-stopped { display: none; color: $text; background: $error; padding: 0 1; }
        &.-stopped > #hp-stopped { display: block; }
    }
    """

    summary_text: reactive[str] = reactive("")
    """The header summary, e.g. "2/7 down, 1 degraded"."""

    class TargetChanged(Message):
        """A target's shown state changed (its first sample counts: from "unknown")."""

        def __init__(self, sample: HealthSample, previous: State) -> None:
            super().__init__()
            self.sample = sample
            self.previous: State = previous
            """The state shown before `sample`."""

        def event(self) -> NewEvent:
            """The `health.changed` event that records this change."""
            sample = self.sample
            return health_changed(
                sample.target,
                self.previous,
                sample.state,
                status=sample.status,
                reason=sample.reason,
            )

    class SummaryChanged(Message):
        """The counts behind the header summary changed."""

        def __init__(self, down: int, total: int, text: str) -> None:
            super().__init__()
            self.down = down
            self.total = total
            self.text = text
            """E.g. "2/7 down, 1 degraded" or "7/7 up"."""

    def __init__(
        self,
        *,
        monitor: HealthMonitor,
        timezone: str = "UTC",
        autostart: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        """`timezone`: the display zone times are shown in; `autostart=False` leaves polling
        to `start()` (tests, or a paused demo)."""
        super().__init__(name=name, id=id, classes=classes)
        self.monitor = monitor
        self._timezone = timezone
        self._autostart = autostart
        self._rows = {
            t.name: HealthRow(target=t.name, stale_after=stale_after(t.interval, t.timeout))
            for t in monitor.targets
        }
        self._states: dict[str, State] = dict.fromkeys(self._rows, "unknown")
        self._pending: list[HealthSample] = []
        self.latest: dict[str, HealthSample] = {}
        """Each target's newest sample (what suggesting runbooks reads)."""
        self._news_on_beat: dict[str, HealthSample] = {}
        self.worker: Worker[None] | None = None
        """The polling worker, once started."""

    @property
    def states(self) -> Mapping[str, State]:
        """target -> the state each row shows now."""
        return MappingProxyType(self._states)

    def compose(self) -> ComposeResult:
        if not self._rows:
            yield Static("no services or providers in the playbook", classes="hp-empty")
        yield Static("", id="hp-stopped", markup=False)
        yield HealthList(*self._rows.values())

    def on_mount(self) -> None:
        self._update_summary()
        on_beat(self, 1.0, self._refresh_ages)
        if self._autostart:
            self.start()

    def start(self) -> None:
        """Start polling in a worker that never takes the app down."""
        if self.worker is None or self.worker.is_finished:
            self.worker = self.run_worker(
                self.monitor.run(self._on_sample),
                name="health-monitor",
                group="health",
                exit_on_error=False,
            )

    def _on_sample(self, sample: HealthSample) -> None:
        # Called in the worker: never touch widgets here. Samples that arrive together
        # (a burst of polls finishing at once) are shown in one batch, one message.
        self._pending.append(sample)
        if len(self._pending) == 1:
            self.post_message(_SamplesArrived())

    @on(_SamplesArrived)
    def _show_samples(self) -> None:
        samples, self._pending = self._pending, []
        now = self.monitor.clock()
        for sample in samples:
            row = self._rows.get(sample.target)
            if row is None:
                continue
            if sample.changed or row.overdue:
                self._news_on_beat.pop(sample.target, None)
                row.show(sample, now)
            else:
                # Same state, only a new latency: drawn with the ages on the next beat, not
                # in a frame of its own (polls finish at any moment; each frame costs ms).
                self._news_on_beat[sample.target] = sample
            self._states[sample.target] = sample.state
            self.latest[sample.target] = sample
            if sample.changed:
                self.post_message(self.TargetChanged(sample, sample.previous))
        # Also without a change of state: a fresh answer may end a row's staleness.
        self._update_summary()

    def _update_summary(self) -> None:
        if self.has_class("-stopped"):
            return  # "polling stopped" stays: no count is live any more
        down, total, text = summary(self._states.values())
        stale = sum(row.stale for row in self._rows.values())
        if stale:
            text += f", {stale} stale"
        if text != self.summary_text:
            self.summary_text = text
            self.post_message(self.SummaryChanged(down, total, text))

    def _refresh_ages(self) -> None:
        now = self.monitor.clock()
        news, self._news_on_beat = self._news_on_beat, {}
        for target, row in self._rows.items():
            sample = news.get(target)
            if sample is not None:
                row.show(sample, now)
            else:
                row.show_age(now)
        self._update_summary()

    @on(ListView.Selected)
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, HealthRow):
            self._open_detail(event.item)

    def action_show_detail(self) -> None:
        """Show the last response of the highlighted target."""
        item = self.query_one(ListView).highlighted_child
        if isinstance(item, HealthRow):
            self._open_detail(item)

    def _open_detail(self, row: HealthRow) -> None:
        detail = HealthDetailScreen(target=row.target, sample=row.sample, timezone=self._timezone)
        self.app.push_screen(detail)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self.worker and event.state == WorkerState.ERROR:
            self._polling_stopped(visible(str(event.worker.error), limit=120))

    def _polling_stopped(self, why: str) -> None:
        # Said where it stays: a notification fades while the rows would go on looking live.
        self.border_subtitle = "polling stopped (error)"
        self.add_class("-stopped")
        self.query_one("#hp-stopped", Static).update(
            f"⚠ Health polling stopped: {why}. The rows show the last states seen."
        )
        for row in self._rows.values():
            row.polling_stopped = True
            row.refresh()
        down, total, _ = summary(self._states.values())  # the last counts, not live ones
        self.summary_text = "polling stopped"
        self.post_message(self.SummaryChanged(down, total, self.summary_text))
        self.notify(f"Health polling stopped: {why}", severity="error", markup=False)
