"""One line of the health pane: a target's state, how long it has held it, how old the
answer behind it is, and why; with the sparkline and latency formatting it uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.dom import DOMNode
from textual.widgets import ListItem, ListView

from warroom.health.monitor import STATES, SYMBOLS, HealthSample, State
from warroom.ui.widgets.focus_rows import FocusShowsInRows

LABELS: dict[State, str] = {**{state: state for state in STATES}, "maintenance": "maint"}
"""The word beside the symbol, short enough for the state column."""
SPARKS = "▁▂▃▄▅▆▇█"
NO_ANSWER = "✗"
NARROW = 64
"""Below this many cells the sparkline and latency columns are dropped so the reason keeps
some room."""


def sparkline(latencies: tuple[float | None, ...] | list[float | None], width: int) -> str:
    """The last `width` latencies as block characters scaled to their own range; `✗` marks
    a poll that got no answer."""
    recent = list(latencies)[-width:]
    answered = [v for v in recent if v is not None]
    if not answered:
        return NO_ANSWER * len(recent)
    low, high = min(answered), max(answered)
    span = high - low
    out = []
    for value in recent:
        if value is None:
            out.append(NO_ANSWER)
        else:
            level = 0 if span <= 0 else int((value - low) / span * (len(SPARKS) - 1))
            out.append(SPARKS[level])
    return "".join(out)


def format_latency(latency: float | None) -> str:
    """`123ms`, `1.2s`, or `-` when there was no answer."""
    if latency is None:
        return "-"
    return f"{latency * 1000:.0f}ms" if latency < 1 else f"{latency:.1f}s"


def format_age(since: datetime | None, now: datetime) -> str:
    """Time since `since` in one short unit: `12s`, `4m`, `2h`, `3d`."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def freshness(sample: HealthSample | None, now: datetime) -> str:
    """Time in the current state, then time since the last answer: `12m · 4s ago`."""
    if sample is None:
        return ""
    return f"{format_age(sample.since, now):>3} · {format_age(sample.at, now)} ago"


class HealthList(ListView, FocusShowsInRows):
    """The targets' rows, and the colours of their states.

    The colours are the list's component classes, not each row's: Textual works a widget's
    component classes out again whenever it is restyled, and a row is restyled at every
    change of state; seven rows of seven classes each were the dearest styling of the war
    room's first frame. The focus shows in the highlighted row's colours alone, and that row
    repaints itself when restyled: a focus move restyles and repaints nothing else.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "health-row--up",
        "health-row--degraded",
        "health-row--down",
        "health-row--maintenance",
        "health-row--unknown",
        "health-row--stale",
        "health-row--muted",
    }

    DEFAULT_CSS = """
    HealthList {
        & > .health-row--up { color: $health-up; }
        & > .health-row--degraded { color: $health-degraded; text-style: bold; }
        & > .health-row--down { color: $health-down; text-style: bold; }
        & > .health-row--maintenance { color: $accent; }
        & > .health-row--unknown { color: $health-unknown; }
        & > .health-row--stale { color: $health-stale; text-style: italic; }
        & > .health-row--muted { color: $text-muted; }
        /* Without colour the red of down turns a grey darker than the green of up: down
           must stand out most, so it is reversed. */
        &:nocolor > .health-row--down { color: $text; text-style: bold reverse; }
        /* Textual tints a focused list; the region's border already says where it is. */
        &:focus { background-tint: 0%; }
    }
    """

    def restyled_on_focus(self) -> Iterable[DOMNode]:
        """The list and its highlighted row: ListView's `:focus` rules reach no other row."""
        highlighted = self.highlighted_child
        return (self,) if highlighted is None else (self, highlighted)


class HealthRow(ListItem):
    """One target on one line: state, name, latency, sparkline, time in state and since the
    last answer, reason.

    Drawn by `render()` rather than as six Labels: a sample then costs one repaint of one
    line, with no layout pass, which keeps key presses quick while many targets report.
    """

    DEFAULT_CSS = """
    HealthRow { height: 1; }
    """

    def __init__(self, *, target: str, stale_after: float) -> None:
        """`stale_after`: seconds after its last answer that the row is marked stale."""
        super().__init__(classes="-unknown")
        self.target = target
        """Name of the service or provider shown."""
        self.stale_after = stale_after
        self.sample: HealthSample | None = None
        """The latest sample, shown by the detail view."""
        self.age = ""
        """Time in the current state and since the last answer, e.g. "4m · 3s ago"."""
        self.overdue = False
        """The last answer is older than `stale_after`, though the poller may still run."""
        self.polling_stopped = False
        """The poller is gone: the row shows the last state it knew, marked as such."""

    @property
    def stale(self) -> bool:
        """The row's state may no longer be true: no fresh answer backs it."""
        return self.overdue or self.polling_stopped

    def show(self, sample: HealthSample, now: datetime) -> None:
        """Show `sample`."""
        self.sample = sample
        for state in SYMBOLS:
            self.set_class(state == sample.state, f"-{state}")
        self.show_age(now)
        self.refresh()

    def show_age(self, now: datetime) -> None:
        """Count the time columns and staleness again (repaints only if they changed)."""
        sample = self.sample
        age = freshness(sample, now)
        overdue = sample is not None and (now - sample.at).total_seconds() > self.stale_after
        if (age, overdue) != (self.age, self.overdue):
            self.age, self.overdue = age, overdue
            self.refresh()

    def _style(self, name: str, background: Color) -> Style:
        # A Rich style has no alpha: `$text-muted` (text at 60%) would come out brighter
        # than plain text. Blended over the row's own background it is muted again.
        rows = self.parent
        assert isinstance(rows, HealthList), "a health row lives in a HealthList"
        styles = rows.get_component_styles(f"health-row--{name}")
        color = (background + styles.color).rich_color
        return styles.partial_rich_style + Style(color=color)

    def line(self, width: int) -> Text:
        """The row as plain text cells (no markup is ever parsed: reasons are untrusted)."""
        sample = self.sample
        state: State = sample.state if sample else "unknown"
        narrow = width < NARROW
        background = self.background_colors[1]
        muted = self._style("muted", background)
        state_style = self._style(state, background)
        line = Text(no_wrap=True, overflow="ellipsis", end="")

        def cell(text: str, size: int, style: Style | str = "", right: bool = False) -> None:
            piece = Text(text, style=style, no_wrap=True, end="")
            piece.truncate(size, overflow="ellipsis")
            if right:
                piece.pad_left(size - piece.cell_len)
            else:
                piece.pad_right(size - piece.cell_len)
            line.append_text(piece)
            line.append(" ")

        if self.stale:
            # A down that went stale keeps its weight: the last word was an outage.
            stale = self._style("stale", background)
            cell(f"~ {LABELS[state]}?", 10, state_style if state == "down" else stale)
        else:
            cell(f"{SYMBOLS[state]} {LABELS[state]}", 10, state_style)
        cell(self.target, 10 if narrow else 12)
        if not narrow:
            cell(format_latency(sample.latency) if sample else "-", 5, right=True)
            cell(sparkline(sample.history, 12) if sample else "", 12, muted)
        cell(self.age, 13, muted)
        reason = sample.reason if sample else "waiting for the first poll"
        if self.polling_stopped:
            line.append_text(Text(f"stale, not polled: {reason}", style=muted))
        elif self.overdue:
            line.append_text(Text(f"stale, polls overdue: {reason}", style=muted))
        else:
            line.append_text(Text(reason, style="" if state in ("down", "degraded") else muted))
        line.truncate(width, overflow="ellipsis")
        return line

    def render(self) -> Text:
        return self.line(self.size.width)
