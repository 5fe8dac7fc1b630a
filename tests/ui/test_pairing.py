"""Two people on one store through the whole app: a tick another terminal made first is not
made again, a declaration made meanwhile is offered to join, several open incidents are
offered to choose from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from tests.support.times import NEAR_MIDNIGHT as T0
from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.store import EventStore, open_store
from warroom.store.sqlite import open_sqlite_store
from warroom.ui.screens.choose_incident import DECLARE_NEW, ChooseIncidentScreen
from warroom.ui.screens.declare import DECLARE_ANYWAY, DeclareScreen
from warroom.ui.screens.prompts import ChoicePrompt
from warroom.ui.screens.war_room import WarRoomScreen
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


async def test_the_declare_form_offers_to_join_an_incident_declared_meanwhile(
    store: EventStore, tmp_path: Path
) -> None:
    app = war_room_app(store, None)
    async with (
        await open_store(tmp_path / "incidents.db") as anns_terminal,
        app.run_test(size=(100, 30)) as pilot,
    ):
        await until(pilot, shows(app, DeclareScreen), what="declare form")
        app.screen.query_one("#title", Input).focus()
        await pilot.press(*"Checkout")
        # Declared under another playbook's levels, say: untrusted text, shown visibly.
        theirs = await declare(
            anns_terminal, title="Checkout broken", severity="SEV1\x1b[2J", actor="ann"
        )
        await until(pilot, shows(app, ChoicePrompt), what="join offer")
        offered = app.screen.query_one(OptionList)
        assert offered.highlighted == 0
        prompt = str(offered.get_option_at_index(0).prompt)
        assert theirs in prompt and "SEV1␛[2J" in prompt and "\x1b" not in prompt
        await pilot.press("enter")
        await until(pilot, shows(app, WarRoomScreen), what="war room")
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        assert state_of(app).id == theirs
    assert [s.id for s in await store.list_incidents()] == [theirs]


async def test_declaring_after_someone_else_did_asks_first(
    store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The form's watch is too slow to notice: the declaration itself must.
    monkeypatch.setattr(DeclareScreen, "WATCH_SECONDS", 3600)
    app = war_room_app(store, None)
    async with (
        await open_store(tmp_path / "incidents.db") as anns_terminal,
        app.run_test(size=(100, 30)) as pilot,
    ):
        await until(pilot, shows(app, DeclareScreen), what="declare form")
        app.screen.query_one("#title", Input).focus()
        await pilot.press(*"Mail bouncing", "enter")
        theirs = await declare(anns_terminal, title="Checkout broken", actor="ann")
        await pilot.press("down", "enter")  # P1: declare
        await until(pilot, shows(app, ChoicePrompt), what="asked first")
        assert [s.id for s in await store.list_incidents()] == [theirs]  # nothing declared
        # bob's is another outage: he says so, and only then is it declared
        offered = app.screen.query_one(OptionList)
        offered.highlighted = [o.id for o in offered.options].index(DECLARE_ANYWAY)
        await pilot.press("enter")
        await until(pilot, shows(app, WarRoomScreen), what="war room")
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        assert state_of(app).title == "Mail bouncing"
    titles = sorted(s.title for s in await store.list_incidents())
    assert titles == ["Checkout broken", "Mail bouncing"]


async def test_with_several_open_incidents_the_responder_chooses(store: EventStore) -> None:
    older = await declare(store, title="Checkout broken", at=T0)
    newer = await declare(
        store, title="Mail bouncing", severity="SEV1\x1b[2J", at=T0 + timedelta(minutes=5)
    )
    closed = await declare(store, title="Old outage", at=T0 - timedelta(days=1))
    await store.append(closed, kinds.RESOLVED, {}, actor="a")
    app = war_room_app(store, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, shows(app, ChooseIncidentScreen), what="the choice")
        listed = app.screen.query_one(OptionList)
        assert [o.id for o in listed.options] == [newer, older, DECLARE_NEW]
        assert "Checkout broken" in str(listed.get_option(older).prompt)
        shown = str(listed.get_option(newer).prompt)
        assert "SEV1␛[2J" in shown and "\x1b" not in shown
        await pilot.press("down", "enter")
        await until(pilot, shows(app, WarRoomScreen), what="war room")
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        assert state_of(app).id == older


async def test_choosing_to_declare_another_knows_the_open_ones(store: EventStore) -> None:
    listed = [await declare(store, title=f"outage {n}") for n in range(2)]
    app = war_room_app(store, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, shows(app, ChooseIncidentScreen), what="the choice")
        await pilot.press("up", "enter")  # the last line: declare a new one
        await until(pilot, shows(app, DeclareScreen), what="declare form")
        app.screen.query_one("#title", Input).focus()
        await pilot.press(*"Third thing", "enter", "down", "enter")
        # the two it listed are not "declared meanwhile": no offer, straight in
        await until(pilot, shows(app, WarRoomScreen), what="war room")
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        assert state_of(app).title == "Third thing"
    assert len(await store.list_incidents()) == len(listed) + 1
