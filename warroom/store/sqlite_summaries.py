"""Incident summaries in SQLite: the title, severity and status kept on the incident row, and
the rows `warroom list` and `active_incident` read.

`SqliteStore` owns the connection, its lock and its transactions; these functions are the SQL,
run inside the transaction or through the locked read the store hands them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from warroom.incident.events import Event
from warroom.incident.state import HEADLINE_KINDS, declared_at, headline, title
from warroom.store.protocol import IncidentSummary
from warroom.store.sqlite_schema import Read, from_db_time, to_db_time


async def refresh(db: aiosqlite.Connection, incident_id: str) -> None:
    """Recompute the incident row's title, severity and status; inside the caller's write
    transaction."""
    # The list view's title, severity and status are kept on the incident row so listing never
    # reads events; a retraction can undo a change, so they are recomputed, not patched,
    # by the same rules the war room derives them with.
    async with db.execute(
        "SELECT seq, at, kind, actor, payload FROM events WHERE incident_id = ?"
        f" AND kind IN ({','.join('?' * len(HEADLINE_KINDS))}) ORDER BY seq",
        (incident_id, *HEADLINE_KINDS),
    ) as cursor:
        rows = await cursor.fetchall()
    events = [
        Event(seq, incident_id, from_db_time(at), kind, actor, json.loads(payload))
        for seq, at, kind, actor, payload in rows
    ]
    severity, status = headline(events)
    declared = declared_at(events)
    await db.execute(
        "UPDATE incidents SET title = COALESCE(NULLIF(?, ''), title), severity = ?, status = ?,"
        " declared_at = COALESCE(?, declared_at) WHERE id = ?",
        (title(events), severity, status, to_db_time(declared) if declared else None, incident_id),
    )


async def summaries(
    read: Read, where: str, params: Sequence[Any], *, limit: int = -1
) -> list[IncidentSummary]:
    """The incidents matching `where` (an SQL WHERE clause, or ""), newest first."""
    rows = await read(
        "SELECT id, title, severity, declared_at, status, last_event_at FROM incidents"
        f" {where} ORDER BY declared_at DESC, day DESC, number DESC LIMIT ?",
        (*params, limit),
    )
    return [
        IncidentSummary(
            id=row[0],
            title=row[1],
            severity=row[2],
            declared_at=from_db_time(row[3]),
            status=row[4],
            last_event_at=from_db_time(row[5]),
        )
        for row in rows
    ]
