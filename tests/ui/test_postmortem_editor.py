"""The post-mortem editor in Pilot, on real SQLite files: a saved section is a
`postmortem.field_set` event and shows in the preview; in review `P` writes that event and
nothing else; another terminal's section shows up in the open editor."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.review import recorded_incident, write_incident
from tests.support.war_room import declare, shows, until, war_room_app
from warroom.incident import events as ev
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.postmortem_editor import PostmortemEditor
from warroom.ui.screens.prompts import NoteArea
from warroom.ui.screens.war_room import WarRoomScreen

SIZE = (160, 50)


def document(editor: PostmortemEditor) -> str:
    return str(editor.query_one("#pm-document").render())


async def open_editor(pilot: Pilot[Any], app: WarRoomApp) -> PostmortemEditor:
    await until(
        pilot,
        lambda: isinstance(app.screen, WarRoomScreen) and app.screen.state is not None,
        what="the incident loaded",
    )
    await pilot.press("P")
    await until(pilot, shows(app, PostmortemEditor), what="editor open")
    assert isinstance(app.screen, PostmortemEditor)
    return app.screen


async def write_section(pilot: Pilot[Any], *, down: int, lines: list[str]) -> None:
    """Choose the section `down` rows below the first, type `lines`, save."""
    await pilot.press(*["down"] * down, "enter")
    for number, line in enumerate(lines):
        if number:
            await pilot.press("ctrl+j")
        await pilot.press(*line)
    await pilot.press("enter")


async def fields_set(store: EventStore, incident_id: str) -> list[dict[str, Any]]:
    events = await store.events(incident_id)
    return [dict(e.payload) for e in events if e.kind == ev.POSTMORTEM_FIELD_SET]


async def test_a_saved_section_is_an_event_and_shows_in_the_preview(tmp_path: Path) -> None:
    async with await open_store(tmp_path / "incidents.db") as store:
        incident_id = await declare(store)
        app = war_room_app(store, incident_id)
        async with app.run_test(size=SIZE) as pilot:
            editor = await open_editor(pilot, app)
            await write_section(pilot, down=1, lines=["Pool [red]too[/] small", "at 10 rps"])
            await until(
                pilot, lambda: "at 10 rps" in document(editor), what="the section previewed"
            )
            # The Markdown source, as the document renders it: escaped, never read as markup.
            assert "## Root Cause\nPool \\[red\\]too\\[/\\] small\\\nat 10 rps" in (
                document(editor)
            )
            assert await fields_set(store, incident_id) == [
                {"field": "root_cause", "text": "Pool [red]too[/] small\nat 10 rps"}
            ]
            await pilot.press("escape")
            assert isinstance(app.screen, WarRoomScreen)


async def test_review_writes_the_post_mortem_and_nothing_else(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = await write_incident(db, recorded_incident())
    async with await open_store(db, create=False, read_only=True) as reader:
        before = [(e.seq, e.kind) for e in await reader.events(incident_id)]
        writer = partial(open_store, db, create=False)
        app = war_room_app(reader, incident_id, review=True, postmortem_writer=writer)
        async with app.run_test(size=SIZE) as pilot:
            editor = await open_editor(pilot, app)
            await write_section(pilot, down=4, lines=["Roll back first"])
            await until(pilot, lambda: "Roll back first" in document(editor), what="followed back")
            await pilot.press("escape")  # closes the editor, its session and its store
            await until(pilot, shows(app, WarRoomScreen), what="closed")
            assert app.is_running
    # Written through the editor's own store: a fresh reader finds it after the others.
    async with await open_store(db, create=False, read_only=True) as later:
        after = [(e.seq, e.kind) for e in await later.events(incident_id)]
    assert after[: len(before)] == before
    assert [kind for _seq, kind in after[len(before) :]] == [ev.POSTMORTEM_FIELD_SET]


async def test_another_terminals_section_shows_in_the_open_editor(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    async with await open_store(db) as store, await open_store(db) as carols:
        incident_id = await declare(store)
        app = war_room_app(store, incident_id)
        async with app.run_test(size=SIZE) as pilot:
            editor = await open_editor(pilot, app)
            new = ev.postmortem_field_set("impact", "1,200 users, 14 minutes")
            await carols.append(incident_id, new.kind, new.payload, actor="carol")
            await until(
                pilot,
                lambda: "1,200 users, 14 minutes" in document(editor),
                what="carol's section previewed",
            )
            # The section in the area, untouched here, now holds carol's text.
            assert editor.query_one(NoteArea).text == "1,200 users, 14 minutes"
