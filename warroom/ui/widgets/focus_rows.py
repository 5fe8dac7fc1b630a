"""Repaints narrowed to what changed: a region's border when it becomes active (`Regions`),
a view's cursor rows when the focus moves, not the whole widget.

Textual repaints a whole widget when its style changes, and when it gains or loses the
focus. For a log view or a list whose focus shows only in its cursor's colours, that
composited and wrote every row of both regions to the terminal on every region key (~12 KB
at 200×60, most of the key's frame under a log flood).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from textual.dom import DOMNode
from textual.geometry import Region
from textual.widget import Widget


class NarrowsRepaints(Widget):
    """A repaint of the whole widget narrowed to `narrowed()`'s regions while it gives some
    (none: nothing to repaint). Named after the Textual class in a widget's bases
    (`class LogView(ScrollView, FocusShowsInRows)`): Textual takes a widget's CSS, and its
    focusability, along its first bases."""

    def narrowed(self) -> tuple[Region, ...] | None:
        """Where a whole repaint goes now, in the coordinates `refresh` takes; None: all."""
        return None

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if not (regions or layout or recompose):
            narrowed = self.narrowed()
            if narrowed is not None:
                if not narrowed:
                    return self
                regions = narrowed
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class FocusShowsInRows(NarrowsRepaints):
    """While the focus moves, a repaint of the whole widget is narrowed to `focus_rows()`.

    Only when the widget's own look stays the same: a restyle that changes its colours (a
    theme's `:focus` background, say) repaints it all, as Textual would.
    """

    _focus_moving = False

    def focus_rows(self) -> tuple[Region, ...]:
        """The rows the focus changes, in the coordinates `refresh` takes; () for none."""
        return ()

    def restyled_on_focus(self) -> Iterable[DOMNode]:
        """What a focus move restyles: as Textual does, the widget and all it holds. A widget
        whose `:focus` rules reach less narrows it; one that draws its focus from component
        classes of its own, with no `:focus` rule, gives none. A restyle is not free: beside
        the rules' matching, Textual then repaints the widget's scrollbars, whose rules it
        sets again whether they changed or not."""
        return self.walk_children(with_self=True)

    def narrowed(self) -> tuple[Region, ...] | None:
        return self.focus_rows() if self._focus_moving else None

    def watch_has_focus(self, has_focus: bool) -> None:
        self._focus_moving = True
        # Reset once this Focus or Blur is handled: Textual's own repaint comes after this
        # watcher, in the same handler.
        self.call_next(self._focus_moved)
        restyled = list(self.restyled_on_focus())
        if not restyled:
            self.refresh()  # narrowed, as the repaint Textual asks for next
            return
        look = self._look_of_focus()
        # What `Widget.watch_has_focus` does (`App.update_styles`), for these nodes only.
        self.app.stylesheet.update_nodes(restyled, animate=True)
        if self._look_of_focus() != look:
            self._focus_moving = False
            self.refresh()

    def _focus_moved(self) -> None:
        self._focus_moving = False

    def _look_of_focus(self) -> tuple[object, ...]:
        tint = self.styles.background_tint
        return (self.rich_style, self.background_colors, tint if tint.a else None)
