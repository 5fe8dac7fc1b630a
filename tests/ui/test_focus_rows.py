"""`FocusShowsInRows`: a focus move repaints the rows the focus shows in, unless the widget's
own look changes with the focus, when it repaints it all as Textual would."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

from tests.support.war_room import WidgetHost, restyles_of, until
from warroom.health.monitor import HealthMonitor
from warroom.playbook import Service
from warroom.ui.widgets.focus_rows import FocusShowsInRows
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.health_row import HealthList


class View(FocusShowsInRows, can_focus=True):
    DEFAULT_CSS = "View { height: 5; }"

    def focus_rows(self) -> tuple[Region, ...]:
        return (Region(0, 2, self.size.width, 1),)


class LooksFocused(View):
    DEFAULT_CSS = "LooksFocused:focus { background: red; }"


class Other(Widget, can_focus=True):
    DEFAULT_CSS = "Other { height: 1; }"


class Room(Screen[None]):
    def __init__(self, view: View) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view
        yield Other()


class BesideOther(WidgetHost):
    """The widget, and another that can take the focus from it."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Other()


async def repaints_on_focus(
    view: View, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[Region, ...]]:
    """What `view` asked to repaint while the focus came to it and left again."""
    app: App[None] = App()
    asked: list[tuple[Region, ...]] = []
    async with app.run_test() as pilot:
        await app.push_screen(Room(view))
        other = app.screen.query_one(Other)
        # As a region key moves it: `Widget.focus()` repaints the widget whole by itself.
        app.screen.set_focus(other)
        await pilot.pause()
        refresh = Widget.refresh

        def recording(self: Widget, *regions: Region, **options: Any) -> Widget:
            if self is view:
                asked.append(regions)
            return refresh(self, *regions, **options)

        monkeypatch.setattr(Widget, "refresh", recording)
        for widget in (view, other):
            app.screen.set_focus(widget)
            await pilot.pause()
    return asked


async def test_a_focus_move_repaints_the_focus_rows_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = await repaints_on_focus(View(), monkeypatch)
    assert asked
    assert all(regions == (Region(0, 2, 80, 1),) for regions in asked), asked


async def test_a_look_that_changes_with_the_focus_repaints_the_whole_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = await repaints_on_focus(LooksFocused(), monkeypatch)
    assert () in asked  # the whole widget, both ways
    assert len([regions for regions in asked if regions == ()]) >= 2


async def test_the_views_keep_their_textual_base_css() -> None:
    """The mixin follows the Textual class in their bases: Textual takes a widget's CSS along
    its first bases, and a list that lost ListView's drew its own class name when empty and
    no cursor colours (an SVG snapshot updated without a look went unnoticed once)."""
    app = WidgetHost(HealthPane(monitor=HealthMonitor(())))
    async with app.run_test() as pilot:
        await pilot.pause()
        rows = app.query_one(HealthList)
        assert rows.styles.layout is not None  # VerticalScroll's `layout: vertical`
        assert "HealthList" not in str(rows.render())
        assert rows.can_focus and not rows.can_focus_children


async def test_a_focus_move_restyles_the_highlighted_health_row_alone() -> None:
    """ListView's `:focus` rules reach the highlighted row only; Textual restyles every row
    on every focus move (seven in the shipped playbook, at every region key)."""
    targets = [Service(name=f"service-{n}", url="http://127.0.0.1:1/") for n in range(4)]
    app = BesideOther(HealthPane(monitor=HealthMonitor(targets), autostart=False))
    async with app.run_test() as pilot:
        rows = app.query_one(HealthList)
        await until(pilot, lambda: len(rows.children) == 4, what="a row per target")
        rows.focus()
        await until(pilot, lambda: rows.has_focus and rows.highlighted_child, what="focused")
        highlighted = rows.highlighted_child
        assert highlighted is not None
        focused_look = highlighted.rich_style
        restyled = restyles_of(app)
        app.screen.set_focus(app.query_one(Other))
        await until(pilot, lambda: not rows.has_focus, what="focus gone")
        await pilot.pause()
        assert highlighted in restyled and highlighted.rich_style != focused_look
        others = [row for row in rows.children if row is not highlighted]
        assert not [row for row in others if row in restyled]
