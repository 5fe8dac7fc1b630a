"""The health and log panes of review: what the incident recorded, never the world now.

They are the live panes with their sources taken away: the health rows show the recorded
`health.changed` states (nothing polls), the log view shows the captured archive (no source
is spawned). Replay hands them what they showed at the chosen moment. A filter in the log
pane asks the screen to search the whole archive, not only the window the pane holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import groupby

from textual.message import Message
from textual.widgets import Static

from warroom.health.judging import Kind, State
from warroom.health.monitor import HealthSample
from warroom.incident.replay import LogLine, RecordedHealth
from warroom.logs.buffer import LogBuffer
from warroom.logs.filter import FilterSpec
from warroom.playbook import Provider
from warroom.safetext import visible
from warroom.ui.relabel import relabel
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.log_pane import LogPane

NOT_RECORDED = "no health change recorded"
SHOWN: Mapping[str, State] = {"up": "up", "down": "down", "degraded": "degraded"}
"""A recorded state as a row shows it; anything else is unknown."""


class RecordedHealthPane(HealthPane):
    """Each target's last recorded health; `start()` polls nothing."""

    def start(self) -> None:
        """Review opens no connection: the rows come from `show_recorded`."""

    def show_recorded(self, health: Mapping[str, RecordedHealth], now: datetime) -> None:
        """Show `health` (target -> its last recorded change) as of `now`."""
        kinds: dict[str, Kind] = {
            t.name: "provider" if isinstance(t, Provider) else "service"
            for t in self.monitor.targets
        }
        for name, row in self._rows.items():
            recorded = health.get(name)
            if recorded is None:
                sample = HealthSample(name, kinds[name], now, "unknown", None, None, NOT_RECORDED)
            else:
                sample = HealthSample(
                    name,
                    kinds[name],
                    now,
                    SHOWN.get(recorded.state, "unknown"),
                    recorded.status,
                    None,
                    f"recorded: {recorded.reason}" if recorded.reason else "recorded",
                    since=recorded.since,
                )
            if row.sample != sample:
                row.show(sample, now)
            self._states[name] = sample.state
            self.latest[name] = sample
        self._update_summary()


class RecordedLogPane(LogPane):
    """The captured log window; `start()` spawns nothing."""

    shown_note = "captured log window"
    _shown_key: tuple[int | None, int] = (None, -1)

    class ArchiveSearchRequested(Message):
        """The filter changed: search the whole archive with `spec` (None: no filter, show
        the captured window again)."""

        def __init__(self, spec: FilterSpec | None) -> None:
            super().__init__()
            self.spec = spec

    def start(self) -> None:
        """Review runs no log source: the lines come from `show_lines`."""

    def apply_filter(self, spec: FilterSpec, *, preset: str = "") -> bool:
        """The filter applied to the lines shown, and the whole archive searched with it."""
        if not super().apply_filter(spec, preset=preset):
            return False
        self.post_message(self.ArchiveSearchRequested(spec if spec.to_query() else None))
        return True

    def show_lines(self, lines: Sequence[LogLine], note: str) -> None:
        """Show `lines` (oldest first) in place of what was shown, the filter kept; the same
        lines again (every second, while live) change only the note."""
        self.shown_note = note
        key = (id(lines[0]) if lines else None, len(lines))
        if key == self._shown_key:
            self._show_status()
            return
        self._shown_key = key
        buffer = LogBuffer(self.tail.max_lines)
        for source, run in groupby(lines, key=lambda line: line[1]):
            buffer.extend(source, [text for _, _, text in run])
        buffer.set_filter(self.spec.compile())
        self.tail.buffer = buffer
        self.view.buffer = buffer
        self.view.sync(follow=self.following)
        self._show_status()
        self._show_info()

    def _show_status(self) -> None:
        relabel(self.query_one("#log-status", Static), visible(self.shown_note))
