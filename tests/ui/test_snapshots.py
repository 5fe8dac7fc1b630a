"""SVG snapshots of the war room's layout, built the way the CLI builds the app.

The clock and the declaration time are fixed and nothing is polled or tailed, so a
snapshot changes only when what the screen shows changes. Update deliberately with
`pytest tests/ui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from tests.support.war_room import declare, war_room_app
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp

DECLARED = datetime(2026, 11, 29, 3, 0, 0, tzinfo=UTC)
NOW = DECLARED + timedelta(minutes=7, seconds=30)


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
    ) -> bool: ...


def app_for(store: EventStore, incident_id: str) -> WarRoomApp:
    return war_room_app(store, incident_id, clock=lambda: NOW)


def test_war_room_at_100x30(snap_compare: SnapCompare, declared: tuple[EventStore, str]) -> None:
    assert snap_compare(app_for(*declared), terminal_size=(100, 30), press=["_"])


def test_war_room_at_80x24_shows_one_region(
    snap_compare: SnapCompare, declared: tuple[EventStore, str]
) -> None:
    assert snap_compare(app_for(*declared), terminal_size=(80, 24), press=["3", "_"])
