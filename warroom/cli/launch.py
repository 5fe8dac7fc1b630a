"""Starting the war room: one event loop that opens the store, picks the incident, runs the
app and closes the store again.

SIGHUP and SIGTERM are taken by the watchdog thread of `warroom.procgroups`, started before
any other thread (the demo's server, the store's) so that every thread has them blocked.

The store is opened in the loop the app runs on and handed to the app by constructor
injection; what differs between `warroom`, `warroom open` and `warroom demo` is only how
the incident is chosen.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import tempfile
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.options import CommandError, Database, exists, load, say_if_created, shown
from warroom.playbook import Playbook
from warroom.playbook.themes import Looks
from warroom.procgroups import watch_quit_signals

if TYPE_CHECKING:
    from warroom.store import EventStore

DEMO_TITLE = "Backend returning 503s (demo outage)"
DEMO_SEVERITY = "P1"

ChooseIncident = Callable[["EventStore"], Awaitable[str | None]]
"""Picks the incident to open (None: let the app find the open one, or ask); may raise
CommandError."""


async def _run(
    playbook: Playbook,
    db_path: Database,
    actor: str,
    choose: ChooseIncident,
    *,
    create: bool,
    review: bool = False,
    looks: Looks | None = None,
    on_shown: Callable[[], object] | None = None,
) -> None:
    """The app on the incident `choose` picks; `on_shown` is called once its first screen is
    out."""
    from warroom.procgroups import kill_all_sources
    from warroom.store import MissingStore, StoreError, UnknownIncident, open_store
    from warroom.ui.app import WarRoomApp

    check_keys(playbook)  # before anything is opened
    # Whatever way the process ends, no `fly logs` child outlives it.
    atexit.register(kill_all_sources)

    try:
        store = await open_store(db_path, create=create and not review, read_only=review)
    except MissingStore as error:
        raise CommandError(str(error)) from None
    except StoreError as error:
        raise CommandError(str(error), exit_code=1) from None
    async with store:
        try:
            incident_id = await choose(store)
        except UnknownIncident as error:
            where = shown(db_path)
            raise CommandError(f"There is no incident {error.args[0]} in {where}.") from None
        # Review's store is read-only; the post-mortem's sections alone are written, each
        # through a store opened for that write (`war_room_postmortem`).
        app = WarRoomApp(
            playbook=playbook,
            store=store,
            incident_id=incident_id,
            actor=actor,
            review=review,
            postmortem_writer=partial(open_store, db_path, create=False) if review else None,
            looks=looks,
            on_shown=on_shown,
        )
        await app.run_async()


def check_keys(playbook: Playbook) -> None:
    """CommandError with every `PATH:LINE: problem` of the playbook's `[keys]`: they name
    bindings only the UI has, so they are checked here, where the CLI may reach it (and
    Textual is imported only for a playbook that has `[keys]`)."""
    if not playbook.keys:
        return
    from warroom.ui.app import WarRoomApp

    problems = WarRoomApp.keymap_problems(playbook)
    if problems:
        raise CommandError("\n".join(problems))


def launch_war_room(
    playbook: Playbook,
    db_path: Database,
    actor: str,
    *,
    incident_id: str | None,
    looks: Looks | None = None,
) -> int:
    """The war room on `incident_id`; when None, the app opens the open incident, offers a
    choice among several, or a declare form when there is none."""

    async def choose(store: EventStore) -> str | None:
        if incident_id is not None:
            await store.incident(incident_id)  # raises UnknownIncident for a bad id
        return incident_id

    watch_quit_signals()
    # Only without an incident named can the war room declare one, and so make the database.
    create = incident_id is None
    existed = exists(db_path)
    asyncio.run(_run(playbook, db_path, actor, choose, create=create, looks=looks))
    say_if_created(db_path, existed)
    return 0


def launch_review(
    playbook: Playbook,
    db_path: Database,
    actor: str,
    *,
    incident_id: str,
    looks: Looks | None = None,
) -> int:
    """The war room on `incident_id`, read-only, with replay: the database is opened so that
    nothing can be written, and nothing is polled, tailed or run."""

    async def choose(store: EventStore) -> str:
        await store.incident(incident_id)  # raises UnknownIncident for a bad id
        return incident_id

    watch_quit_signals()
    asyncio.run(_run(playbook, db_path, actor, choose, create=False, review=True, looks=looks))
    return 0


def launch_demo(*, db: Database | None, actor: str, looks: Looks | None = None) -> int:
    """The war room on the simulated outage, on a throwaway database unless `db` is given."""
    from warroom.demo.world import DemoWorld, demo_playbook
    from warroom.resources import bundled_playbook_path

    watch_quit_signals()
    playbook = load(bundled_playbook_path())

    async def choose(store: EventStore) -> str:
        return await declare_demo_incident(store, actor)

    # Listening now, serving once the first screen is out: the first polls, 0.15 s after
    # it, wait in its backlog meanwhile.
    world = DemoWorld()
    try:
        with tempfile.TemporaryDirectory(prefix="warroom-demo-") as scratch:
            os.environ.update(world.environment())
            db_path = db if db is not None else Path(scratch) / "demo.db"
            existed = exists(db_path)
            demo = demo_playbook(playbook, world.base_url)
            run = _run(demo, db_path, actor, choose, create=True, looks=looks, on_shown=world.start)
            asyncio.run(run)
            if db is not None:
                say_if_created(db_path, existed)
    finally:
        world.stop()
    return 0


async def declare_demo_incident(store: EventStore, actor: str) -> str:
    """Always a fresh incident: even in a database the user named, the simulated outage
    must not write its events into an incident that is not the demo's."""
    event = await store.declare(title=DEMO_TITLE, severity=DEMO_SEVERITY, actor=actor)
    return event.incident_id
