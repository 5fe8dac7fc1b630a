"""What the war room screen does with its regions: the region keys, the tabs that stand for
them on a small terminal, and the active region following the focus. A part of
`WarRoomScreen`, kept in its own module so that the screen stays one readable page.

Each move is kept cheap, to answer a key within a frame at 200×60: only the two regions
concerned are restyled (see `Regions`), hidden tabs are not updated, and the screen is not
repainted as a whole. The tabs are not even made until the screen is small: composed hidden,
their nine widgets held the first frame back ~5 ms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import events, on
from textual.reactive import Reactive, var
from textual.screen import Screen
from textual.widget import Widget

from warroom.ui.widgets.regions import Regions, region_tabs

if TYPE_CHECKING:
    from textual.widgets import Tabs


def _size_class(size: int, breakpoints: list[tuple[int, str]]) -> str:
    """The class Textual's breakpoints give a screen `size` cells wide (or tall)."""
    return max((b for b in breakpoints if size >= b[0]), default=breakpoints[0])[1]


class RegionScreen(Screen[None]):
    """A screen holding one `Regions` and, once it is small, one `Tabs` of them. Below 100×28
    cells the regions are switched instead of squeezed (the CSS, on the size classes)."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]

    active_region: var[str] = var("health")
    """The region shown when they are switched, and the one that has focus."""
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As `Screen.focused`, without repainting the whole screen on every focus move: the
    widgets that gain and lose focus repaint themselves, and a full repaint at 200×60 was
    most of the time from a region key to the screen."""

    def __init__(self) -> None:
        super().__init__()
        # The size classes now, not on the first Resize: set then, they restyle every widget
        # just styled at mount (~20 ms at 200×60, in the way of the first frame).
        width, height = self.app.size
        self.add_class(_size_class(width, self.HORIZONTAL_BREAKPOINTS), update=False)
        self.add_class(_size_class(height, self.VERTICAL_BREAKPOINTS), update=False)
        self._shown_before = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler. Shown for the first time, the screen's widgets
        # were styled as they mounted, just before, all together: Textual's restyle of every
        # one of them would change nothing but hold back the first frame (~13 ms at 200×60).
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

    def _compositor_refresh(self) -> None:
        below = self is not self.app.screen
        super()._compositor_refresh()
        if below:
            # Under a see-through dialog Textual passes each change up to it, then marks this
            # screen for a whole repaint: the next change passed the whole screen up, and the
            # dialog drew the whole war room again behind it. Shown again, it is repainted
            # whole regardless (Textual's ScreenResume).
            self._repaint_required = False

    def compose_tabs(self) -> Iterator[Tabs]:
        """For the subclass's `compose`, before the regions: the tabs, if it starts small."""
        if self._regions_switched():
            yield self._new_tabs()

    def _regions_switched(self) -> bool:
        return self.has_class("-narrow") or self.has_class("-short")

    def _new_tabs(self) -> Tabs:
        # Imported here, as `region_tabs` imports Tab: a start side by side never needs
        # their module (~1.7 ms).
        from textual.widgets import Tabs

        return Tabs(*region_tabs(), active=f"tab-{self.active_region}")

    def action_show_region(self, key: str) -> None:
        self.active_region = key

    def watch_active_region(self, key: str) -> None:
        if self.is_mounted:
            self._show_region(key)

    def _show_region(self, key: str) -> None:
        self.query_one(Regions).active = key
        self._sync_tabs()

    def _sync_tabs(self) -> None:
        # Hidden while the regions are side by side: not kept up to date then, since a tab
        # change restyles every tab; made, or brought up to date, when a resize shows them.
        if not self._regions_switched():
            return
        from textual.widgets import Tabs

        made = self.query(Tabs)
        if made:
            made.first().active = f"tab-{self.active_region}"
        else:
            self.mount(self._new_tabs(), before=self.query_one(Regions))

    def on_resize(self, _event: events.Resize) -> None:
        if self.is_mounted:
            self._sync_tabs()

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        # Tab or a click into another region makes it the active one, as its key would. A
        # key typed meanwhile may have moved the focus on: then this one is stale.
        key = self.query_one(Regions).region_of(event.widget)
        if key is not None and event.widget is self.focused:
            self.active_region = key

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab.id is not None:
            self.active_region = event.tab.id.removeprefix("tab-")
