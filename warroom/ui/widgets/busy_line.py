"""The busy line: what the war room is still doing, once it has taken longer than 300 ms.

Slow is the exception (a write waiting for another terminal's lock, a large export), so
the line takes no room until then: quick actions show only their result. Spinning, it says
what is under way; when the last one ends it goes again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count

from textual.dom import DOMNode
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from warroom.ui.relabel import relabel

SHOW_AFTER = 0.3
"""Seconds an action may take before it shows progress."""
FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPIN_SECONDS = 0.1


class BusyLine(Static):
    """`⠹ Recording the note…` while something slow runs; hidden otherwise."""

    DEFAULT_CSS = """
    BusyLine { height: 1; display: none; padding: 0 1; background: $boost; text-style: bold; }
    BusyLine.-busy { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, markup=False)
        self._under_way: dict[int, str] = {}
        self._shown: dict[int, str] = {}
        self._tokens = count()
        self._frame = 0
        self._spinner: Timer | None = None

    @property
    def shown(self) -> tuple[str, ...]:
        """What the line says is under way (only what has run past `SHOW_AFTER`)."""
        return tuple(self._shown.values())

    def begin(self, what: str) -> int:
        token = next(self._tokens)
        self._under_way[token] = what
        self.set_timer(SHOW_AFTER, lambda: self._show(token))
        return token

    def end(self, token: int) -> None:
        self._under_way.pop(token, None)
        self._shown.pop(token, None)
        self._draw()

    def _show(self, token: int) -> None:
        if token in self._under_way:
            self._shown[token] = self._under_way[token]
            self._draw()

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(FRAMES)
        self._draw()

    def _draw(self) -> None:
        busy = bool(self._shown)
        self.set_class(busy, "-busy")
        if not busy:
            if self._spinner is not None:
                self._spinner.stop()
                self._spinner = None
            return
        if self._spinner is None:
            self._spinner = self.set_interval(SPIN_SECONDS, self._spin)
        relabel(self, f"{FRAMES[self._frame]} {' · '.join(self._shown.values())}…")


@asynccontextmanager
async def progress(node: DOMNode, what: str) -> AsyncIterator[None]:
    """Around an action that may be slow: past `SHOW_AFTER`, the screen's busy line says
    `what` until the action ends (nothing, on a screen without one)."""
    lines = node.screen.query(BusyLine) if isinstance(node, Widget) and node.is_attached else ()
    line = lines.first() if lines else None
    token = line.begin(what) if line is not None else None
    try:
        yield
    finally:
        if line is not None and token is not None:
            line.end(token)
