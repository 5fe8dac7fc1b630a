"""The timeline region driven through Pilot on a real SQLite file: view, filter, corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.incident import Event
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.prompts import ChoicePrompt, NoteArea, NotePrompt
from warroom.ui.screens.timeline_edit import TimePrompt, parse_entry_time
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.timeline import TimelinePane

T0 = datetime(2025, 3, 4, 14, 0, tzinfo=UTC)
"""When the test incident is declared (CET is UTC+1 on that day)."""


async def note(store: EventStore, incident_id: str, text: str, minutes: int) -> Event:
    return await store.append(
        incident_id,
        kinds.NOTE_ADDED,
        {"text": text},
        actor="alice",
        at=T0 + timedelta(minutes=minutes),
    )


def lines(pane: TimelinePane) -> list[str]:
    """Every line the timeline shows, as plain text."""
    return [pane.entry_text(pane.entry_at(row)).plain for row in range(pane.entry_count)]


def highlighted_line(pane: TimelinePane) -> str:
    entry = pane.highlighted_entry
    assert entry is not None
    return pane.entry_text(entry).plain


async def open_timeline(pilot: Pilot[None], app: WarRoomApp, *, entries: int) -> TimelinePane:
    """Focus the timeline (key 4) once it shows `entries` lines."""
    pane = app.screen.query_one(TimelinePane)
    await until(pilot, lambda: pane.entry_count == entries, what=f"{entries} entries shown")
    await pilot.press("4")
    assert pane.has_focus
    return pane


async def test_lines_show_time_in_the_display_zone_and_follow_the_end(
    store: EventStore,
) -> None:
    incident_id = await declare(store, at=T0)
    await note(store, incident_id, "checked fly status", 5)
    app = quiet_app(store, incident_id, zone="Europe/Berlin")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=2)
        assert lines(pane)[0].startswith("15:00:00 CET  alice: Declared P1: Backend returning")
        assert highlighted_line(pane).endswith("checked fly status")
        await note(store, incident_id, "restarting backend", 6)
        await until(pilot, lambda: pane.entry_count == 3, what="synced note")
        assert highlighted_line(pane).endswith("restarting backend")  # followed the end
        await pilot.press("up")
        assert highlighted_line(pane).endswith("checked fly status")
        await note(store, incident_id, "backend back", 7)
        await until(pilot, lambda: pane.entry_count == 4, what="second synced note")
        assert highlighted_line(pane).endswith("checked fly status")  # stays where moved


async def test_editing_a_note_shows_the_edit_and_keeps_the_original(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("n", *"db pool exhausted", "enter")
        pane = await open_timeline(pilot, app, entries=2)
        await pilot.press("e")
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("enter")  # "The note's text" is preselected
        assert isinstance(app.screen, NotePrompt)
        assert app.screen.query_one(NoteArea).text == "db pool exhausted"
        await pilot.press(*" on primary", "enter")  # typed where the cursor is: at the end
        await until(pilot, lambda: "(edited)" in highlighted_line(pane), what="edit shown")
        assert highlighted_line(pane).endswith("bob: db pool exhausted on primary  (edited)")
    recorded = await store.events(incident_id)
    added = [e for e in recorded if e.kind == kinds.NOTE_ADDED]
    assert [e.payload for e in added] == [{"text": "db pool exhausted"}]
    edits = [e.payload for e in recorded if e.kind == kinds.ENTRY_EDITED]
    assert edits == [{"target_seq": added[0].seq, "text": "db pool exhausted on primary"}]


async def test_a_note_of_three_lines_is_edited_as_three_lines(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    trace = 'Traceback (most recent call last):\n  File "app.py", line 3\nKeyError: pool'
    added = await note(store, incident_id, trace, 5)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_timeline(pilot, app, entries=2)
        await pilot.press("e", "enter")
        assert isinstance(app.screen, NotePrompt)
        assert app.screen.query_one(NoteArea).text == trace
        app.post_message(events.Paste("\n(primary only)"))  # as a bracketed paste arrives
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, NotePrompt), what="edit recorded")
    edits = [e.payload for e in await store.events(incident_id) if e.kind == kinds.ENTRY_EDITED]
    assert edits == [{"target_seq": added.seq, "text": f"{trace}\n(primary only)"}]


async def test_editing_a_time_reorders_and_is_read_in_the_display_zone(
    store: EventStore,
) -> None:
    incident_id = await declare(store, at=T0)
    first = await note(store, incident_id, "first", 10)
    second = await note(store, incident_id, "second", 20)
    app = quiet_app(store, incident_id, zone="Europe/Berlin")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=3)
        await pilot.press("t")
        assert isinstance(app.screen, TimePrompt)
        time_box = app.screen.query_one(Input)
        assert time_box.value == "15:20:00"  # 14:20 UTC shown in CET
        time_box.value = "15:05"
        await pilot.press("enter")
        await until(pilot, lambda: lines(pane)[1].endswith("second  (edited)"), what="reorder")
        assert lines(pane)[1].startswith("15:05:00 CET")
        assert lines(pane)[2].endswith("first")
        assert highlighted_line(pane).endswith("second  (edited)")  # the highlight moved with it
    edits = [e.payload for e in await store.events(incident_id) if e.kind == kinds.ENTRY_EDITED]
    assert edits == [{"target_seq": second.seq, "at": "2025-03-04T14:05:00+00:00"}]
    assert first.seq in {e.seq for e in await store.events(incident_id)}


async def test_a_time_that_cannot_be_read_says_so_and_records_nothing(
    store: EventStore,
) -> None:
    incident_id = await declare(store, at=T0)
    await note(store, incident_id, "first", 10)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_timeline(pilot, app, entries=2)
        await pilot.press("t")
        prompt = app.screen
        assert isinstance(prompt, TimePrompt)
        prompt.query_one(Input).value = "25:99"
        await pilot.press("enter")
        error = prompt.query_one("#time-error", Static)
        assert app.screen is prompt and "not a time of day" in str(error.content)
        prompt.query_one(Input).value = "half past two"
        await pilot.press("enter")
        assert app.screen is prompt and "HH:MM" in str(error.content)
        await pilot.press("escape")
        assert isinstance(app.screen, WarRoomScreen)
    assert len(await store.events(incident_id)) == 2


async def test_retracting_after_confirming_hides_the_entry_but_keeps_it_stored(
    store: EventStore,
) -> None:
    incident_id = await declare(store, at=T0)
    await note(store, incident_id, "keep me", 5)
    wrong = await note(store, incident_id, "wrong service restarted", 6)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=3)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: pane.entry_count == 2, what="entry retracted")
        assert not any("wrong service" in line for line in lines(pane))
        assert highlighted_line(pane).endswith("keep me")
    recorded = [(e.kind, dict(e.payload)) for e in await store.events(incident_id)]
    assert (kinds.NOTE_ADDED, {"text": "wrong service restarted"}) in recorded
    assert (kinds.ENTRY_RETRACTED, {"target_seq": wrong.seq}) in recorded


async def test_cancelling_the_confirm_records_nothing(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    await note(store, incident_id, "keep me", 5)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=2)
        for answer in ("n", "escape", "enter"):  # enter presses the focused "Keep" button
            await pilot.press("d")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(answer)
            assert isinstance(app.screen, WarRoomScreen)
        assert pane.entry_count == 2
    assert [e.kind for e in await store.events(incident_id)] == [
        kinds.DECLARED,
        kinds.NOTE_ADDED,
    ]


async def test_the_declaration_cannot_be_retracted(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_timeline(pilot, app, entries=1)
        await pilot.press("d")
        assert isinstance(app.screen, WarRoomScreen)
        assert any("can't be retracted" in n.message for n in app._notifications)
    assert len(await store.events(incident_id)) == 1


async def test_marking_a_key_moment_sets_it_and_marks_the_entry(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    found = await note(store, incident_id, "found it: pool size 5", 12)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=2)
        await pilot.press("m")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = [o.id for o in choices.options].index("identified")
        await pilot.press("enter")
        await until(pilot, lambda: "identified" in state_of(app).moments, what="moment recorded")
        assert state_of(app).moments["identified"] == found.at
        marked = [line for line in lines(pane) if "◆ IDENTIFIED" in line]
        assert len(marked) == 1 and marked[0].endswith("alice: found it: pool size 5")
    moment_sets = [e.payload for e in await store.events(incident_id) if e.kind == kinds.MOMENT_SET]
    assert moment_sets == [
        {"moment": "identified", "at": found.at.isoformat(), "target_seq": found.seq}
    ]


async def test_notes_only_and_kind_filters_hide_the_rest(store: EventStore) -> None:
    incident_id = await declare(store, at=T0)
    await store.append(
        incident_id,
        kinds.HEALTH_CHANGED,
        {"target": "backend", "from": "up", "to": "down", "status": 503, "reason": "timeout"},
        actor="alice",
        at=T0 + timedelta(minutes=1),
    )
    await note(store, incident_id, "paging supabase", 2)
    app = quiet_app(store, incident_id)
    filters: list[str] = []
    async with app.run_test(
        size=(160, 48),
        message_hook=lambda m: (
            filters.append(m.label) if isinstance(m, TimelinePane.FilterChanged) else None
        ),
    ) as pilot:
        pane = await open_timeline(pilot, app, entries=3)
        await pilot.press("o")
        assert [line.split("  ", 1)[1] for line in lines(pane)] == ["alice: paging supabase"]
        assert "Notes only" in str(pane.border_title) and filters[-1] == "Notes only"
        await pilot.press("f")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = [o.id for o in choices.options].index("health")
        await pilot.press("enter")
        assert len(lines(pane)) == 1 and "backend: up → down (timeout)" in lines(pane)[0]
        await pilot.press("o", "o")  # notes only, then back to everything
        assert pane.entry_count == 3 and not pane.border_title


async def test_markup_and_escape_sequences_in_a_note_are_shown_not_run(
    store: EventStore,
) -> None:
    incident_id = await declare(store, at=T0)
    hostile = "see [bold]log[/bold] \x1b]52;c;aGk=\x07 done"
    await note(store, incident_id, hostile, 3)
    app = quiet_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = await open_timeline(pilot, app, entries=2)
        shown = lines(pane)[1]
        assert "[bold]log[/bold]" in shown
        assert "␛]52;c;aGk=␇" in shown and "\x1b" not in shown and "\x07" not in shown
        painted = "".join(
            segment.text for y in range(pane.size.height) for segment in pane.render_line(y)
        )
        assert "[bold]log[/bold] ␛]52;c;aGk=␇ done" in painted and "\x1b" not in painted
        await pilot.press("e", "enter")
        assert app.screen.query_one(NoteArea).text == "see [bold]log[/bold] ␛]52;c;aGk=␇ done"
        await pilot.press("escape")
    assert [e.kind for e in await store.events(incident_id)][-1] == kinds.NOTE_ADDED


async def test_timeline_keys_are_palette_commands_while_it_has_focus(
    store: EventStore,
) -> None:
    app = quiet_app(store, await declare(store, at=T0))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_timeline(pilot, app, entries=1)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {
            "Edit entry",
            "Edit entry time",
            "Retract entry",
            "Mark key moment",
            "Filter timeline",
            "Notes only",
        } <= titles


def test_clock_times_are_read_in_the_zone_nearest_the_entry() -> None:
    late = datetime(2025, 3, 4, 22, 50, tzinfo=UTC)  # 23:50 CET
    now = late + timedelta(hours=1)
    assert parse_entry_time("00:10", near=late, zone="Europe/Berlin", now=now) == datetime(
        2025, 3, 4, 23, 10, tzinfo=UTC
    )
    assert parse_entry_time("23:40:30", near=late, zone="Europe/Berlin", now=now) == datetime(
        2025, 3, 4, 22, 40, 30, tzinfo=UTC
    )
    assert parse_entry_time(
        "2025-03-04T09:00:00Z", near=late, zone="Europe/Berlin", now=now
    ) == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    assert parse_entry_time(
        "2025-03-04 09:00", near=late, zone="Europe/Berlin", now=now
    ) == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    for bad in ("24:00", "9", "yesterday", ""):
        with pytest.raises(ValueError):
            parse_entry_time(bad, near=late, zone="Europe/Berlin", now=now)


def test_an_entry_cannot_be_moved_into_the_future() -> None:
    now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="2030-01-01 00:00:00 UTC is in the future"):
        parse_entry_time("2030-01-01T00:00:00Z", near=now, zone="UTC", now=now)
    # Within the clock skew two terminals may disagree by, it is taken.
    assert parse_entry_time("03:00:30", near=now, zone="UTC", now=now) == now + timedelta(
        seconds=30
    )


def quiet_app(store: EventStore, incident_id: str, *, zone: str = "UTC") -> WarRoomApp:
    """The war room with nothing to poll or tail, times shown in `zone`."""
    return war_room_app(store, incident_id, playbook=quiet_playbook(zone=zone))
