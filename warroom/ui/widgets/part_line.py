"""A line of named parts drawn as one widget: the header and the clock strip.

A `Horizontal` of `Label`s costs a widget, its styles and its layout per part, at every
start and every second; this draws the same parts as one line of text, each padded by a
space and styled by a component class, and redraws only when a part's text or style changes.
One part may be the fill: it takes the room the others leave and is cut with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget


class Part(NamedTuple):
    """One named piece of the line; `style` is a component class of the widget, or ""."""

    name: str
    text: str
    style: str = ""


class Placed(NamedTuple):
    """A part as it fits the line: the text shown (maybe cut) and the cells it spans."""

    part: Part
    shown: str
    start: int
    end: int


def place(parts: Sequence[Part], width: int, *, fill: str | None, min_fill: int) -> list[Placed]:
    """Where each non-empty part goes in a line `width` cells wide.

    Every part takes its text's cells and a space either side; the `fill` part takes what
    the others leave (at least `min_fill`), cut with "…" when longer. A part past the right
    edge is cropped there: `shown` is only what is on screen.
    """
    present = [part for part in parts if part.text or part.name == fill]
    fixed = sum(cell_len(part.text) + 2 for part in present if part.name != fill)
    placed: list[Placed] = []
    start = 0
    for part in present:
        if start >= width:
            break
        text = part.text
        if part.name == fill:
            room = max(min_fill, width - fixed - 2)
            line = Text(text, end="")
            line.truncate(room, overflow="ellipsis", pad=True)
            text = line.plain
        end = start + cell_len(text) + 2
        visible = Text(text, end="")
        visible.truncate(max(0, min(end, width) - start - 1), overflow="crop")
        placed.append(Placed(part, visible.plain.rstrip(), start, min(end, width)))
        start = end
    return placed


class PartLine(Widget, can_focus=False):
    """One line of `Part`s; subclasses say what the parts are and when they change."""

    FILL: ClassVar[str | None] = None
    """The part that takes the room the others leave."""
    MIN_FILL: ClassVar[int] = 16

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._parts: tuple[Part, ...] = ()

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every part as last given, shown or not."""
        return self._parts

    def show(self, parts: Iterable[Part]) -> None:
        """Draw `parts` from now on: nothing is redrawn if they are what is already drawn."""
        parts = tuple(parts)
        if parts != self._parts:
            self._parts = parts
            self.refresh()

    def shown(self, name: str) -> str:
        """What of part `name` is on screen at the widget's width now: "" if none of it."""
        for placed in self._placed():
            if placed.part.name == name:
                return placed.shown
        return ""

    def _placed(self) -> list[Placed]:
        return place(self._parts, self.size.width, fill=self.FILL, min_fill=self.MIN_FILL)

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        for placed in self._placed():
            style = placed.part.style
            piece = Text(f" {placed.shown} ", end="")
            piece.truncate(placed.end - placed.start, pad=True)
            if style:
                piece.stylize(self.get_component_rich_style(style))
            line.append_text(piece)
        return line
