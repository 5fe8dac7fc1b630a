"""SVG snapshots of the war room's layout, built the way the CLI builds the app.

The clock and the declaration time are fixed and nothing is polled or tailed, so a
snapshot changes only when what the screen shows changes. Update deliberately with
`pytest tests/ui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
from textual.pilot import Pilot

from tests.support.waiting import eventually
from tests.support.war_room import declare, war_room_app
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.regions import Regions

DECLARED = datetime(2026, 11, 29, 3, 0, 0, tzinfo=UTC)
NOW = DECLARED + timedelta(minutes=7, seconds=30)


@pytest.fixture(autouse=True)
def in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs under NO_COLOR; the snapshots show the themes' colours."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Nothing polled, tailed, announced or followed: the store is opened outside
    # snap_compare's loop, and a read still in flight when that loop ends would leave
    # aiosqlite's thread answering a closed loop (it dies, and closing the store hangs).
    monkeypatch.setattr(WarRoomScreen, "_start_watching", lambda self: None)


@pytest.fixture
def declared(tmp_path: Path) -> Iterator[tuple[EventStore, str]]:
    # snap_compare runs the app in its own event loop; aiosqlite's connection thread
    # answers whichever loop awaits it, so the store can be opened here first.
    store = asyncio.run(open_store(tmp_path / "incidents.db"))
    incident_id = asyncio.run(declare(store, at=DECLARED))
    yield store, incident_id
    asyncio.run(store.close())


class SnapCompare(Protocol):
    """What pytest-textual-snapshot's `snap_compare` fixture hands a test (the plugin ships no
    type information, and its own annotation leaves out the keyword arguments)."""

    def __call__(
        self,
        app: WarRoomApp,
        *,
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[None]], Awaitable[None]] | None = None,
    ) -> bool: ...


async def focus_settled(pilot: Pilot[None], *keys: str) -> None:
    """`keys` pressed, then until the active region holds the focus and wears its highlight:
    focus moves by messages, and a loaded machine may not have passed them on yet."""
    await pilot.press(*keys)

    def settled() -> bool:
        screen = pilot.app.screen
        regions = screen.query(Regions)
        if not regions:
            return False
        region = screen.query_one(f"#{regions.first().active}-region")
        return region.has_class("-active") and region.has_focus_within

    await eventually(settled, what="the active region focused and highlighted", pause=pilot.pause)


def app_for(store: EventStore, incident_id: str) -> WarRoomApp:
    return war_room_app(store, incident_id, clock=lambda: NOW)


def test_war_room_at_100x30(snap_compare: SnapCompare, declared: tuple[EventStore, str]) -> None:
    app = app_for(*declared)
    assert snap_compare(app, terminal_size=(100, 30), press=["_"], run_before=focus_settled)


def test_war_room_at_80x24_shows_one_region(
    snap_compare: SnapCompare, declared: tuple[EventStore, str]
) -> None:
    app = app_for(*declared)

    async def on_checklist(pilot: Pilot[None]) -> None:
        await focus_settled(pilot, "3")

    assert snap_compare(app, terminal_size=(80, 24), press=["_"], run_before=on_checklist)
