"""Starting the war room: open the store in the app's own event loop, run, close.

The store is opened inside the loop the Textual app runs on (aiosqlite binds its
connection to a loop), then handed to the app by constructor injection.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import tempfile
from pathlib import Path

from warroom.commands import CommandError
from warroom.playbook import Playbook

DEMO_TITLE = "Backend returning 503s (demo outage)"
DEMO_SEVERITY = "P1"


async def _run(playbook: Playbook, db_path: Path, actor: str, incident_id: str | None) -> None:
    from warroom.procgroups import kill_all_sources
    from warroom.store import StoreError, UnknownIncident, open_store
    from warroom.ui.app import WarRoomApp

    # Whatever way the process ends, no `fly logs` child outlives it.
    atexit.register(kill_all_sources)

    try:
        store = await open_store(db_path)
    except StoreError as error:
        raise CommandError(str(error), exit_code=1) from None
    async with store:
        if incident_id is not None:
            try:
                await store.incident(incident_id)
            except UnknownIncident:
                raise CommandError(f"There is no incident {incident_id} in {db_path}.") from None
        app = WarRoomApp(playbook=playbook, store=store, incident_id=incident_id, actor=actor)
        await app.run_async()


def launch_war_room(
    playbook: Playbook, db_path: Path, actor: str, *, incident_id: str | None
) -> int:
    """The war room on `incident_id`, or on the active incident / a declare form when None."""
    if incident_id is None:
        incident_id = asyncio.run(_active_incident(db_path))
    asyncio.run(_run(playbook, db_path, actor, incident_id))
    return 0


async def _active_incident(db_path: Path) -> str | None:
    from warroom.store import StoreError, open_store

    try:
        async with await open_store(db_path) as store:
            active = await store.active_incident()
    except StoreError as error:
        raise CommandError(str(error), exit_code=1) from None
    return None if active is None else active.id


def launch_demo(*, db: Path | None, actor: str) -> int:
    """The war room on the simulated outage, on a throwaway database unless `db` is given."""
    from warroom.commands import load
    from warroom.demo import DemoWorld, demo_playbook
    from warroom.resources import bundled_playbook_path

    playbook = load(bundled_playbook_path())
    with tempfile.TemporaryDirectory(prefix="warroom-demo-") as scratch, DemoWorld() as world:
        os.environ.update(world.environment())
        db_path = db if db is not None else Path(scratch) / "demo.db"
        incident_id = asyncio.run(_declare_demo_incident(db_path, actor))
        asyncio.run(_run(demo_playbook(playbook, world.base_url), db_path, actor, incident_id))
    return 0


async def _declare_demo_incident(db_path: Path, actor: str) -> str:
    from warroom.store import open_store

    # Always a fresh incident: even in a database the user named, the simulated outage
    # must not write its events into an incident that is not the demo's.
    async with await open_store(db_path) as store:
        event = await store.declare(title=DEMO_TITLE, severity=DEMO_SEVERITY, actor=actor)
        return event.incident_id
