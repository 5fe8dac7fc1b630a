"""The war room on the simulated outage, as `warroom demo` runs it (minus the terminal)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.demo import scenario
from warroom.demo.world import DemoWorld, demo_playbook
from warroom.playbook import load_playbook
from warroom.resources import bundled_playbook_path
from warroom.store import open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.widgets.health_pane import HealthPane


@asynccontextmanager
async def mid_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, title: str
) -> AsyncIterator[tuple[DemoWorld, WarRoomApp]]:
    """The demo world started with the backend already answering 503, and the war room on a
    new incident titled `title`, not yet running."""
    backend = next(e for e in scenario.EPISODES if e.target == "backend")
    with DemoWorld(epoch=time.time() - backend.start - 1) as world:
        for name, value in world.environment().items():
            monkeypatch.setenv(name, value)
        playbook = demo_playbook(load_playbook(bundled_playbook_path()), world.base_url)
        async with await open_store(tmp_path / "demo.db") as store:
            incident_id = await declare(store, title=title, actor="a")
            yield world, war_room_app(store, incident_id, playbook=playbook)


async def test_outage_reaches_the_health_pane_header_and_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        mid_outage(tmp_path, monkeypatch, "demo") as (_world, app),
        app.run_test(size=(160, 48)) as pilot,
    ):
        screen = war_room_screen(app)
        await until(
            pilot,
            lambda: any(
                e.kind == kinds.HEALTH_CHANGED and e.text.startswith("backend:")
                for e in (state_of(screen).timeline if screen.state else ())
            ),
            what="backend's outage on the timeline",
        )
        entry = next(e for e in state_of(screen).timeline if e.text.startswith("backend:"))
        assert entry.text == "backend: unknown → down (HTTP 503)"
        assert entry.actor == "warroom"  # observed, not done by bob
        # The pane's summary comes in its own message, which may follow the recorded change.
        await until(pilot, lambda: "down" in screen.health_summary, what="the summary")
        monitor = screen.query_one(HealthPane).monitor
        assert monitor.last["backend"].state == "down"
        assert monitor.last["mcp"].state == "up"


async def test_publishing_in_the_demo_reaches_its_status_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Select

    from warroom.ui.screens.comms import CommsScreen
    from warroom.ui.screens.publish import PublishScreen

    async with (
        mid_outage(tmp_path, monkeypatch, "Backend 503s") as (world, app),
        app.run_test(size=(160, 48)) as pilot,
    ):
        screen = war_room_screen(app)
        pane = screen.query_one(HealthPane)
        await until(
            pilot,
            lambda: screen.state is not None and pane.states.get("backend") == "down",
            what="backend shown down",
        )
        await pilot.press("c", "enter", "p")
        await until(pilot, shows(app, PublishScreen), what="preview")
        backend_select = app.screen.query_one("#component-1", Select)
        assert backend_select.value == "major_outage"  # proposed from the health pane
        await pilot.press("s")
        await until(pilot, lambda: state_of(screen).status_page_id, what="published")
        assert not isinstance(app.screen, CommsScreen)
    (shown,) = world.publications.incidents.values()
    assert shown["name"] == "Backend 503s" and shown["status"] == "investigating"
    assert world.publications.components["cmp-backend"] == "major_outage"
    assert world.publications.chat and "#incident-" in world.publications.chat[0]
