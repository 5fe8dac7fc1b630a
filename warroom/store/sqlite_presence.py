"""Presence in SQLite: which terminals have an incident open, each until its announcement
runs out. One host, so this process's clock is everyone's. `SqliteStore` owns the
transactions; these functions are the SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from warroom.store.protocol import Presence, UnknownIncident
from warroom.store.sqlite_schema import Read, from_db_time, to_db_time


async def announce(
    db: aiosqlite.Connection,
    incident_id: str,
    holder: str,
    actor: str,
    host: str,
    region: str,
    ttl: timedelta,
    at: datetime,
) -> None:
    """Insert or renew `holder`'s row (keeping its `since`), and drop rows run out."""
    async with db.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) as cursor:
        if await cursor.fetchone() is None:
            raise UnknownIncident(incident_id)
    now = to_db_time(at)
    await db.execute(
        "DELETE FROM presence WHERE incident_id = ? AND expires_at <= ?", (incident_id, now)
    )
    await db.execute(
        "INSERT INTO presence (incident_id, holder, actor, host, region, since, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, holder) DO UPDATE SET"
        " actor = excluded.actor, host = excluded.host, region = excluded.region,"
        " expires_at = excluded.expires_at",
        (incident_id, holder, actor, host, region, now, to_db_time(at + ttl)),
    )


async def present(read: Read, incident_id: str, at: datetime) -> list[Presence]:
    """The rows still running at `at`, longest there first."""
    rows = await read(
        "SELECT holder, actor, host, region, since FROM presence"
        " WHERE incident_id = ? AND expires_at > ? ORDER BY since, holder",
        (incident_id, to_db_time(at)),
    )
    return [
        Presence(holder, actor, host, region, from_db_time(since))
        for holder, actor, host, region, since in rows
    ]


async def depart(db: aiosqlite.Connection, incident_id: str, holder: str) -> None:
    """Remove `holder`'s row."""
    await db.execute(
        "DELETE FROM presence WHERE incident_id = ? AND holder = ?", (incident_id, holder)
    )
