"""The keys of the screen on its bottom line, as Textual's `Footer` shows them, drawn as one
line of text.

`Footer` (Textual 8.2) recomposes whenever the screen's bindings change, which they do on
every focus move: a region switch at 200×60 mounted and styled some 40 widgets twice and took
0.3–0.7 s to reach the terminal. This bar compares what it would show with what it shows and,
at most, repaints itself: no widget is mounted and none but it restyled.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget


class ShownKey(NamedTuple):
    key: str
    """The key as `simulate_key` takes it."""
    display: str
    """The key as the app shows it, e.g. `^p`."""
    description: str
    enabled: bool


def shown_keys(screen: Screen[object]) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
    """What the bar shows for `screen`: one key per action with a visible binding, in
    binding order (as `Footer` does), and the command palette's key, if the app has one."""
    app = screen.app
    by_action: dict[str, ShownKey] = {}
    active = screen.active_bindings
    for _node, binding, enabled, _tooltip in active.values():
        if binding.show and binding.action not in by_action:
            display = app.get_key_display(binding)
            by_action[binding.action] = ShownKey(binding.key, display, binding.description, enabled)
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)
    return tuple(by_action.values()), palette


class KeyBar(Widget, can_focus=False):
    """The screen's keys; a click on one presses it. Redrawn only when they change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--disabled",
        "key-bar--separator",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--disabled {
            text-style: dim;
        }
        .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._spans: list[tuple[int, int, ShownKey]] = []
        """Cells [start, end) of each key on the line, as last rendered: what a click hits."""
        self._drawn: LRUCache[tuple[object, ...], Strip] = LRUCache(16)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        keys, palette = shown_keys(screen)
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        """The keys shown, left to right (without the command palette's)."""
        return self._keys

    def render_line(self, y: int) -> Strip:
        # A region key swaps the bar between a few lines: each is turned into a strip once
        # (Text to Content to strips took ~1 ms of every region key's frame).
        line = self.render()
        width, style = self.size.width, self.visual_style
        key = (line.plain, tuple(line.spans), width, style)
        strip = self._drawn.get(key)
        if strip is None:
            strip = Visual.to_strips(self, visualize(self, line), width, 1, style)[0]
            self._drawn[key] = strip
        return strip

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []

        def add(shown: ShownKey, key: str, description: str) -> None:
            start = line.cell_len
            dim = disabled_style if not shown.enabled else None
            line.append(key, key_style + dim if dim else key_style)
            if shown.description:
                line.append(description, description_style + dim if dim else description_style)
            self._spans.append((start, line.cell_len, shown))

        for shown in self._keys:
            add(shown, f" {shown.display} ", f"{shown.description} ")
        palette = self._palette
        if palette is not None:
            # On the right, as the Footer docks it; left keys that do not fit are cropped.
            key, description = palette.display, f" {palette.description} "
            room = self.size.width - 1 - len(key) - len(description)
            if line.cell_len > room:
                line.truncate(max(room, 0))
                self._spans = [span for span in self._spans if span[1] <= room]
            line.append(" " * (room - line.cell_len))
            line.append("▏", self.get_component_rich_style("key-bar--separator"))
            add(palette, key, description)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, shown in self._spans:
            if start <= event.x < end:
                event.stop()
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return
