"""The war room's four regions: side by side, or one at a time on a small terminal.

Which is shown is the screen's CSS (its size breakpoints); this container knows the regions,
their numbered titles, and which one is active: marked `-active` (the highlighted border) and
given the focus. The screen makes the region the focus moves into active, so the highlight
follows Tab and the mouse too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.content import Content
from textual.geometry import Region
from textual.reactive import var
from textual.widget import Widget

from warroom.ui.widgets.focus_rows import NarrowsRepaints

if TYPE_CHECKING:
    from textual.widgets import Tab

REGIONS: dict[str, str] = {
    "health": "Health",
    "logs": "Logs",
    "checklist": "Checklist",
    "timeline": "Timeline",
}
"""Region id -> title, in the order of their number keys."""


def region_tabs() -> Iterator[Tab]:
    """One tab per region, "1 Health" … "4 Timeline", with ids `tab-REGION`."""
    from textual.widgets import Tab  # only a small screen shows them

    for number, (key, title) in enumerate(REGIONS.items(), start=1):
        yield Tab(f"{number} {title}", id=f"tab-{key}")


class RegionBox(Vertical, NarrowsRepaints):
    """One bordered region, titled with its number key; bold and framed in colour when active.

    Becoming active or not repaints the border alone. Textual repaints a whole widget when
    its style changes, and a change of title colour in CSS repaints every widget inside it
    too: at 200×60 that was most of the time from a region key to the screen. So the CSS
    changes only the border's colour (`.region.-active`), the title carries its own
    emphasis, and the repaint asked for meanwhile is narrowed to the border's cells.
    """

    def __init__(self, number: int, title: str, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id, classes="region")
        self._title = f"{number} {title}"
        self._border_only = False
        self.border_title = self._title

    def set_active(self, active: bool) -> None:
        if self.has_class("-active") == active:
            return
        self._border_only = True
        try:
            # No rule looks at a region's class from below it (warroom.tcss): the region
            # alone is restyled, not everything inside it.
            self.set_class(active, "-active", update=False)
            self.app.stylesheet.update_nodes([self], animate=False)
            # A constant title of ours, not untrusted text.
            self.border_title = (
                Content.from_markup(f"[bold $foreground]{self._title}") if active else self._title
            )
        finally:
            self._border_only = False

    def narrowed(self) -> tuple[Region, ...] | None:
        return self._border_cells() if self._border_only else None

    def _border_cells(self) -> tuple[Region, ...]:
        """The four edges, in the content coordinates `refresh` takes."""
        width, height = self.outer_size
        x, y = -self.content_offset.x, -self.content_offset.y
        return (
            Region(x, y, width, 1),
            Region(x, y + height - 1, width, 1),
            Region(x, y, 1, height),
            Region(x + width - 1, y, 1, height),
        )


class Regions(Container):
    """The regions, each a `RegionBox` titled with its number key."""

    active: var[str] = var("health")
    """The region shown when they are switched, and the one that has focus."""

    def __init__(self, bodies: Mapping[str, Widget], *, id: str | None = None) -> None:  # noqa: A002
        """`bodies`: region key -> what it holds (made, and bound, by the screen)."""
        super().__init__(id=id)
        self._bodies = bodies

    def compose(self) -> ComposeResult:
        for number, (key, title) in enumerate(REGIONS.items(), start=1):
            with RegionBox(number, title, id=f"{key}-region"):
                yield self._bodies[key]

    def on_mount(self) -> None:
        self.watch_active(self.active)

    def region_of(self, widget: Widget) -> str | None:
        """The key of the region that holds `widget`, if one does."""
        for node in widget.ancestors_with_self:
            if isinstance(node, Widget) and node.has_class("region") and node.parent is self:
                return (node.id or "").removesuffix("-region")
        return None

    def watch_active(self, key: str) -> None:
        for box in self.query(RegionBox):
            box.set_active(box.id == f"{key}-region")
        region = self.query_one(f"#{key}-region")
        if region.has_focus_within:
            return  # the focus moved there by itself (Tab, a click): leave it where it is
        # The first focusable widget inside, so a region body may be a container.
        focusable = next((w for w in region.query("*") if w.focusable), None)
        if focusable is not None:
            # At once, not `focus()`'s next turn of the loop: a key typed right after the
            # region's key (`2` then `/`) belongs to the region it chose.
            self.screen.set_focus(focusable)
