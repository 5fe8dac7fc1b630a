"""The phase strip in the war room under a fake clock: its states as the incident moves,
every phase on screen at 80 columns, and the full title one key away."""

from __future__ import annotations

import pytest

from tests.support.war_room import declare, until
from tests.ui.test_incident_command import FakeClock, advance, loaded, war_room
from warroom.incident import item_ticked
from warroom.store import EventStore
from warroom.ui.widgets.incident_header import IncidentHeader
from warroom.ui.widgets.phase_strip import PhaseStrip

LONG_TITLE = "Checkout returns 503 for every EU customer paying with a saved card since the deploy"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_the_strip_follows_ticks_and_the_clock(store: EventStore, clock: FakeClock) -> None:
    incident_id = await declare(store, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        strip = screen.query_one(PhaseStrip)
        assert (
            strip.plain == "▶Detection 0:00/5m  Investigation  Mitigation  Resolution  Post-Mortem"
        )
        detection = screen.playbook.phases[0].items
        ticks = [item_ticked(item.id) for item in detection]
        entries = [(tick.kind, tick.payload) for tick in ticks]
        await store.append_many(incident_id, entries, actor="carol", at=clock())
        await until(pilot, lambda: strip.plain.startswith("✓Detection ▶"), what="Detection done")
        await advance(pilot, app, clock, minutes=12, seconds=12)
        assert strip.plain == (
            "✓Detection ▶Investigation 7:12/10m  Mitigation  Resolution  Post-Mortem"
        )
        await advance(pilot, app, clock, minutes=27, seconds=48)
        # Investigation's window closed at 15 minutes, Mitigation's at 30.
        assert strip.plain.startswith("✓Detection !Investigation +25:00 !Mitigation  Resolution")
        assert strip.region.right <= 80


async def test_the_full_title_is_one_key_away(store: EventStore, clock: FakeClock) -> None:
    app = war_room(store, await declare(store, title=LONG_TITLE, at=clock()), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        shown = screen.query_one(IncidentHeader).shown("title")
        assert shown.endswith("…") and len(shown) < len(LONG_TITLE)
        await pilot.press("I")
        await until(
            pilot,
            lambda: any(str(n.message) == LONG_TITLE for n in app._notifications),
            what="the whole title shown",
        )
