"""The war room's four regions: side by side, or one at a time on a small terminal.

Which is shown is the screen's CSS (its size breakpoints); this container knows the regions,
their numbered titles, and which one is active: marked `-active` (the highlighted border) and
given the focus. The screen makes the region the focus moves into active, so the highlight
follows Tab and the mouse too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.reactive import var
from textual.widget import Widget
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
    for number, (key, title) in enumerate(REGIONS.items(), start=1):
        yield Tab(f"{number} {title}", id=f"tab-{key}")


class Regions(Container):
    """The regions, each a bordered `Vertical` titled with its number key."""

    active: var[str] = var("health")
    """The region shown when they are switched, and the one that has focus."""

    def __init__(self, bodies: Mapping[str, Widget], *, id: str | None = None) -> None:  # noqa: A002
        """`bodies`: region key -> what it holds (made, and bound, by the screen)."""
        super().__init__(id=id)
        self._bodies = bodies

    def compose(self) -> ComposeResult:
        for number, (key, title) in enumerate(REGIONS.items(), start=1):
            with Vertical(id=f"{key}-region", classes="region") as region:
                region.border_title = f"{number} {title}"
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
        for region in self.query(".region"):
            active = region.id == f"{key}-region"
            if region.has_class("-active") != active:
                # Textual restyles everything inside a node whose class changes; no rule
                # looks at a region's class from below it (warroom.tcss), so the region alone
                # is restyled: the two whose class changes, not all their widgets.
                region.set_class(active, "-active", update=False)
                self.app.stylesheet.update_nodes([region], animate=False)
        region = self.query_one(f"#{key}-region")
        if region.has_focus_within:
            return  # the focus moved there by itself (Tab, a click): leave it where it is
        # The first focusable widget inside, so a region body may be a container.
        focusable = next((w for w in region.query("*") if w.focusable), None)
        if focusable is not None:
            focusable.focus()
