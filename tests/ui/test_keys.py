"""Keys in the war room: one remapped from the playbook's `[keys]`, and `?` listing the keys
that work now, grouped, the focused region's first."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, shows, until, war_room_app, war_room_screen
from tests.ui.test_incident_command import loaded
from warroom.playbook.keys import KeyRemap
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.keys import KeysScreen
from warroom.ui.screens.prompts import NotePrompt


async def test_a_key_remapped_in_the_playbook_does_its_action(store: EventStore) -> None:
    playbook = quiet_playbook()._replace(keys=(KeyRemap("add-note", ("N",), 90),))
    assert WarRoomApp.keymap_problems(playbook) == []
    app = war_room_app(store, await declare(store), playbook=playbook)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.press("3", "n")
        await pilot.pause()
        assert not isinstance(app.screen, NotePrompt)  # `n` is no longer the note's key
        await pilot.press("N")
        await until(pilot, shows(app, NotePrompt), what="the note prompt")
        await pilot.press("escape")
        await until(pilot, lambda: war_room_screen(app) is app.screen, what="back")

        await pilot.press("question_mark")
        await until(pilot, shows(app, KeysScreen), what="the key help")
        keys = app.screen
        assert isinstance(keys, KeysScreen)
        titles = [group.title for group in keys.groups]
        assert titles == ["Checklist (focused)", "War room", "Everywhere"]
        room = {line.binding_id: line for line in keys.groups[1].keys}
        assert room["add-note"].key == "N" and room["add-note"].does == "Add note"
        assert "toggle-item" in {line.binding_id for line in keys.groups[0].keys}
        assert "quit" in {line.binding_id for line in keys.groups[2].keys}
        await pilot.press("question_mark")
        await until(pilot, lambda: war_room_screen(app) is app.screen, what="help closed")


def test_an_unknown_id_or_a_clash_in_keys_is_a_problem_at_its_line() -> None:
    playbook = quiet_playbook()._replace(
        keys=(KeyRemap("add-notes", ("N",), 90), KeyRemap("logs-pin", ("q",), 91)),
    )
    path = playbook.path
    assert WarRoomApp.keymap_problems(playbook) == [
        f"{path}:90: keys.add-notes: no key binding has this id (did you mean 'add-note'?)",
        f"{path}:91: keys.logs-pin: 'q' is already Quit (Logs)",
    ]


async def test_the_key_help_is_a_page_of_its_own_with_the_war_room_not_drawn_under_it(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")  # in colour: NO_COLOR's background is the terminal's own
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, app)
        await pilot.press("question_mark")
        await until(pilot, shows(app, KeysScreen), what="the key help")
        # Under a see-through screen (background alpha < 1, Screen.render) Textual draws the
        # one below again, through the tint, at every frame.
        assert app.screen.styles.background.a == 1
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is war_room_screen(app), what="closed")


async def help_read_to_the_end(pilot: Pilot[None], app: WarRoomApp, *keys: str) -> KeysScreen:
    """Press `keys`, open the key help, scroll it to its end and close it; the help."""
    await pilot.press(*keys, "question_mark")
    await until(pilot, shows(app, KeysScreen), what="the key help")
    help_screen = app.screen
    assert isinstance(help_screen, KeysScreen)
    help_screen.query_one(VerticalScroll).scroll_end(animate=False)
    await pilot.press("question_mark")
    await until(pilot, lambda: app.screen is war_room_screen(app), what="closed")
    return help_screen


async def test_the_key_help_is_built_once_and_lists_the_keys_of_where_it_is_opened(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        keys = await help_read_to_the_end(pilot, app, "3")
        await pilot.press("4", "question_mark")
        await until(pilot, shows(app, KeysScreen), what="the key help again")
        assert keys is app.screen  # not built again: that was most of what `?` cost
        assert isinstance(keys, KeysScreen)
        assert keys.groups[0].title == "Timeline (focused)"
        assert str(keys.query_one("#keys-body", Static).content).startswith("Timeline (focused)")
        assert keys.query_one(VerticalScroll).scroll_y == 0


async def test_the_key_help_opened_again_over_the_same_keys_keeps_its_text(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        body = (await help_read_to_the_end(pilot, app)).query_one("#keys-body", Static)
        text = body.content
        await pilot.press("question_mark")
        await until(pilot, shows(app, KeysScreen), what="the key help again")
        # Not written again: new text is laid out and drawn again before the help shows.
        assert body.content is text
        assert app.screen.query_one(VerticalScroll).scroll_y == 0
