"""Two people on one store through the whole app: a tick another terminal made first is not
made again, a declaration made meanwhile is offered to join, several open incidents are
offered to choose from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.war_room import declare, state_of, until, war_room_app
from warroom import incident as kinds
from warroom.store import EventStore, open_store
from warroom.store.sqlite import open_sqlite_store
from warroom.ui.widgets.checklist import ChecklistPane


@pytest.fixture
async def slow_follower(tmp_path: Path) -> AsyncIterator[EventStore]:
    """The app's store on the test's database, noticing other connections' commits only
    once an hour: what another terminal wrote is certainly not on this screen yet."""
    async with await open_sqlite_store(
        tmp_path / "incidents.db", follow_poll_seconds=3600
    ) as opened:
        yield opened


async def test_an_item_another_terminal_ticked_first_is_not_ticked_twice(
    slow_follower: EventStore, tmp_path: Path
) -> None:
    incident_id = await declare(slow_follower)
    app = war_room_app(slow_follower, incident_id, actor="bob")
    async with (
        await open_store(tmp_path / "incidents.db") as carols_terminal,
        app.run_test(size=(160, 48)) as pilot,
    ):
        await pilot.press("3")
        checklist = app.screen.query_one(ChecklistPane)
        await until(pilot, lambda: checklist.option_count > 0, what="checklist filled")
        highlighted = checklist.highlighted
        assert highlighted is not None
        item = checklist.get_option_at_index(highlighted).id
        assert item is not None
        tick = kinds.item_ticked(item)
        await carols_terminal.append(incident_id, tick.kind, tick.payload, actor="carol")
        assert item not in state_of(app).ticked  # bob's screen still shows it open
        await pilot.press("space")
        await until(pilot, lambda: item in state_of(app).ticked, what="carol's tick shown")
        assert state_of(app).ticked[item].actor == "carol"
        await until(
            pilot,
            lambda: any("Already ticked by carol" in str(n.message) for n in app._notifications),
            what="bob told carol was first",
        )
    ticks = [e for e in await slow_follower.events(incident_id) if e.kind == kinds.ITEM_TICKED]
    assert [t.actor for t in ticks] == ["carol"]
