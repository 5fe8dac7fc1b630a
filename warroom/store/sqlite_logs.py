"""The log-line archive in SQLite: the incident's recent log window, capped and searchable.

`SqliteStore` owns the connection, its lock and its transactions; these functions are the SQL,
run inside the transaction or through the locked read the store hands them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from warroom.store.protocol import UnknownIncident
from warroom.store.sqlite_schema import Read, from_db_time, to_db_time


async def insert_capped(
    db: aiosqlite.Connection,
    incident_id: str,
    batch: Sequence[tuple[datetime, str, str]],
    cap: int,
) -> None:
    """Add `batch` (no longer than `cap`) to the archive, dropping the oldest lines beyond `cap`.

    Runs inside the caller's write transaction; UnknownIncident for a bad id.
    """
    async with db.execute("SELECT log_count FROM incidents WHERE id = ?", (incident_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise UnknownIncident(incident_id)
    count: int = row[0]
    await db.executemany(
        "INSERT INTO log_lines (incident_id, logged_at, source, line) VALUES (?, ?, ?, ?)",
        [(incident_id, to_db_time(at), source, line) for at, source, line in batch],
    )
    count += len(batch)
    excess = count - cap
    if excess > 0:
        # The count is kept on the incident row so a full archive never needs a
        # count(*) scan; the oldest lines go, through the (incident_id, id) index.
        await db.execute(
            "DELETE FROM log_lines WHERE incident_id = ? AND id <= ("
            " SELECT id FROM log_lines WHERE incident_id = ? ORDER BY id"
            " LIMIT 1 OFFSET ?)",
            (incident_id, incident_id, excess - 1),
        )
        count = cap
    await db.execute("UPDATE incidents SET log_count = ? WHERE id = ?", (count, incident_id))


async def search_lines(
    read: Read, incident_id: str, search: str, limit: int
) -> list[tuple[datetime, str, str]]:
    """The newest `limit` archived lines containing `search` (any case), oldest first.

    UnknownIncident for a bad id.
    """
    if not await read("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)):
        raise UnknownIncident(incident_id)
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await read(
        "SELECT logged_at, source, line FROM log_lines WHERE incident_id = ?"
        " AND line LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
        (incident_id, f"%{escaped}%", limit),
    )
    return [(from_db_time(at), source, line) for at, source, line in reversed(rows)]
