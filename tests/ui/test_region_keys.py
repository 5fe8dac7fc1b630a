"""Moving between regions at a big terminal: what a region key costs, and where the focus and
the highlight go. The cost is counted, not timed (bench/keys.py times it in tmux): a key that
mounts widgets or restyles the whole screen cannot answer within a frame at 200×60."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.visual import visualize
from textual.widget import Widget
from textual.widgets import Input, Static, Tabs

from tests.support.war_room import (
    declare,
    restyles_of,
    until,
    war_room_app,
    war_room_screen,
)
from warroom.logs.step_aside import StepAside
from warroom.store import EventStore
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets import key_bar
from warroom.ui.widgets.key_bar import KeyBar
from warroom.ui.widgets.log_view import LogView

BIG = (200, 60)


def active_regions(screen: WarRoomScreen) -> list[str | None]:
    return [region.id for region in screen.query(".region.-active")]


def region_with_focus(screen: WarRoomScreen) -> str | None:
    focused = screen.focused
    assert focused is not None, "nothing has the focus"
    return next((r.id for r in screen.query(".region") if focused in r.walk_children()), None)


def focus_in(screen: WarRoomScreen, region: str) -> Callable[[], bool]:
    return lambda: region_with_focus(screen) == region


async def loaded(screen: WarRoomScreen, pilot: Pilot[None]) -> None:
    await until(pilot, lambda: screen.state is not None, what="incident loaded")


async def test_a_region_key_restyles_only_the_two_regions_and_mounts_nothing(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        await pilot.pause()
        before = list(screen.walk_children(with_self=True))
        restyled = restyles_of(app)
        await pilot.press("2")
        await until(pilot, lambda: region_with_focus(screen) == "logs-region", what="logs focused")
        await pilot.pause()

        concerned = {
            node
            for key in ("health", "logs")
            for node in screen.query_one(f"#{key}-region").walk_children(with_self=True)
        }
        outside = {repr(node) for node in restyled if node not in concerned}
        assert not outside, f"restyled outside the two regions: {sorted(outside)}"
        # Nothing recomposed, e.g. a footer remounting a widget per key.
        assert list(screen.walk_children(with_self=True)) == before
        # The log view draws its focus from a component class of its own: the focus move
        # does not restyle it. In a terminal that restyle set every scrollbar rule again,
        # which repainted the view's scrollbar in the key's frame and once more after it.
        assert screen.query_one(LogView) not in restyled
        assert "Filter" in [key.description for key in screen.query_one(KeyBar).keys]


async def test_a_region_key_repaints_the_borders_not_what_the_regions_hold(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        # The log view's first beat repaints it whole: taken before the key.
        info = screen.query_one("#log-info", Static)
        await until(pilot, lambda: "following" in str(info.render()), what="log view synced")
        await pilot.pause()
        blurred = screen.focused
        whole: list[Widget] = []
        refresh = Widget.refresh

        def counting(self: Widget, *regions: Region, **options: Any) -> Widget:
            if not regions:
                whole.append(self)
            return refresh(self, *regions, **options)

        monkeypatch.setattr(Widget, "refresh", counting)
        await pilot.press("2")
        await until(pilot, lambda: region_with_focus(screen) == "logs-region", what="logs focused")
        await pilot.pause()
        monkeypatch.undo()

        # Nothing in the regions repaints whole: a title colour set in CSS repainted every
        # widget inside, and the two views whose focus moved repainted every row, where
        # their focus shows only in their cursor rows (`FocusShowsInRows`).
        focus_moved = {blurred, screen.focused}
        regions = [screen.query_one(f"#{key}-region") for key in ("health", "logs")]
        inside = {node for region in regions for node in region.walk_children(with_self=True)}
        repainted = {
            repr(widget)
            for widget in whole
            if widget in inside
            and not (isinstance(widget, ScrollBar) and widget.parent in focus_moved)
        }
        assert not repainted, f"repainted in full: {sorted(repainted)}"


async def test_the_highlight_follows_the_focus_and_a_region_key_brings_it_back(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        assert active_regions(screen) == ["health-region"] == [region_with_focus(screen)]
        # Tab on until the focus leaves the health region: the highlight goes with it.
        for _ in range(10):
            await pilot.press("tab")
            if region_with_focus(screen) not in ("health-region", None):
                break
        moved_to = region_with_focus(screen)
        assert moved_to not in ("health-region", None)
        await until(pilot, lambda: active_regions(screen) == [moved_to], what="highlight moved")
        await pilot.press("1")
        await until(
            pilot, lambda: region_with_focus(screen) == "health-region", what="back to health"
        )
        assert active_regions(screen) == ["health-region"]


async def test_a_stale_focus_does_not_pull_the_highlight_back(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        # Two keys handled before the first one's focus message arrives: the last one wins.
        screen.action_show_region("checklist")
        screen.action_show_region("logs")
        await until(pilot, lambda: region_with_focus(screen) == "logs-region", what="logs")
        await pilot.pause()
        assert active_regions(screen) == ["logs-region"] == [region_with_focus(screen)]


async def test_tabs_not_made_side_by_side_show_the_active_region_once_shown(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        assert not screen.query(Tabs)  # nine widgets the first frame does not wait for
        await pilot.press("3")
        await pilot.resize_terminal(80, 24)
        tabs = screen.query_one(Tabs)
        await until(pilot, lambda: tabs.display, what="tabs shown")
        await until(pilot, lambda: tabs.active == "tab-checklist", what="checklist tab")
        assert [r.id for r in screen.query(".region") if r.display] == ["checklist-region"]


async def test_on_a_small_screen_a_tab_clicked_shows_its_region(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        await pilot.click("#tab-timeline")
        await until(pilot, lambda: screen.active_region == "timeline", what="timeline")
        assert [r.id for r in screen.query(".region") if r.display] == ["timeline-region"]


async def test_at_start_the_focus_goes_straight_to_the_active_region(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every focus moved restyles the widget it leaves and the one it enters: before the first
    frame, Textual's auto-focus would give it to the tabs and the region would take it back."""
    focused: list[str] = []
    set_focus = Screen.set_focus

    def recording(screen: Screen[Any], widget: Widget | None, *args: Any, **kwargs: Any) -> None:
        if widget is not None:
            focused.append(type(widget).__name__)
        set_focus(screen, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", recording)
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        await until(pilot, lambda: bool(focused), what="a focus")
        await pilot.pause()
        assert region_with_focus(screen) == "health-region"
    assert set(focused) == {"HealthList"}  # the health list, and nothing before it


async def test_the_war_room_is_not_restyled_as_a_whole_on_its_way_to_the_screen(
    store: EventStore,
) -> None:
    """Its widgets are styled as they mount; a restyle of the whole screen after that (on
    being shown, or for its size) would hold the first frame back ~15 ms at 200x60."""
    app = war_room_app(store, await declare(store))
    restyled = restyles_of(app)
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        await pilot.pause()
        assert screen.is_mounted
        assert screen not in restyled
        # Only nodes whose classes changed at start (the active region, its highlighted
        # row, the clocks...), not the screen's sixty widgets once more.
        assert len(restyled) < 20, f"{len(restyled)} restyled"


async def test_the_store_is_not_asked_for_presence_or_news_before_the_first_frame(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The beacon's announce and the follow's polls are queries on the store's thread: they
    wait until the incident is on screen, as the health round and the log sources do."""
    happened: list[str] = []
    for name in ("announce", "follow"):
        method = getattr(store, name)

        def recorded(*args: Any, _name: str = name, _method: Any = method, **kwargs: Any) -> Any:
            happened.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(store, name, recorded)
    app = war_room_app(store, await declare(store), on_shown=lambda: happened.append("shown"))
    async with app.run_test(size=BIG) as pilot:
        await loaded(war_room_screen(app), pilot)
        await until(pilot, lambda: {"announce", "follow"} <= set(happened), what="both")
    assert happened[0] == "shown"


class CountedHolds(StepAside):
    """A gate whose cap (60 s) never ends a hold within a test: only a release can."""

    def __init__(self) -> None:
        super().__init__(longest=60)
        self.holds = 0

    def hold(self) -> None:
        super().hold()
        self.holds += 1


async def test_a_region_key_holds_log_ingest_until_its_frame_is_out(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    gate = app.step_aside = CountedHolds()
    async with app.run_test(size=(200, 60)) as pilot:
        screen = war_room_screen(app)
        await until(pilot, lambda: screen.state is not None, what="incident loaded")
        assert screen.step_aside is gate
        await pilot.press("2")
        assert gate.holds == 1
        await until(pilot, lambda: not gate.held, what="released after the key's frame")
        assert screen.active_region == "logs"


async def test_a_key_the_focused_widget_answers_holds_log_ingest_until_the_cap(
    store: EventStore,
) -> None:
    # Such a key never comes back to the app, so nothing says when its frame is out: only
    # the cap ends the hold. Textual marks the arriving event itself forwarded as it passes
    # it on, which once read as "back from the widget" and released the hold at once.
    app = war_room_app(store, await declare(store))
    gate = app.step_aside = CountedHolds()
    async with app.run_test(size=(200, 60)) as pilot:
        screen = war_room_screen(app)
        await until(pilot, lambda: screen.state is not None, what="incident loaded")
        for key in ("2", "slash"):  # the logs, and their filter box (both app bindings)
            await pilot.press(key)
            await until(pilot, lambda: not gate.held, what=f"{key}'s hold released")
        box = app.focused
        assert isinstance(box, Input)
        await pilot.press("x")  # typed into the box: the Input stops the key
        await until(pilot, lambda: box.value == "x", what="typed")
        await pilot.pause()
        assert gate.holds == 3 and gate.held


async def test_the_key_bar_draws_each_line_once_and_shows_the_focused_regions_keys(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []

    def counted(widget: Widget, line: Any) -> Any:
        drawn.append(str(line))
        return visualize(widget, line)

    monkeypatch.setattr(key_bar, "visualize", counted)
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=BIG) as pilot:
        screen = war_room_screen(app)
        await loaded(screen, pilot)
        bar = screen.query_one(KeyBar)
        shown: dict[str, str] = {}
        for key, region in (("2", "logs"), ("1", "health"), ("2", "logs"), ("1", "health")):
            await pilot.press(key)
            await until(pilot, focus_in(screen, f"{region}-region"), what=region)
            await pilot.pause()
            line = bar.render_line(0).text
            assert shown.setdefault(region, line) == line
        assert "Filter" in shown["logs"] and "Filter" not in shown["health"]
        # Each line made once, however often it came back: logs' and health's at least.
        assert len(drawn) >= 2 and len(set(drawn)) == len(drawn), drawn
