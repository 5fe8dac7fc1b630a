"""The outbox: events written while the PostgreSQL server was away, kept in a local SQLite file
until it is back, then sent in order, each exactly once.

The team's database provider may be the very thing that is down. A write the server cannot
take goes here instead, committed to the local file before the call returns, so killing
warroom loses nothing: the next start on the same address finds the file and sends it. Each
queued event carries an idempotency key (its own, such as a health transition's, or
`outbox:<uuid>`): a send that reached the server but whose answer was lost is refused as a
duplicate when replayed, never doubled. Events keep the time they were made at, so other
terminals' events of the meantime and these merge in time order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from warroom.incident.events import Event
from warroom.store.postgres_connection import Unreachable
from warroom.store.protocol import DuplicateEvent, UnknownIncident
from warroom.store.sqlite_schema import from_db_time, payload_text, to_db_time

QUEUE = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    key TEXT NOT NULL
)
"""

Write = Callable[
    [str, Sequence[tuple[str, Mapping[str, Any]]], str, datetime, str | None],
    Awaitable[list[Event]],
]
"""The store's write of (incident, entries, actor, at, key) straight to the server."""

Entry = tuple[int, str, str, dict[str, Any], str, datetime, str]
"""A queued event: (row id, incident id, kind, payload, actor, at, idempotency key)."""


def default_path(shown: str) -> Path:
    """The outbox of one server address, beside the user data dir's database."""
    from platformdirs import user_data_path

    digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return user_data_path("warroom", appauthor=False) / f"outbox-{digest}.db"


class Outbox:
    """The queue in one SQLite file, made only when the first event must wait in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        """Events waiting; read by the header, kept here so that asking costs no I/O."""

    async def load(self) -> None:
        """Count what an earlier run left (the file is not made if there is none)."""
        if not self.path.exists():
            return
        async with aiosqlite.connect(self.path) as db:
            await db.execute(QUEUE)
            async with db.execute("SELECT count(*) FROM outbox") as cursor:
                row = await cursor.fetchone()
        self.count = int(row[0]) if row else 0

    async def put(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        actor: str,
        at: datetime,
        key: str | None,
    ) -> None:
        """Queue the entries, in order, in one commit."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            (
                incident_id,
                kind,
                payload_text(payload),
                actor,
                to_db_time(at),
                key if key is not None else f"outbox:{uuid.uuid4()}",
            )
            for kind, payload in entries
        ]
        async with aiosqlite.connect(self.path) as db:
            await db.execute(QUEUE)
            await db.executemany(
                "INSERT INTO outbox (incident_id, kind, payload, actor, at, key)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            await db.commit()
        self.count += len(rows)

    async def oldest(self, limit: int = 100) -> list[Entry]:
        """The first `limit` queued events, in the order they were queued."""
        if not self.path.exists():
            return []
        async with (
            aiosqlite.connect(self.path) as db,
            db.execute(
                "SELECT id, incident_id, kind, payload, actor, at, key FROM outbox"
                " ORDER BY id LIMIT ?",
                (limit,),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [
            (row_id, incident, kind, json.loads(payload), actor, from_db_time(at), key)
            for row_id, incident, kind, payload, actor, at, key in rows
        ]

    async def sent(self, row_id: int) -> None:
        """The event of `row_id` is on the server: it leaves the queue."""
        async with aiosqlite.connect(self.path) as db:
            await db.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            await db.commit()
        self.count = max(0, self.count - 1)


async def send(outbox: Outbox, write: Write, retry_seconds: float) -> None:
    """Send the queue to the server in order until it is empty, waiting out the server's
    absence; each event is taken off the queue only once the server has it."""
    while batch := await outbox.oldest():
        for row_id, incident_id, kind, payload, actor, at, key in batch:
            try:
                await write(incident_id, [(kind, payload)], actor, at, key)
            except DuplicateEvent:
                pass  # sent before, its answer lost; or another terminal recorded the same
            except UnknownIncident:
                pass  # the server has no such incident: there is nowhere to put it
            except Unreachable:
                await asyncio.sleep(retry_seconds)
                break
            await outbox.sent(row_id)
