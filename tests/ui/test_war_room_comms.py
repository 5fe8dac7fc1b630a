"""The war room as the CLI builds it, on a real SQLite file: correcting what comms says (a field
set once, the incident's title) and acknowledging the incident, as a person does at the keys."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.comms import CommsScreen
from warroom.ui.screens.prompts import TextPrompt
from warroom.ui.widgets.clock_strip import ClockStrip
from warroom.ui.widgets.incident_header import IncidentHeader


async def loaded(pilot: Pilot[None], app: WarRoomApp) -> None:
    await until(pilot, lambda: war_room_screen(app).state is not None, what="incident loaded")


def response_text(app: WarRoomApp) -> str:
    return app.screen.query_one(ClockStrip).shown("response")


async def test_a_cause_set_once_is_corrected_before_the_next_copy_and_recorded(
    store: EventStore,
) -> None:
    incident_id = await declare(store)
    # Set by another terminal's earlier copy of the "identified" update.
    await store.append(
        incident_id, kinds.FIELD_SET, {"name": "cause", "value": "a bad deploy"}, actor="carol"
    )
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, app)
        await pilot.press("c")
        choices = app.screen.query_one(OptionList)
        choices.highlighted = [o.id for o in choices.options].index("identified")
        await pilot.press("enter")
        await until(pilot, shows(app, CommsScreen), what="preview")
        await pilot.press("e", "tab", "end", "ctrl+u", *"an expired TLS certificate")
        assert app.screen.query_one("#field-cause", Input).value == "an expired TLS certificate"
        await pilot.press("enter")
        await until(pilot, lambda: state_of(app).last_status_update is not None, what="copied")
        assert state_of(app).fields["cause"] == "an expired TLS certificate"
    events = await store.events(incident_id)
    assert [e.kind for e in events[-2:]] == [kinds.FIELD_SET, kinds.COMMS_COPIED]
    assert events[-2].payload == {"name": "cause", "value": "an expired TLS certificate"}
    assert events[-2].actor == "bob"
    assert events[-1].payload["text"] == app.clipboard
    assert "Cause: an expired TLS certificate\n" in app.clipboard


async def test_renaming_moves_the_header_the_list_and_the_description(store: EventStore) -> None:
    incident_id = await declare(store, title="Backend returning 503s")
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, app)
        await pilot.press("T")
        await until(pilot, shows(app, TextPrompt), what="rename prompt")
        prompt = app.screen
        assert prompt.query_one(Input).value == "Backend returning 503s"
        await pilot.press("end", "ctrl+u", *"Checkout  returns 503s for EU", "enter")
        new_title = "Checkout returns 503s for EU"
        await until(pilot, lambda: state_of(app).title == new_title, what="renamed")
        header = war_room_screen(app).query_one(IncidentHeader)
        await until(pilot, lambda: header.shown("title") == new_title, what="head")
        assert state_of(app).timeline[-1].text == f"Renamed: {new_title}"

        await pilot.press("T")  # the one prompt, asked anew with the title it has now
        await until(pilot, lambda: app.screen is prompt, what="rename prompt again")
        field = prompt.query_one(Input)
        assert field.value == new_title and field.cursor_position == len(new_title)
        await pilot.press("escape")
    assert (await store.incident(incident_id)).title == new_title
    assert [summary.title for summary in await store.list_incidents()] == [new_title]


async def test_a_scripts_note_is_no_response_an_acknowledgement_is(store: EventStore) -> None:
    incident_id = await declare(store, severity="P1")
    # What a bot's `warroom note` right after declaring appends.
    await store.append(incident_id, kinds.NOTE_ADDED, {"text": "deploy-bot: v42"}, actor="ci")
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, app)
        await until(pilot, lambda: response_text(app) != "", what="clocks drawn")
        assert response_text(app).startswith("Response due in")
        await pilot.press("A")
        await until(pilot, lambda: state_of(app).first_response_by == "bob", what="acknowledged")
        await until(pilot, lambda: "✓ met" in response_text(app), what="response met")
        assert state_of(app).timeline[-1].text == "Acknowledged by bob"
    acks = [e for e in await store.events(incident_id) if e.kind == kinds.ACKNOWLEDGED]
    assert [(ack.actor, dict(ack.payload)) for ack in acks] == [("bob", {})]
