"""Feedback on a slow write: while another connection holds the incident log's write lock,
the war room says it is still writing (past 300 ms), and the line goes once it is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.war_room import declare, state_of, until, war_room_app
from tests.ui.test_incident_command import loaded
from warroom.store import open_store
from warroom.ui.screens.prompts import NotePrompt
from warroom.ui.widgets.busy_line import BusyLine


async def test_a_write_waiting_for_the_lock_shows_progress_then_its_result(
    tmp_path: Path,
) -> None:
    db = tmp_path / "incidents.db"
    async with await open_store(db) as store:
        app = war_room_app(store, await declare(store))
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot, app)
            busy = app.screen.query_one(BusyLine)
            assert not busy.display
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, NotePrompt), what="note prompt")
            await pilot.press(*"rolled back")
            other = sqlite3.connect(db, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another terminal in the middle of a write
            try:
                await pilot.press("enter")
                await until(pilot, lambda: busy.display, what="the busy line")
                assert busy.shown == ("Writing to the incident log",)
                assert "Writing to the incident log…" in str(busy.render())
            finally:
                other.execute("COMMIT")
                other.close()
            await until(
                pilot,
                lambda: any("rolled back" in e.text for e in state_of(app).timeline),
                what="the note on the timeline",
            )
            await until(pilot, lambda: not busy.display, what="the busy line gone")
