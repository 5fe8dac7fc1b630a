"""Themes in the war room: the one it is given, warnings for broken files, Textual's own
themes given warroom's semantic colours, and the palette's switcher remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.filter import NoColor

from tests.support.war_room import declare, until, war_room_app
from tests.ui.test_incident_command import loaded
from warroom.playbook.themes import LoadedThemes, Looks, load_themes, remembered_theme
from warroom.resources import themes_dir
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.incident_header import IncidentHeader


def severity_colour(app: WarRoomApp) -> Color:
    header = app.screen.query_one(IncidentHeader)
    return header.get_component_styles("incident-header--p1").color


async def test_the_war_room_starts_in_the_theme_it_is_given(store: EventStore) -> None:
    loaded_themes = load_themes([themes_dir()])
    light = next(theme for theme in loaded_themes.themes if theme.name == "light")
    app = war_room_app(store, await declare(store), looks=Looks(loaded_themes, "light"))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        assert app.theme == "light" and not app.current_theme.dark
        # The header's P1 is the theme's severity-p1, named by no widget.
        assert severity_colour(app) == Color.parse(light.variables["severity-p1"])


@pytest.mark.parametrize("name", ["dark", "high-contrast", "light", "monochrome"])
async def test_each_theme_is_in_the_first_parse_of_the_stylesheet(
    store: EventStore, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Textual's ANSI filter allows, the theme's colours are given to the stylesheet
    before it is first parsed, not to a second parse of everything (~6 ms of a start)."""
    loaded_themes = load_themes([themes_dir()])
    theme = next(theme for theme in loaded_themes.themes if theme.name == name)
    reparsed: list[str] = []
    reparse = Stylesheet.reparse

    def counted(stylesheet: Stylesheet) -> None:
        reparsed.append("reparse")
        reparse(stylesheet)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = war_room_app(store, await declare(store), looks=Looks(loaded_themes, name))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        assert app.theme == name and app.has_class(f"-theme-{name}")
        assert app.current_theme.dark == theme.dark
        assert severity_colour(app) == Color.parse(theme.variables["severity-p1"])
        # Textual's default theme is dark: only a light one needs its filter changed.
        assert reparsed == ([] if theme.dark else ["reparse"])


async def test_a_broken_theme_file_is_a_warning_on_screen(
    store: EventStore, tmp_path: Path
) -> None:
    (tmp_path / "mine.toml").write_text('dark = true\n[colors]\nprimary = "teal"\n')
    themes = load_themes([themes_dir(), tmp_path])
    looks = Looks(themes, "dark", warnings=themes.warnings)
    app = war_room_app(store, await declare(store), looks=looks)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await until(
            pilot,
            lambda: any(f"{tmp_path}/mine.toml:3:" in str(n.message) for n in app._notifications),
            what="the broken file named with its line",
        )
        assert app.theme == "dark"


async def test_the_palette_offers_warrooms_themes_alone(store: EventStore) -> None:
    themes = load_themes([themes_dir()])
    app = war_room_app(store, await declare(store), looks=Looks(themes))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        assert set(app.available_themes) == set(themes.names)


async def test_without_a_theme_file_textuals_theme_lends_its_colours(store: EventStore) -> None:
    nothing = LoadedThemes((), ("themes/dark.toml:1: cannot read the theme",))
    app = war_room_app(store, await declare(store), looks=Looks(nothing))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        assert app.theme == "textual-dark"
        theme = app.get_theme("textual-dark")
        assert theme is not None and "severity-p1" not in theme.variables
        warning = Color.parse(theme.to_color_system().generate()["warning"])
        await until(pilot, lambda: severity_colour(app) == warning, what="its warning for P1")


async def test_the_palette_switches_the_theme_and_remembers_it(
    store: EventStore, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    looks = Looks(load_themes([themes_dir()]), "high-contrast", config_dir=config)
    app = war_room_app(store, await declare(store), looks=looks)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.pause()
        assert remembered_theme(config) is None  # starting in a theme is not choosing it
        await pilot.press("ctrl+p", *"Theme")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"monochrome")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "monochrome", what="monochrome chosen")
        await until(pilot, lambda: remembered_theme(config) == "monochrome", what="remembered")


@pytest.mark.parametrize("no_color", [True, False])
async def test_without_colour_the_cursor_is_reverse_video(
    store: EventStore, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    looks = Looks(load_themes([themes_dir()]), "dark", no_color=no_color)
    app = war_room_app(store, await declare(store), looks=looks)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.press("3")
        checklist = app.screen.query_one(ChecklistPane)
        await until(pilot, lambda: checklist.has_focus, what="the checklist focused")
        cursor = checklist.get_component_rich_style("option-list--option-highlighted")
        assert app.no_color is no_color
        assert bool(cursor.reverse) is no_color
        assert any(isinstance(f, NoColor) for f in app._filters) is no_color
