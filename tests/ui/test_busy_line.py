"""Feedback on slow actions: past 300 ms the busy line says what is under way (a write
waiting for another connection's lock, an export to a file that takes its time), and goes
once the action ends, which is acknowledged."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.waiting import eventually
from tests.support.war_room import declare, shows, state_of, until, war_room_app
from tests.ui.test_incident_command import loaded
from warroom.store import open_store
from warroom.ui.screens.prompts import NotePrompt
from warroom.ui.widgets.busy_line import BusyLine
from warroom.ui.widgets.log_pane import LogPane


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
            await until(pilot, shows(app, NotePrompt), what="note prompt")
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


async def test_a_slow_export_shows_progress_until_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The export's file is a FIFO: writing it waits for a reader, as a slow disk would.
    monkeypatch.chdir(tmp_path)
    at = datetime(2026, 11, 29, 3, 7, 30, tzinfo=UTC)
    fifo = tmp_path / f"incident-logs-{at:%Y%m%d-%H%M%S}.log"
    os.mkfifo(fifo)
    async with await open_store(tmp_path / "incidents.db") as store:
        app = war_room_app(store, await declare(store, at=at), clock=lambda: at)
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot, app)
            logs = app.screen.query_one(LogPane)
            logs.tail.buffer.extend("backend", ["2026-11-29T03:07:01Z app[1] ord [error] boom"])
            busy = app.screen.query_one(BusyLine)
            await pilot.press("2")
            # The pane's export holds its key press until written: the key in a task of its own.
            export = asyncio.create_task(pilot.press("E"))
            try:
                await eventually(lambda: busy.display, what="the busy line")
                assert busy.shown == ("Exporting 1 log lines",)
            finally:
                written = await asyncio.to_thread(fifo.read_text)  # the reader it waits for
            await export
            assert written == "backend 2026-11-29T03:07:01Z app[1] ord [error] boom\n"
            await until(pilot, lambda: not busy.display, what="the busy line gone")
            await until(
                pilot,
                lambda: any(
                    f"exported 1 lines to {fifo}" in str(n.message) for n in app._notifications
                ),
                what="the export acknowledged",
            )
