"""The scrolling list of log lines: renders only the visible rows, straight from the buffer.

Like toolong's `LogLines`, this is a `ScrollView` with `render_line`: the buffer may hold
100,000 lines, but only the ~50 on screen are ever turned into styled text, at render time,
so ingest costs nothing here. Every line goes through `safetext.visible`: log text can never
inject markup or terminal sequences.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.logs.buffer import LogBuffer
from warroom.logs.parse import ERROR_RANK, level_rank
from warroom.safetext import visible
from warroom.ui.widgets.focus_rows import FocusShowsInRows

_ROW_CLASSES = frozenset(
    {
        "log-view--match",
        "log-view--time",
        "log-view--source",
        "log-view--mark",
        "log-view--error",
        "log-view--warn",
        "log-view--info",
        "log-view--debug",
    }
)
"""The component classes rows are drawn with, but for the cursor's."""

WIDE = 110
"""From this width on, rows also show provider[instance] and region."""


class LogView(ScrollView, FocusShowsInRows, can_focus=True):
    """Rows of the filtered buffer with a cursor (the selected line) and marks.

    | key | action |
    |---|---|
    | up/down, pageup/pagedown | move the selected line |
    | home/end | first/last line |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First line", show=False),
        Binding("end", "last", "Last line", show=False),
    ]

    COMPONENT_CLASSES = {"log-view--cursor", "log-view--cursor-focus", *_ROW_CLASSES}

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        overflow-x: auto;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .log-view--cursor { background: $boost; text-style: bold; }
        & > .log-view--cursor-focus { background: $accent 40%; text-style: bold; }
        &:nocolor > .log-view--cursor { text-style: underline; }
        &:nocolor > .log-view--cursor-focus { text-style: bold reverse; }
        & > .log-view--match { background: $warning 50%; text-style: bold; }
        & > .log-view--time { color: $text-muted; }
        & > .log-view--source { color: $secondary; }
        & > .log-view--mark { color: $accent; text-style: bold; }
        & > .log-view--error { color: $error; text-style: bold; }
        & > .log-view--warn { color: $warning; }
        & > .log-view--info { color: $primary; }
        & > .log-view--debug { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    """Row of the selected line."""

    def __init__(
        self,
        buffer: LogBuffer,
        *,
        marks: set[int],
        tz: tzinfo = UTC,
        source_width: int = 8,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.marks = marks
        """Marked line numbers (`seq`), shared with the pane."""
        self.tz = tz
        self.cursor_seq: int | None = None
        """Number of the selected line: what a paused view holds still."""
        self._width_seen = 0
        self._drawn: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self._look: tuple[Style, ...] = ()
        """What the rows were drawn with, the cursor's colours apart: the view's own style,
        then `_ROW_CLASSES`' in name order."""
        self._row_styles: dict[str, Style] = {}
        """`_ROW_CLASSES`' styles by name: asked of Textual once a look, not once a row."""
        self._cursor_styles: tuple[Style, Style] = (Style(), Style())
        """The cursor's row without and with the focus (`log-view--cursor`, `-focus`)."""
        self._look_checked = False
        self.source_width = min(source_width, 12)

    @property
    def rows(self) -> int:
        """Rows in the filtered view."""
        return self.buffer.match_count

    def sync(self, *, follow: bool) -> None:
        """The buffer changed: resize; follow the newest line, or hold the selected one still.

        Rows shift when old lines are evicted or the filter changes, so a paused view is
        anchored on the selected line's number, not its row.
        """
        rows = self.rows
        size = Size(max(self._width_seen, self.scrollable_content_region.width), rows)
        if size.width == self.virtual_size.width and self.show_vertical_scrollbar:
            # Only more rows: the scrollbar is always there (overflow-y: scroll), so nothing
            # moves on screen, and a layout of every widget would be wasted on each repaint.
            self.set_reactive(LogView.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size
        if follow:
            self.cursor = max(0, rows - 1)
            self.scroll_to(y=max(0, rows - self.scrollable_content_region.height), animate=False)
        elif self.cursor_seq is not None:
            row = min(self.buffer.row_of_seq(self.cursor_seq), max(0, rows - 1))
            if row != self.cursor:
                offset = self.cursor - self.scroll_y
                self.cursor = row
                self.scroll_to(y=max(0, row - offset), animate=False)
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        rows = self.rows
        if rows and not 0 <= new < rows:
            self.cursor = min(max(new, 0), rows - 1)
            return
        self.cursor_seq = self.buffer.seq_at_row(new) if rows else None
        height = self.scrollable_content_region.height
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif height and new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        self.cursor = self.cursor + direction * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, self.rows - 1)

    def restyled_on_focus(self) -> Iterable[DOMNode]:
        """Nothing: the cursor's row shows the focus, drawn with `log-view--cursor-focus`."""
        return ()

    def focus_rows(self) -> tuple[Region, ...]:
        """The cursor's row alone shows the focus."""
        return (Region(0, self.cursor - round(self.scroll_y), self.size.width, 1),)

    def render_line(self, y: int) -> Strip:
        """Style and crop one visible row; nothing is rendered for off-screen rows.

        While following, every new line moves every row up one: rows are kept, drawn, by
        line number, so a repaint redraws only the lines it has not drawn before.
        """
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        if not self._look_checked:
            self._check_look()
        if row >= self.rows:
            return Strip.blank(width, self._look[0])
        seq = self.buffer.seq_at_row(row)
        cursor = self._cursor_styles[self.has_focus] if row == self.cursor else None
        key = (seq, width, scroll_x, cursor, seq in self.marks, self.buffer.filter)
        strip = self._drawn.get(key)
        if strip is None:
            strip = self._draw(row, width, scroll_x, cursor=cursor)
            self._drawn[key] = strip
        return strip

    def _draw(self, row: int, width: int, scroll_x: int, *, cursor: Style | None) -> Strip:
        # Segments, not a rich Text (which costs more to build and render than the row's
        # few plain pieces), cut, padded and styled before the one Strip is made: a Strip
        # costs seven caches to build, and each `Strip` step makes another.
        base = self._look[0]
        segments = self._highlighted(self._row_parts(row, width))
        length = Segment.get_line_length(segments)
        if length > self._width_seen:
            self._width_seen = length
            self.call_later(self._grow)
        if scroll_x:
            segments = list(Segment.divide(segments, [scroll_x, scroll_x + width]))[1]
        line = Segment.adjust_line_length(segments, width, base)
        return Strip(Segment.apply_style(line, base if cursor is None else base + cursor), width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Checked at the next render, once the new styles are all in: only a look that
        # changed (a theme) redraws every row.
        self._look_checked = False

    def _check_look(self) -> None:
        self._look_checked = True
        style = self.get_component_rich_style
        look = (self.rich_style, *(style(name) for name in sorted(_ROW_CLASSES)))
        if look != self._look:
            self._look = look
            self._row_styles = dict(zip(sorted(_ROW_CLASSES), look[1:], strict=True))
            self._drawn.clear()  # drawn with the old theme
        self._cursor_styles = (style("log-view--cursor"), style("log-view--cursor-focus"))

    def _grow(self) -> None:
        self.virtual_size = Size(max(self._width_seen, self.size.width), self.rows)

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        # A wider line brings the horizontal scrollbar, which takes the bottom row: when the
        # view follows the end, the newest line (a FATAL before a crash) must stay above it.
        # Watched here, where the layout has made room for the bar; scrolling when the width
        # grew lost that race under load, with the end one row under the bar for good.
        if shown and self.rows and self.cursor >= self.rows - 1:
            self.call_after_refresh(self._show_end)

    def _show_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False)

    def _row_parts(self, row: int, width: int) -> list[Segment]:
        """The row's pieces of text, each in its style (plain text: no markup is read)."""
        seq = self.buffer.seq_at_row(row)
        record = self.buffer.get(seq)
        assert record is not None
        style = self._row_styles.__getitem__
        # Narrow panes (a quarter of the screen) get a short source tag.
        tag = self.source_width if width >= 48 else min(self.source_width, 6)
        parts = [
            Segment("●" if seq in self.marks else " ", style("log-view--mark")),
            Segment(f"{record.source[:tag]:<{tag}} ", style("log-view--source")),
        ]
        if record.time is None:
            parts.append(Segment(visible(record.raw)))
            return parts
        stamp = record.time.astimezone(self.tz).strftime("%H:%M:%S")
        parts.append(Segment(f"{stamp} ", style("log-view--time")))
        if record.continued:
            parts.append(Segment("  " + visible(record.raw)))
            return parts
        parts.append(Segment(f"{record.level[:5] or '-':<5} ", self._level_style(record.level)))
        if width >= WIDE:
            who = record.provider + (f"[{record.instance}]" if record.instance else "")
            parts.append(
                Segment(visible(f"{who} {record.region} ", limit=80), style("log-view--time"))
            )
        parts.append(Segment(visible(record.rest)))
        return parts

    def _highlighted(self, parts: list[Segment]) -> list[Segment]:
        """`parts` with the filter's matches in `log-view--match` (none without a pattern)."""
        highlight = self.buffer.filter.highlight
        if highlight is None:
            return parts
        text = Text(no_wrap=True, end="")
        for part in parts:
            text.append(part.text, part.style)
        match_style = self._row_styles["log-view--match"]
        for start, end in highlight.spans(text.plain):
            text.stylize(match_style, start, end)
        return list(text.render(self.app.console))

    def _level_style(self, level: str) -> Style:
        rank = level_rank(level)
        name = (
            "error"
            if rank >= ERROR_RANK
            else "warn"
            if rank >= 30
            else "info"
            if rank >= 20
            else "debug"
        )
        return self._row_styles[f"log-view--{name}"]
