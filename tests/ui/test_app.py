"""The war room shell driven through Textual's Pilot, on a real SQLite file."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Label, OptionList, Static

from tests.support.disk import disk_full_at
from tests.support.war_room import (
    declare,
    note_prompt,
    shows,
    state_of,
    until,
    war_room_app,
    war_room_screen,
)
from warroom import incident as kinds
from warroom.logs.step_aside import StepAside
from warroom.store import EventStore
from warroom.ui.app import SWITCH_INTERVAL
from warroom.ui.screens.prompts import NoteArea, NotePrompt
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.incident_header import IncidentHeader
from warroom.ui.widgets.timeline import TimelinePane


async def test_wide_screen_shows_all_four_regions_and_the_header(store: EventStore) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, WarRoomScreen)
        await until(pilot, lambda: screen.state is not None, what="incident loaded")
        for key in ("health", "logs", "checklist", "timeline"):
            region = screen.query_one(f"#{key}-region")
            assert region.display and region.region.width > 40 and region.region.height > 10, key
        header = screen.query_one(IncidentHeader)
        assert header.shown("id") == incident_id
        assert header.shown("severity") == "P1 High"
        assert header.shown("title") == "Backend returning 503s"


async def test_while_it_runs_the_loop_waits_at_most_a_millisecond_for_the_gil(
    store: EventStore,
) -> None:
    # The loop gives the GIL away at every pipe read and terminal write; Python's default
    # 5 ms for another thread to give it back was a key's wait during a flood, per call.
    python_default = sys.getswitchinterval()
    assert python_default > SWITCH_INTERVAL
    app = war_room_app(store, await declare(store))
    async with app.run_test() as pilot:
        await until(pilot, shows(app, WarRoomScreen), what="the war room")
        assert sys.getswitchinterval() == SWITCH_INTERVAL
    assert sys.getswitchinterval() == python_default  # given back: it is the process's


async def test_small_screen_switches_regions_instead_of_squeezing(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = war_room_screen(app)
        await until(pilot, lambda: screen.state is not None, what="incident loaded")

        def visible() -> list[str | None]:
            return [r.id for r in screen.query(".region") if r.display]

        assert visible() == ["health-region"]
        await pilot.press("3")
        assert visible() == ["checklist-region"]
        assert screen.query_one("#checklist-region").region.height >= 15
        await pilot.press("4")
        assert visible() == ["timeline-region"]


async def test_ticking_an_item_appends_an_event_and_shows_the_time(store: EventStore) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        checklist = app.screen.query_one(ChecklistPane)
        await until(pilot, lambda: checklist.option_count > 0, what="checklist filled")
        highlighted = checklist.highlighted
        assert highlighted is not None
        first_item = checklist.get_option_at_index(highlighted).id
        assert first_item is not None
        await pilot.press("space")
        await until(pilot, lambda: first_item in state_of(app).ticked, what="tick shown")
        ticks = [e for e in await store.events(incident_id) if e.kind == kinds.ITEM_TICKED]
        assert [(t.payload["item_id"], t.actor) for t in ticks] == [(first_item, "bob")]
        assert str(checklist.get_option(first_item).prompt).startswith("[x] ")
        await pilot.press("space")
        await until(pilot, lambda: first_item not in state_of(app).ticked, what="untick")
        assert str(checklist.get_option(first_item).prompt).startswith("[ ] ")


async def test_note_and_severity_change_reach_store_and_timeline(store: EventStore) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        await pilot.press(*"db pool exhausted [bold]")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any("db pool exhausted" in e.text for e in state_of(app).timeline),
            what="note",
        )
        await pilot.press("s")
        severity_list = app.screen.query_one(OptionList)
        severity_list.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: state_of(app).severity == "P0", what="severity P0")
    recorded = [(e.kind, e.payload) for e in await store.events(incident_id)]
    assert (kinds.NOTE_ADDED, {"text": "db pool exhausted [bold]"}) in recorded
    assert (kinds.SEVERITY_CHANGED, {"from": "P1", "to": "P0"}) in recorded


async def test_events_from_another_process_appear(store: EventStore, tmp_path: Path) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        timeline = app.screen.query_one(TimelinePane)
        # Another terminal: its own OS process and connection, writing as a responder would.
        other_terminal = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "warroom", "--db", str(tmp_path / "incidents.db"),
            "--as", "carol", "note", incident_id, "from pane 2",
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await other_terminal.communicate()
        assert other_terminal.returncode == 0, stderr.decode()
        await until(
            pilot,
            lambda: any(
                timeline.entry_text(timeline.entry_at(row)).plain.endswith("carol: from pane 2")
                for row in range(timeline.entry_count)
            ),
            what="the other process's note on the timeline",
        )


async def test_without_an_incident_the_app_offers_to_declare_one(store: EventStore) -> None:
    app = war_room_app(store, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.query("#title"), what="the declare form")
        app.screen.query_one("#title", Input).focus()
        await pilot.press(*"Checkout broken", "enter")
        await pilot.press("down", "enter")  # P1
        await until(pilot, shows(app, WarRoomScreen), what="war room")
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        assert state_of(app).title == "Checkout broken"
        assert state_of(app).severity == "P1"
    assert [s.title for s in await store.list_incidents()] == ["Checkout broken"]


async def test_every_key_is_also_a_palette_command(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        screen_wide = {"Add note", "Change severity", "Copy status text", "Resolve", "Logs"}
        own = {"1": "Last response", "2": "Pin", "3": "Tick/untick", "4": "Retract entry"}
        for key, region_command in own.items():
            await pilot.press(key)
            titles = {command.title for command in app.get_system_commands(app.screen)}
            # A region's own keys must not hide the screen's: both stay in the palette.
            assert screen_wide | {region_command} <= titles, key


async def test_copying_a_status_text_records_exactly_what_was_said(store: EventStore) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("c")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = [o.id for o in choices.options].index("investigating")
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CommsScreen", what="preview")
        await pilot.press("c")
        await until(pilot, shows(app, WarRoomScreen), what="copied")
        await until(pilot, lambda: state_of(app).last_status_update is not None, what="recorded")
        copied = [e for e in await store.events(incident_id) if e.kind == kinds.COMMS_COPIED]
        assert len(copied) == 1
        assert copied[0].payload["template"] == "investigating"
        assert copied[0].payload["text"] == app.clipboard
        assert "Backend returning 503s" in app.clipboard


async def test_palette_offers_every_template(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for name in ("investigating", "identified", "monitoring", "resolved", "email"):
            assert f"Copy status: {name}" in titles


HOSTILE = "Pwn \x1b]2;PWNED\x1b\\ \x1b[2J [b]x[/b]"
"""Sets the terminal title, clears the screen and tries markup, if it ever got through."""


async def test_typed_text_is_shown_plainly_everywhere_it_appears(store: EventStore) -> None:
    event = await store.declare(title=HOSTILE, severity="P1", actor=HOSTILE)
    incident_id = event.incident_id
    await store.append(incident_id, kinds.ITEM_TICKED, {"item_id": "alert-received"}, actor=HOSTILE)
    await store.append(
        incident_id, kinds.ROLE_ASSIGNED, {"role": "commander", "name": HOSTILE}, actor="a"
    )
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.pause()
        shown = [
            app.screen.query_one(IncidentHeader).shown("title"),
            str(app.screen.query_one(ChecklistPane).get_option("alert-received").prompt),
            str(app.screen.query_one("#roles-line", Static).render()),
        ]
    for text in shown:
        assert "\x1b" not in text, text
        assert "␛]2;PWNED" in text and "[b]x[/b]" in text, text


async def test_a_refused_write_is_reported_and_the_room_stays_open(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")

        async def refuse(*args: object, **kwargs: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(store, "append", refuse)
        await pilot.press("n", *"lost?", "enter")
        await until(
            pilot,
            lambda: any("database is locked" in str(n.message) for n in app._notifications),
            what="the refusal reported",
        )
        assert app.is_running and isinstance(app.screen, WarRoomScreen)
        assert not any("lost?" in entry.text for entry in state_of(app).timeline)


async def test_a_note_on_a_full_disk_is_refused_not_shown_as_recorded(
    store: EventStore, tmp_path: Path
) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await note_prompt(pilot, app)
        await pilot.press(*"no room")
        # Not one byte more: the note's pages cannot be added to the write-ahead log.
        with disk_full_at((tmp_path / "incidents.db-wal").stat().st_size):
            await pilot.press("enter")
            await until(
                pilot,
                lambda: any("disk I/O error" in str(n.message) for n in app._notifications),
                what="the refusal reported",
            )
        assert not any("no room" in entry.text for entry in state_of(app).timeline)
    assert [e.kind for e in await store.events(incident_id)] == [kinds.DECLARED]


async def test_a_pasted_stack_trace_is_one_whole_note_and_an_empty_one_is_not_dropped(
    store: EventStore,
) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    trace = 'Traceback (most recent call last):\n  File "app.py", line 3\nKeyError: pool'
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        await until(pilot, shows(app, NotePrompt), what="note prompt")
        await pilot.press("enter")  # nothing typed yet
        prompt = app.screen
        assert isinstance(prompt, NotePrompt)
        assert "Nothing to record" in str(prompt.query_one("#note-hint", Label).render())
        app.post_message(events.Paste(trace))  # as the terminal delivers a bracketed paste
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, NotePrompt), what="note recorded")
    notes = [
        e.payload["text"] for e in await store.events(incident_id) if e.kind == kinds.NOTE_ADDED
    ]
    assert notes == [trace]


async def test_the_note_prompt_is_built_once_and_asks_afresh_each_time(
    store: EventStore,
) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        prompt = await note_prompt(pilot, app)
        await pilot.press("enter", *"half a thought")  # the hint says why nothing was kept
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is war_room_screen(app), what="cancelled")

        await pilot.press("n")
        await until(pilot, shows(app, NotePrompt), what="note prompt again")
        # Not built again (a see-through dialog pushed new was drawn twice before it showed),
        # and nothing of the cancelled note is left in it.
        assert app.screen is prompt
        assert prompt.query_one(NoteArea).text == ""
        assert "ctrl+j" in str(prompt.query_one("#note-hint", Label).render())
        await pilot.press("ctrl+z")  # no history of the last note to undo into
        await pilot.press(*"db failover done", "enter")
        await until(pilot, lambda: app.screen is war_room_screen(app), what="recorded")
    notes = [
        e.payload["text"] for e in await store.events(incident_id) if e.kind == kinds.NOTE_ADDED
    ]
    assert notes == ["db failover done"]


async def test_the_collector_held_at_start_runs_again_once_the_war_room_is_drawn(
    store: EventStore,
) -> None:
    from warroom import collector

    app = war_room_app(store, await declare(store))
    collector.hold()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = war_room_screen(app)
            await until(pilot, lambda: screen.state is not None, what="incident loaded")
            await until(pilot, gc.isenabled, what="collector running again")
            assert gc.get_freeze_count() > 0
    finally:
        collector.release()
        gc.unfreeze()


async def test_a_severity_the_playbook_does_not_know_is_shown_as_plain_visible_text(
    store: EventStore,
) -> None:
    # An imported incident's, say: the export's schema takes any string as its severity.
    app = war_room_app(store, await declare(store, severity="SEV1\x1b]2;PWNED\x07"))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.pause()
        await pilot.press("I")  # the whole title, with the id and severity as its heading
        await until(pilot, lambda: bool(app._notifications), what="the title shown")
        shown = [
            app.screen.query_one(IncidentHeader).shown("severity"),
            str(app.screen.query_one("#severity-line", Static).render()),
            *(str(n.title) for n in app._notifications),
        ]
    assert shown[0] == "SEV1␛]2;PWNED␇"
    for text in shown:
        assert "\x1b" not in text and "SEV1␛]2;PWNED␇" in text, text


async def test_a_key_held_by_the_app_holds_the_garbage_collector_too(store: EventStore) -> None:
    app = war_room_app(store, await declare(store))
    try:
        async with app.run_test() as pilot:
            await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
            app.step_aside.hold()  # as a key arriving does
            assert app.step_aside.held and not gc.isenabled()
            app.step_aside.release()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_a_hold_left_when_the_app_ends_ends_with_it(store: EventStore) -> None:
    # As the key that quits holds the sources, and with them the garbage collector; a long
    # cap, so that only the app's end can release it.
    app = war_room_app(store, await declare(store))
    app.step_aside = StepAside(longest=30, pause_collector=True)
    try:
        async with app.run_test() as pilot:
            await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
            app.step_aside.hold()
            assert not gc.isenabled()
        assert not app.step_aside.held and gc.isenabled()
    finally:
        gc.enable()
