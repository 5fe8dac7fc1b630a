"""The phase strip: every workflow phase on one line, always on screen.

The text is `warroom.incident.phase_strip`'s, fitted to the widget's width; this only
styles each phase by its mark, with the theme's component classes.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var
from textual.widget import Widget

from warroom.incident.clocks import Clocks
from warroom.incident.phase_strip import PhaseMark, fit, strip_parts


class PhaseStrip(Widget, can_focus=False):
    """`✓Detection ▶Investigation 7:12/10m  Mitigation  Resolution  Post-Mortem`."""

    COMPONENT_CLASSES = {f"phase-strip--{mark}" for mark in PhaseMark}
    DEFAULT_CSS = """
    PhaseStrip {
        height: 1;
        padding: 0 1;
        background: $boost;
        .phase-strip--done { color: $success; }
        .phase-strip--current { color: $text; text-style: bold reverse; }
        .phase-strip--overdue { color: $error; text-style: bold; }
        .phase-strip--waiting { color: $text-muted; }
    }
    """

    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks, counted by the screen every second."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._shown: tuple[tuple[PhaseMark, str], ...] = ()

    @property
    def plain(self) -> str:
        """The line as shown, without its styles."""
        return " ".join(text for _mark, text in self._shown)

    def watch_clocks(self, at: Clocks | None) -> None:
        self._refit()

    def on_resize(self) -> None:
        self._refit()

    def _refit(self) -> None:
        if self.clocks is None or not self.size.width:
            return
        parts = strip_parts(self.clocks)
        shown = tuple(zip((part.mark for part in parts), fit(parts, self.size.width), strict=True))
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        for index, (mark, text) in enumerate(self._shown):
            if index:
                line.append(" ")
            line.append(text, self.get_component_rich_style(f"phase-strip--{mark}"))
        return line
