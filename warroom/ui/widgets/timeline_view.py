"""The timeline's list: one row per entry, only the visible rows ever rendered.

A long incident holds tens of thousands of entries. A `ScrollView` with `render_line` (as the
log view is) makes opening it and appending to it cost what is on screen, not what is in the
incident: rows are styled when painted, and an entry that arrives at the end is one more row.
Each row is one line cut to the width; the highlighted entry unfolds to its whole text, so
a long note is read where it stands. Entry text quotes log lines and HTTP reasons: it goes
through `warroom.safetext` into plain `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.incident import TimelineEntry
from warroom.playbook import KeyMoment
from warroom.safetext import safe_text
from warroom.ui.timefmt import clock_time


class TimelineView(ScrollView, can_focus=True):
    """Entries oldest first, with a cursor (the highlighted entry).

    | Key | Does |
    | :- | :- |
    | up/down, pageup/pagedown | move between entries |
    | home/end | first / last entry |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First entry", show=False),
        Binding("end", "last", "Last entry", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"timeline-view--cursor", "timeline-view--empty"}

    DEFAULT_CSS = """
    TimelineView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        padding: 0 1;
        background: $surface;
        & > .timeline-view--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus > .timeline-view--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .timeline-view--empty { color: $text-disabled; }
    }
    """

    highlighted: reactive[int | None] = reactive(None, always_update=True)
    """Row of the highlighted entry; None while there is none."""

    def __init__(self, *, timezone: str, id: str | None = None) -> None:  # noqa: A002
        """`timezone` is the playbook's display zone (an IANA name)."""
        super().__init__(id=id)
        self._timezone = timezone
        self._entries: list[TimelineEntry] = []
        self._rows: dict[int, int] = {}
        self._marks: Mapping[int, tuple[KeyMoment, ...]] = {}
        self._empty_text = ""
        self._unfolded: list[Strip] = []
        self._lines: LRUCache[tuple[int, int], Strip] = LRUCache(1024)

    # What is shown ------------------------------------------------------------------------

    @property
    def entry_count(self) -> int:
        """How many entries are shown."""
        return len(self._entries)

    @property
    def highlighted_entry(self) -> TimelineEntry | None:
        """The entry under the cursor, if any."""
        row = self.highlighted
        return self._entries[row] if row is not None and row < len(self._entries) else None

    def entry_at(self, row: int) -> TimelineEntry:
        """The entry shown at `row` (0 is the oldest shown)."""
        return self._entries[row]

    def row_of(self, seq: int) -> int | None:
        """The row showing entry `seq`, or None if it is not shown."""
        return self._rows.get(seq)

    def entry_text(self, entry: TimelineEntry) -> Text:
        """An entry as its row reads: time (zone named), moment badges, who, what, edited."""
        line = Text(clock_time(entry.at, self._timezone), style="dim", no_wrap=True, end="")
        for moment in self._marks.get(entry.seq, ()):
            line.append(f"  ◆ {moment.upper()}", style="bold reverse")
        line.append("  ")
        line.append_text(safe_text(entry.actor, limit=40, style="bold"))
        line.append(": ", style="bold")
        line.append_text(safe_text(entry.text))
        if entry.edited:
            line.append("  (edited)", style="italic dim")
        return line

    def show(
        self,
        entries: Sequence[TimelineEntry],
        marks: Mapping[int, tuple[KeyMoment, ...]],
        *,
        empty_text: str,
    ) -> None:
        """Show `entries` in place of what was shown; `empty_text` when there are none."""
        self._entries = list(entries)
        self._rows = {entry.seq: row for row, entry in enumerate(self._entries)}
        self._marks = marks
        self._empty_text = empty_text
        self._lines.clear()
        self._resize()

    def extend(
        self, entries: Sequence[TimelineEntry], marks: Mapping[int, tuple[KeyMoment, ...]]
    ) -> None:
        """Add `entries` after the last row; rows already shown stay as they are drawn unless
        their `marks` changed."""
        for entry in entries:
            self._rows[entry.seq] = len(self._entries)
            self._entries.append(entry)
        if marks != self._marks:
            self._marks = marks
            self._lines.clear()
        self._resize()

    # Cursor and scrolling ------------------------------------------------------------------

    def watch_highlighted(self, row: int | None) -> None:
        count = len(self._entries)
        if row is not None and not 0 <= row < count:
            self.highlighted = min(max(row, 0), count - 1) if count else None
            return
        self._resize()
        self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        """Scroll so that the highlighted entry, unfolded, is in view."""
        row = self.highlighted
        height = self.scrollable_content_region.height
        if row is None or not height:
            return
        bottom = row + max(0, len(self._unfolded) - 1)
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif bottom >= self.scroll_y + height:
            self.scroll_to(y=max(row, bottom - height + 1), animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        if self._entries:
            start = self.highlighted if self.highlighted is not None else -1 if delta > 0 else 0
            self.highlighted = start + delta

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        if self._entries:
            self.highlighted = 0

    def action_last(self) -> None:
        if self._entries:
            self.highlighted = len(self._entries) - 1

    def on_click(self, event: events.Click) -> None:
        row, _ = self._locate(event.y + int(self.scroll_y))
        if row < len(self._entries):
            self.highlighted = row

    def on_resize(self) -> None:
        self._lines.clear()
        self._resize()

    # Painting -----------------------------------------------------------------------------

    def _resize(self) -> None:
        """Unfold the highlighted entry to the width and size the scrollable area to match."""
        width = self.scrollable_content_region.width
        entry = self.highlighted_entry
        if entry is None or width <= 0:
            self._unfolded = []
        else:
            lines = self.entry_text(entry).wrap(self.app.console, width, no_wrap=False)
            self._unfolded = [Strip(line.render(self.app.console)) for line in lines]
        rows = len(self._entries) + max(0, len(self._unfolded) - 1)
        size = Size(width, max(rows, 1))
        if size.width == self.virtual_size.width and self.show_vertical_scrollbar:
            # Only longer: with the scrollbar always shown (overflow-y: scroll) nothing on
            # screen moves, so the layout of every widget that setting `virtual_size` asks
            # for would be wasted on each entry that arrives.
            self.set_reactive(TimelineView.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size
        self.refresh()

    def _locate(self, y: int) -> tuple[int, int]:
        """The row painted at line `y` of the content, and which of its lines."""
        row = self.highlighted
        extra = max(0, len(self._unfolded) - 1)
        if row is None or y < row:
            return y, 0
        if y <= row + extra:
            return row, y - row
        return y - extra, 0

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row, part = self._locate(int(self.scroll_y) + y)
        if not self._entries:
            strip = (
                Strip(Text(self._empty_text, no_wrap=True, end="").render(self.app.console))
                if y == 0
                else Strip.blank(width)
            )
            style = self.get_component_rich_style("timeline-view--empty")
            return strip.crop_extend(0, width, self.rich_style).apply_style(style)
        if row >= len(self._entries):
            return Strip.blank(width, self.rich_style)
        if row == self.highlighted and part < len(self._unfolded):
            cursor = self.get_component_rich_style("timeline-view--cursor")
            strip = self._unfolded[part].crop_extend(0, width, self.rich_style)
            return strip.apply_style(self.rich_style + cursor)
        cached = self._lines.get((row, width))
        if cached is None:
            text = self.entry_text(self._entries[row])
            text.truncate(width, overflow="ellipsis")
            cached = Strip(text.render(self.app.console)).crop_extend(0, width, self.rich_style)
            self._lines[(row, width)] = cached
        return cached.apply_style(self.rich_style)
