"""Publishing and paging from the war room, through Pilot, against a real HTTP server on
127.0.0.1: the exact request is previewed with every secret masked, nothing is sent before
its key, component statuses can be changed, the outcome is shown and recorded; review and a
read-only playbook refuse."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Select, Static

from tests.support.apis import (
    HOOK_SECRET,
    KEY,
    PAGE,
    ROUTING_KEY,
    FakeApiServer,
    json_answer,
    publishing_playbook,
)
from tests.support.health import never_answer, response
from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.playbook import Playbook
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.comms import CommsScreen
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.publish import PublishScreen
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.busy_line import BusyLine

CREATED = json_answer(201, {"id": "sp-inc-1", "shortlink": "https://stspg.io/ab", "status": "x"})


def notices(app: WarRoomApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_investigating(app: WarRoomApp, pilot: Pilot[None]) -> None:
    await until(pilot, lambda: war_room_screen(app).state is not None, what="incident loaded")
    await pilot.press("c", "enter")  # the first template: investigating
    await until(pilot, shows(app, CommsScreen), what="preview")


async def open_publish(app: WarRoomApp, pilot: Pilot[None]) -> None:
    """The investigating preview's Publish screen, nothing sent yet."""
    await open_investigating(app, pilot)
    await pilot.press("p")
    await until(pilot, shows(app, PublishScreen), what="publish preview")


async def test_publish_previews_the_request_masked_and_sends_only_on_its_key(
    store: EventStore, api_server: FakeApiServer
) -> None:
    api_server.answer("POST", PAGE, CREATED)
    api_server.answer("POST", f"/hooks/{HOOK_SECRET}", response(200, "ok"))
    playbook = publishing_playbook(api_server, quiet_playbook())
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_publish(app, pilot)
        shown = str(app.screen.query_one("#publish-text", Static).render())
        assert f"POST {api_server.url(PAGE)}" in shown
        assert "Authorization: OAuth •••" in shown and "POST •••" in shown
        assert KEY not in shown and HOOK_SECRET not in shown
        assert api_server.seen == []  # nothing sent before the key

        backend = app.screen.query_one("#component-0", Select)
        backend.value = "partial_outage"
        await until(
            pilot,
            lambda: (
                '"cmp-backend": "partial_outage"'
                in str(app.screen.query_one("#publish-text", Static).render())
            ),
            what="preview follows the component",
        )
        assert api_server.seen == []
        await pilot.press("s")
        await until(pilot, lambda: state_of(app).status_page_id == "sp-inc-1", what="published")
        await until(pilot, lambda: any("stspg.io/ab" in n for n in notices(app)), what="outcome")
        assert state_of(app).last_status_update is not None
    sent = api_server.requests("POST", PAGE)[0]
    assert sent.headers["authorization"] == f"OAuth {KEY}"
    assert sent.json()["incident"]["components"] == {"cmp-backend": "partial_outage"}
    assert len(api_server.requests("POST", f"/hooks/{HOOK_SECRET}")) == 1
    kinds_recorded = [e.kind for e in await store.events(incident_id)]
    assert kinds_recorded.count(kinds.COMMS_PUBLISHED) == 2


async def test_escape_from_the_publish_preview_sends_nothing(
    store: EventStore, api_server: FakeApiServer
) -> None:
    playbook = publishing_playbook(api_server, quiet_playbook())
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_publish(app, pilot)
        await pilot.press("escape")
        await until(pilot, shows(app, CommsScreen), what="back")
    assert api_server.seen == []
    assert [e.kind for e in await store.events(incident_id)] == [kinds.DECLARED]


async def test_a_refused_publish_is_shown_and_recorded(
    store: EventStore, api_server: FakeApiServer
) -> None:
    api_server.answer("POST", PAGE, json_answer(401, {"error": "Could not authenticate"}))
    playbook = publishing_playbook(api_server, quiet_playbook())._replace(chat=None)
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_publish(app, pilot)
        await pilot.press("s")
        await until(
            pilot, lambda: any("Incident Manager role" in n for n in notices(app)), what="told"
        )
    (event,) = [e for e in await store.events(incident_id) if e.kind == kinds.COMMS_PUBLISHED]
    assert event.payload["outcome"] == "unauthorized"


