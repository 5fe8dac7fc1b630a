"""The log pane: every playbook log source tailed, filtered, followed, pinned, exported.

A thin view over `warroom.logs.tail.LogTail`. Ingest happens in the tail's tasks; the tail only
bumps counters here, and a timer repaints at most `FPS` times a second, so a flood of lines
costs one refresh per tick, not one message per line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import ClassVar, TypeAlias

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static

from warroom.incident import utc_now
from warroom.logs.archive import Capture
from warroom.logs.filter import FilterError, FilterSpec
from warroom.logs.parse import LogRecord
from warroom.logs.source import RestartPolicy, SourceState, SourceStatus
from warroom.logs.status_line import status_line
from warroom.logs.step_aside import StepAside
from warroom.logs.tail import LinesCallback, LogTail
from warroom.playbook import LogPreset, LogSource
from warroom.safetext import masked, visible
from warroom.ui.pulse import on_beat
from warroom.ui.relabel import relabel
from warroom.ui.widgets.busy_line import progress
from warroom.ui.widgets.log_pane_messages import Exported, PinRequested
from warroom.ui.widgets.log_pane_moves import (
    next_level,
    next_mark,
    next_preset,
    next_source,
    row_at_typed_time,
    write_export,
)
from warroom.ui.widgets.log_view import LogView

FPS = 3
"""Repaints per second at most while lines arrive. Each one redraws the whole view (the
lines move up) for about 10 ms of CPU at 200x60: at 6 a second the demo's 15 lines/s cost
6 % of a core in log frames alone, at 3 a new line waits a third of a second at most
(bench/cpu.py). Keys and scrolling repaint at once, not on this clock."""


class LogPane(Vertical):
    """Tail of all log sources with filters, follow/pause, marks, pin and export.

    | key | action |
    |---|---|
    | `/` | edit the filter (`ERROR\\|timeout -health level:warn src:backend`) |
    | `i` | toggle ignore-case |
    | `v` | cycle the minimum level |
    | `o` | cycle the source (origin) shown |
    | `f` | cycle the playbook's filter presets |
    | `space` | follow / pause (paused: "+N new") |
    | `t` | jump to a time |
    | `m`, `]`, `[` | mark the line, next / previous mark |
    | `p` | pin the selected line to the timeline |
    | `e`, `E` | export the shown / all lines |
    | `r` | restart every source |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "edit_filter", "Filter", id="logs-filter"),
        Binding("space", "toggle_follow", "Follow/Pause", id="logs-follow"),
        Binding("p", "pin", "Pin", id="logs-pin"),
        # n, s and c stay free for the screen's note, severity and copy, wherever focus is.
        Binding("i", "toggle_case", "Case", show=False, id="logs-case"),
        Binding("v", "cycle_level", "Level", show=False, id="logs-level"),
        Binding("o", "cycle_source", "Source", show=False, id="logs-source"),
        Binding("f", "cycle_preset", "Preset", id="logs-preset"),
        Binding("t", "goto_time", "Go to time", show=False, id="logs-goto"),
        Binding("m", "toggle_mark", "Mark", show=False, id="logs-mark"),
        Binding(
            "right_square_bracket", "next_mark(1)", "Next mark", show=False, id="logs-next-mark"
        ),
        Binding(
            "left_square_bracket", "next_mark(-1)", "Previous mark", show=False, id="logs-prev-mark"
        ),
        Binding("e", "export(True)", "Export", id="logs-export"),
        Binding("E", "export(False)", "Export all", show=False, id="logs-export-all"),
        Binding("r", "restart_sources", "Restart logs", show=False, id="logs-restart"),
        Binding("escape", "close_inputs", "Close", show=False),
    ]

    DEFAULT_CSS = """
    LogPane {
        height: 1fr;
        & > #log-status { height: 1; color: $text-muted; }
        & > #log-status.-trouble { color: $warning; }
        & > #log-info { height: 1; background: $boost; }
        & > #log-error { height: auto; color: $error; display: none; }
        & > #log-error.-shown { display: block; }
        & > Input { display: none; }
        & > Input.-shown { display: block; }
    }
    """

    following: reactive[bool] = reactive(True)
    """Keep the newest line in view; False freezes the view while ingest continues."""

    # Module-level in `log_pane_messages`, known here by the names the screen uses.
    PinRequested: TypeAlias = PinRequested
    Exported: TypeAlias = Exported

    def __init__(
        self,
        *,
        sources: Sequence[LogSource],
        presets: Sequence[LogPreset] = (),
        capture: Capture | None = None,
        max_lines: int = 100_000,
        export_dir: Path | None = None,
        tz: tzinfo = UTC,
        policy: RestartPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
        secrets: frozenset[str] = frozenset(),
        autostart: bool = True,
        on_lines: LinesCallback | None = None,
        step_aside: StepAside | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        """`autostart=False` leaves spawning the sources to `start()`; `capture` keeps the
        lines with the incident (None: no capture), written by whichever terminal holds its lease;
        `export_dir` is where exports go (None: the working directory at export time);
        `clock` answers now (aware UTC) for source ages, export names and bare go-to times;
        `secrets` (`${VAR}` values) are masked in the status; `on_lines` is told each chunk;
        the sources wait between chunks while `step_aside` is held (a key being answered)."""
        super().__init__(id=id)
        self.clock = clock
        self._secrets = secrets
        self._autostart = autostart
        self.sources = tuple(sources)
        self.presets = tuple(presets)
        self.export_dir = export_dir
        self.tz = tz
        self.tail = LogTail(
            self.sources,
            max_lines=max_lines,
            capture=capture,
            on_batch=self._on_batch,
            on_status=self._on_status,
            on_lines=on_lines,
            policy=policy or RestartPolicy(),
            step_aside=step_aside,
        )
        self.spec = FilterSpec()
        """The filter in force (the last one that compiled)."""
        self.preset = ""
        self.marks: set[int] = set()
        self.new_while_paused = 0
        """Lines the filter showed since the view was paused."""
        self._dirty = True

    def compose(self) -> ComposeResult:
        yield Static("", id="log-status", markup=False)
        yield LogView(
            self.tail.buffer,
            marks=self.marks,
            tz=self.tz,
            source_width=max((len(s.name) for s in self.sources), default=4),
            id="log-view",
        )
        yield Static("", id="log-error", markup=False)
        yield Input(placeholder="ERROR|timeout -health level:warn src:NAME", id="log-filter")
        yield Input(placeholder="HH:MM[:SS] or ISO time, Enter to jump", id="log-goto")
        yield Static("", id="log-info", markup=False)

    @property
    def view(self) -> LogView:
        """The line list."""
        return self.query_one("#log-view", LogView)

    def on_mount(self) -> None:
        if self._autostart:
            self.start()
        on_beat(self, 1 / FPS, self._tick)
        on_beat(self, 1.0, self._show_status)
        self._show_status()
        self._tick()  # the counts and the zone from the first frame, not the first beat

    def start(self) -> None:
        """Spawn the sources (once)."""
        self.tail.start()

    async def on_unmount(self) -> None:
        await self.tail.stop()

    # -- feed from the tail (called on the event loop, once per chunk) -------------------

    def _on_batch(self, added: int, shown: int) -> None:
        self._dirty = True
        if not self.following:
            self.new_while_paused += shown

    def _on_status(self, status: SourceStatus) -> None:
        if self.is_mounted:
            self.call_later(self._show_status)

    def _tick(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.view.sync(follow=self.following)
        self._show_info()

    def _show_status(self) -> None:
        statuses = self.tail.statuses.values()
        trouble = any(
            status.state not in (SourceState.STREAMING, SourceState.STARTING) for status in statuses
        )
        line = self.query_one("#log-status", Static)
        shown = status_line(
            statuses,
            line.content_region.width,
            now=self.clock(),
            tz=self.tz,
            show=lambda part: visible(masked(part, self._secrets)),
        )
        relabel(line, shown or "no log sources in the playbook")
        line.set_class(trouble, "-trouble")

    def _show_info(self) -> None:
        buffer = self.tail.buffer
        mode = "following" if self.following else f"paused +{self.new_while_paused:,} new"
        case = "aA" if self.spec.ignore_case else "Aa"
        query = self.spec.to_query()
        # Rows show the time of day only: the zone they are in is said here, once.
        zone = self.clock().astimezone(self.tz).tzname() or str(self.tz)
        bits = [f"{buffer.match_count:,} / {len(buffer):,}", mode, case, f"times {zone}"]
        if self.preset:
            bits.append(f"preset {self.preset}")
        if query:
            bits.append(query)
        archiver = self.tail.archiver
        if archiver is not None and (trouble := archiver.trouble()):
            bits.append(f"capture: {trouble}")
        relabel(self.query_one("#log-info", Static), visible(" │ ".join(bits)))

    # -- filters ---------------------------------------------------------------------------

    def apply_filter(self, spec: FilterSpec, *, preset: str = "") -> bool:
        """Re-filter the whole buffer with `spec`; on a bad regex show it, keep the old one."""
        error = self.query_one("#log-error", Static)
        try:
            self.tail.set_filter(spec)
        except FilterError as exc:
            error.update(f"filter not applied: {visible(str(exc))}")
            error.add_class("-shown")
            return False
        error.remove_class("-shown")
        self.spec = spec
        self.preset = preset
        self._dirty = True
        self._tick()
        return True

    def action_edit_filter(self) -> None:
        box = self.query_one("#log-filter", Input)
        box.value = self.spec.to_query()
        box.add_class("-shown")
        box.focus()

    @on(Input.Submitted, "#log-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.apply_filter(self.spec.with_query(event.value)):
            event.input.remove_class("-shown")
            self.view.focus()

    def action_close_inputs(self) -> None:
        for box in self.query(Input):
            box.remove_class("-shown")
        self.query_one("#log-error", Static).remove_class("-shown")
        self.view.focus()

    def action_toggle_case(self) -> None:
        self.apply_filter(self.spec._replace(ignore_case=not self.spec.ignore_case))

    def action_cycle_level(self) -> None:
        self.apply_filter(next_level(self.spec))

    def action_cycle_source(self) -> None:
        self.apply_filter(next_source(self.spec, [s.name for s in self.sources]))

    def action_cycle_preset(self) -> None:
        spec, name = next_preset(self.spec, self.preset, self.presets)
        self.apply_filter(spec, preset=name)

    # -- follow, time, marks ---------------------------------------------------------------

    def watch_following(self, was: bool, following: bool) -> None:
        if was == following:
            return  # Textual's first call, after mount: `on_mount` has shown the view
        if following:
            self.new_while_paused = 0
            self._dirty = True
        if self.is_mounted:
            self._tick()
            self._show_info()

    def action_toggle_follow(self) -> None:
        self.following = not self.following

    def on_key(self, event: events.Key) -> None:
        # Moving the selection up means reading: stop following so lines hold still. Keys
        # typed into the filter or go-to-time box bubble here too and must not count.
        if not self.view.has_focus:
            return
        if event.key in ("up", "k", "pageup", "home") and self.following:
            self.following = False

    def _select_row(self, row: int) -> None:
        self.following = False
        self.view.cursor = row

    def action_goto_time(self) -> None:
        box = self.query_one("#log-goto", Input)
        box.value = ""
        box.add_class("-shown")
        box.focus()

    @on(Input.Submitted, "#log-goto")
    def _goto_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#log-error", Static)
        try:
            row = row_at_typed_time(self.tail.buffer, event.value, zone=self.tz, clock=self.clock)
        except ValueError as problem:
            error.update(str(problem))
            error.add_class("-shown")
            return
        error.remove_class("-shown")
        event.input.remove_class("-shown")
        self._select_row(row)
        self.view.focus()

    def _selected(self) -> LogRecord | None:
        rows, cursor = self.view.rows, self.view.cursor
        return self.tail.buffer.row(min(cursor, rows - 1)) if rows else None

    def action_toggle_mark(self) -> None:
        record = self._selected()
        if record is None:
            return
        self.marks.symmetric_difference_update({record.seq})
        self.view.refresh()

    def action_next_mark(self, direction: int) -> None:
        record = self._selected()
        buffer = self.tail.buffer
        target = next_mark(self.marks, buffer, record.seq if record else -1, direction)
        if target is None:
            self.notify("no more marks", severity="warning", timeout=2)
            return
        row = buffer.row_of_seq(target)
        if row < buffer.match_count and buffer.seq_at_row(row) == target:
            self._select_row(row)
        else:
            self.notify("that mark is hidden by the filter", severity="warning", timeout=2)

    # -- pin, export, restart ----------------------------------------------------------------

    def action_pin(self) -> None:
        record = self._selected()
        if record is None:
            return
        self.post_message(self.PinRequested(record))
        self.notify(f"pinned {record.source} line to the timeline", timeout=2)

    async def action_export(self, only_shown: bool) -> None:
        lines = self.tail.buffer.export_lines(only_shown=only_shown)
        folder = self.export_dir if self.export_dir is not None else Path.cwd()
        try:
            async with progress(self, f"Exporting {len(lines):,} log lines"):
                path = await write_export(lines, folder, self.clock().astimezone(self.tz))
        except OSError as exc:
            self.notify(f"export failed: {visible(str(exc))}", severity="error", markup=False)
            return
        self.notify(
            f"exported {len(lines):,} lines to {visible(str(path))}", timeout=8, markup=False
        )
        self.post_message(self.Exported(path, len(lines)))

    def action_restart_sources(self) -> None:
        self.tail.restart()
        self.notify("restarting log sources", timeout=2)
