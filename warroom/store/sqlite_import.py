"""Restoring an exported incident into SQLite exactly as it was recorded: the same id, every
event with its seq, time and actor, the command outputs and the captured log lines.

The ordinary write path numbers events and stamps them with now; an import must not, or
export → import → export would not give the same document. `SqliteStore.import_incident`
runs this inside one write transaction: the incident arrives whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aiosqlite

from warroom.incident.events import Event
from warroom.store import blocks, sqlite_logs, sqlite_outputs, sqlite_summaries
from warroom.store.protocol import AlreadyStored, StoreError
from warroom.store.sqlite_schema import payload_text, to_db_time

_ID = re.compile(r"INC-(\d{4})(\d{2})(\d{2})-(\d{3,})")


async def insert_incident(
    db: aiosqlite.Connection,
    events: Sequence[Event],
    command_outputs: Mapping[int, str],
    blocks: Sequence[blocks.Block],
    line_count: int,
) -> None:
    """Insert the incident of `events` (its declaration first) with everything beside it."""
    incident_id = events[0].incident_id
    parts = _ID.fullmatch(incident_id)
    if parts is None:
        raise StoreError(f"{incident_id!r} is not an incident id INC-YYYYMMDD-NNN.")
    async with db.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) as cursor:
        if await cursor.fetchone() is not None:
            raise AlreadyStored(incident_id)
    year, month, day, number = parts.groups()
    declared = to_db_time(events[0].at)
    await db.execute(
        "INSERT INTO incidents (id, day, number, title, severity, declared_at, last_event_at,"
        " last_seq) VALUES (?, ?, ?, '', '', ?, ?, ?)",
        (
            incident_id,
            f"{year}-{month}-{day}",
            int(number),
            declared,
            max(to_db_time(event.at) for event in events),
            max(event.seq for event in events),
        ),
    )
    await db.executemany(
        "INSERT INTO events (incident_id, seq, at, kind, actor, payload) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                incident_id,
                event.seq,
                to_db_time(event.at),
                event.kind,
                event.actor,
                payload_text(event.payload),
            )
            for event in events
        ],
    )
    await sqlite_summaries.refresh(db, incident_id)
    for seq, output in sorted(command_outputs.items()):
        await sqlite_outputs.insert(db, incident_id, seq, output)
    # Every line the export carried: the capture's cap was applied when they were captured.
    await sqlite_logs.insert_capped(db, incident_id, blocks, max(line_count, 1))
