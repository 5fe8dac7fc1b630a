"""Who else has the incident open, in the war room's header: another terminal's
announcement shows as "also here", and is gone once it departs."""

from __future__ import annotations

from datetime import timedelta

from textual.content import Content
from textual.visual import visualize

from tests.support.waiting import eventually
from tests.support.war_room import declare, war_room_app, war_room_screen
from warroom.store import EventStore
from warroom.ui.widgets.incident_header import IncidentHeader


async def test_the_header_names_the_other_terminals_on_the_incident(store: EventStore) -> None:
    incident = await declare(store)
    app = war_room_app(store, incident)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = war_room_screen(app)
        header = screen.query_one(IncidentHeader)
        assert header.shown("presence") == "" and header.tooltip is None
        await store.announce(
            incident,
            "other",
            actor="[b]ann[/b]\x1b[2J",
            host="laptop",
            region="logs\x07",
            ttl=timedelta(minutes=1),
        )
        await eventually(
            lambda: "also here" in header.shown("presence"),
            what="ann in the header",
            pause=lambda: pilot.pause(0.1),
        )
        assert header.shown("presence") == "also here: 1 — [b]ann[/b]␛[2J@laptop"
        # The tooltip as Textual draws it: no markup read, no escape kept.
        drawn = visualize(header, header.tooltip)
        assert isinstance(drawn, Content)
        assert drawn.plain.startswith("[b]ann[/b]␛[2J@laptop on logs␇ since ")
        await store.depart(incident, "other")
        await eventually(
            lambda: header.shown("presence") == "" and header.tooltip is None,
            what="ann gone from the header",
            pause=lambda: pilot.pause(0.1),
        )
        # this terminal announced itself too, and is not among "the others"
        (me,) = await store.present(incident)
        assert me.actor == "bob" and me.region == screen.active_region