async def test_page_on_call_from_the_palette_shows_the_request_and_asks(
    store: EventStore, api_server: FakeApiServer
) -> None:
    api_server.answer("POST", "/v2/enqueue", json_answer(202, {"status": "success"}))
    playbook = publishing_playbook(api_server, quiet_playbook())
    incident_id = await declare(store, severity="P0")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("ctrl+p", *"Page on-call")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, shows(app, ConfirmScreen), what="asked")
        assert ROUTING_KEY not in str(app.screen.query_one("Label:last-of-type").render())
        assert api_server.seen == []
        await pilot.press("y")
        await until(pilot, lambda: api_server.seen, what="sent")
        await until(
            pilot,
            lambda: any("PagerDuty" in n or "accepted" in n for n in notices(app)),
            what="outcome",
        )
    (sent,) = api_server.requests("POST", "/v2/enqueue")
    assert sent.json()["event_action"] == "trigger" and sent.json()["dedup_key"] == incident_id
    assert sent.json()["payload"]["severity"] == "critical"
    (event,) = [e for e in await store.events(incident_id) if e.kind == kinds.ONCALL_PAGED]
    assert event.payload["ok"] is True


async def test_a_read_only_playbook_offers_no_publish_or_page(
    store: EventStore, api_server: FakeApiServer
) -> None:
    base = publishing_playbook(api_server, quiet_playbook())
    playbook: Playbook = base._replace(settings=base.settings._replace(read_only=True))
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_investigating(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CommsScreen)
        await pilot.press("escape")
        war_room_screen(app).page_oncall()
        await until(pilot, lambda: any("read-only" in n for n in notices(app)), what="refused")
    assert api_server.seen == []


async def test_review_offers_neither_publish_nor_page(
    store: EventStore, api_server: FakeApiServer
) -> None:
    playbook = publishing_playbook(api_server, quiet_playbook())
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook, review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        # Until the archive is read (a list, where it starts as a tuple), review is still
        # setting itself up.
        await until(
            pilot, lambda: isinstance(war_room_screen(app).archived, list), what="review loaded"
        )
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Page on-call (PagerDuty)" not in titles
        war_room_screen(app).page_oncall()
        await until(pilot, lambda: any("read-only" in n for n in notices(app)), what="refused")
    assert api_server.seen == []


async def test_resolving_a_paged_incident_offers_to_resolve_the_page(
    store: EventStore, api_server: FakeApiServer
) -> None:
    api_server.answer("POST", "/v2/enqueue", json_answer(202, {"status": "success"}))
    playbook = publishing_playbook(api_server, quiet_playbook())
    incident_id = await declare(store)
    paged = {"action": "trigger", "ok": True, "outcome": "sent", "dedup_key": incident_id}
    await store.append(incident_id, kinds.ONCALL_PAGED, paged, actor="alice")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        room = war_room_screen(app)
        assert state_of(room).oncall_paged
        await pilot.press("R")
        await until(pilot, shows(app, ConfirmScreen), what="resolve asked")
        await pilot.press("y")
        await until(
            pilot,
            lambda: not state_of(room).is_open and isinstance(app.screen, ConfirmScreen),
            what="resolving the page asked",
        )
        assert api_server.seen == []
        await pilot.press("y")
        await until(pilot, lambda: not state_of(room).oncall_paged, what="page resolved")
    (sent,) = api_server.requests("POST", "/v2/enqueue")
    assert sent.json() == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": incident_id,
    }


async def test_a_publish_still_waiting_shows_progress(
    store: EventStore, api_server: FakeApiServer
) -> None:
    api_server.answer("POST", PAGE, never_answer)
    playbook = publishing_playbook(api_server, quiet_playbook())._replace(chat=None)
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_publish(app, pilot)
        await pilot.press("s")
        await until(pilot, shows(app, WarRoomScreen), what="back in the room")
        busy = app.screen.query_one(BusyLine)
        await until(
            pilot, lambda: busy.shown == ("Publishing the status text",), what="progress shown"
        )
        assert api_server.requests("POST", PAGE)  # sent, and not answered yet
