"""Views whose focus shows in a row or two: a focus move repaints those rows, not the view.

Textual repaints a whole widget when it gains or loses the focus, and again for each style
the restyle sets. For a log view or a list whose focus shows only in its cursor's colours,
that composited and wrote every row of both regions to the terminal on every region key
(~15 KB at 200×60, a 22 ms frame under a log flood, most of the key's time).
"""

from __future__ import annotations

from typing import Self

from textual.geometry import Region
from textual.widget import Widget


class FocusShowsInRows(Widget):
    """While the focus moves, a repaint of the whole widget is narrowed to `focus_rows()`.

    Only when the widget's own look stays the same: a restyle that changes its colours (a
    theme's `:focus` background, say) repaints it all, as Textual would. Named after the
    Textual class in a widget's bases (`class LogView(ScrollView, FocusShowsInRows)`):
    Textual takes a widget's CSS, and its focusability, along its first bases.
    """

    _focus_moving = False

    def focus_rows(self) -> tuple[Region, ...]:
        """The rows the focus changes, in the coordinates `refresh` takes; () for none."""
        return ()

    def watch_has_focus(self, has_focus: bool) -> None:
        look = self._look_of_focus()
        self._focus_moving = True
        # Reset once this Focus or Blur is handled: Textual's own repaint comes after this
        # watcher, in the same handler.
        self.call_next(self._focus_moved)
        super().watch_has_focus(has_focus)
        if self._look_of_focus() != look:
            self._focus_moving = False
            self.refresh()

    def _focus_moved(self) -> None:
        self._focus_moving = False

    def _look_of_focus(self) -> tuple[object, ...]:
        tint = self.styles.background_tint
        return (self.rich_style, self.background_colors, tint if tint.a else None)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._focus_moving and not (regions or layout or recompose):
            regions = self.focus_rows()
            if not regions:
                return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
