"""The capture lease in SQLite: which terminal archives an incident's log lines, and until when.

Every terminal on an incident tails the same sources; exactly one of them, the holder of the
lease, writes what they print into the archive. The holder renews the lease while it runs; a
terminal that crashed stops renewing, the lease runs out and another terminal's claim takes
it. `SqliteStore` owns the connection and its transactions; these functions are the SQL, run
inside the caller's write transaction or through the locked read it hands them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from warroom.store.protocol import NotCapturer, UnknownIncident
from warroom.store.sqlite_schema import to_db_time


async def _require_incident(db: aiosqlite.Connection, incident_id: str) -> None:
    async with db.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) as cursor:
        if await cursor.fetchone() is None:
            raise UnknownIncident(incident_id)


async def _holder(db: aiosqlite.Connection, incident_id: str) -> str | None:
    async with db.execute(
        "SELECT holder FROM capture_leases WHERE incident_id = ?", (incident_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else str(row[0])


async def claim(
    db: aiosqlite.Connection, incident_id: str, holder: str, lease: timedelta, at: datetime
) -> bool:
    """Take or renew the lease for `holder` unless another's runs past `at`; True if held."""
    await _require_incident(db, incident_id)
    await db.execute(
        "INSERT INTO capture_leases (incident_id, holder, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (incident_id) DO UPDATE SET"
        " holder = excluded.holder, expires_at = excluded.expires_at"
        " WHERE capture_leases.holder = excluded.holder OR capture_leases.expires_at <= ?",
        (incident_id, holder, to_db_time(at + lease), to_db_time(at)),
    )
    return await _holder(db, incident_id) == holder


async def release(db: aiosqlite.Connection, incident_id: str, holder: str) -> None:
    """Drop the lease if `holder` has it."""
    await _require_incident(db, incident_id)
    await db.execute(
        "DELETE FROM capture_leases WHERE incident_id = ? AND holder = ?", (incident_id, holder)
    )


async def require_holder(db: aiosqlite.Connection, incident_id: str, holder: str) -> None:
    """NotCapturer unless `holder` has the lease: the fence in front of an archive write.

    An expired lease nobody has taken since still counts: no one else has written.
    """
    await _require_incident(db, incident_id)
    if await _holder(db, incident_id) != holder:
        raise NotCapturer(incident_id)
