"""What the Pilot tests of the war room share: the app as the CLI builds it, minus the
outside world, and a bounded wait for the app to reach a state."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from warroom.incident import Clock, utc_now
from warroom.playbook import Playbook, load_playbook
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp

SHIPPED_PLAYBOOK = Path(__file__).resolve().parents[2] / "playbook.toml"


def quiet_playbook(*, zone: str | None = None) -> Playbook:
    """The shipped playbook with nothing to poll or tail: only the incident is on screen."""
    shipped = load_playbook(SHIPPED_PLAYBOOK)
    settings = shipped.settings
    if zone is not None:
        settings = dataclasses.replace(settings, display_timezone=zone)
    return dataclasses.replace(
        shipped, services=(), providers=(), log_sources=(), settings=settings
    )


def war_room_app(
    store: EventStore,
    incident_id: str | None,
    *,
    playbook: Playbook | None = None,
    clock: Clock = utc_now,
    actor: str = "bob",
) -> WarRoomApp:
    """The app on a real store, never touching the host clipboard or the user's folders."""
    return WarRoomApp(
        playbook=playbook or quiet_playbook(),
        store=store,
        incident_id=incident_id,
        actor=actor,
        clock=clock,
        copies_dir=Path(tempfile.mkdtemp(prefix="warroom-copies-")),
        local_clipboard=None,
    )


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], *, what: str, tries: int = 500
) -> None:
    """Let the app process messages until `condition()` holds (bounded, no fixed sleep)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")
