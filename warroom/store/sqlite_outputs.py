"""Command output in SQLite: the whole of what a `command.run` printed, kept beside its event.

The event holds the first and last lines (for the timeline and the post-mortem); this table
holds everything, cut at `MAX_COMMAND_OUTPUT_BYTES`, one row per event, written in the same
transaction as the event so neither exists without the other. `SqliteStore` owns the
connection and its transactions; these functions are the SQL.
"""

from __future__ import annotations

import aiosqlite

from warroom.store.protocol import MAX_COMMAND_OUTPUT_BYTES
from warroom.store.sqlite_schema import Read


def capped(output: str, limit: int = MAX_COMMAND_OUTPUT_BYTES) -> str:
    """`output` cut to at most `limit` UTF-8 bytes, never inside a character."""
    data = output.encode()
    if len(data) <= limit:
        return output
    return data[:limit].decode("utf-8", "ignore")


async def insert(db: aiosqlite.Connection, incident_id: str, seq: int, output: str) -> None:
    """Keep `output` for event `seq`; runs inside the transaction that appended the event."""
    await db.execute(
        "INSERT INTO command_outputs (incident_id, seq, output) VALUES (?, ?, ?)",
        (incident_id, seq, capped(output)),
    )


async def output_of(read: Read, incident_id: str, seq: int) -> str | None:
    """What event `seq` of the incident kept as its output; None if it kept none."""
    rows = await read(
        "SELECT output FROM command_outputs WHERE incident_id = ? AND seq = ?", (incident_id, seq)
    )
    return str(rows[0][0]) if rows else None
