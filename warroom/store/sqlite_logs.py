"""The log-line archive in SQLite: the incident's recent log window, capped and searchable.

Lines are kept in blocks, one row per chunk of a source's consecutive lines: the lines
zlib-compressed, their times as (time, count) runs, the block's time range beside them. A row
per line cost a Python tuple, a time conversion and an insert per line, and archived a fifth
of a flood; a block of thousands of lines is one insert, and compressing it mostly runs
outside the GIL. The rolling cap still counts lines: whole blocks beyond it are deleted and
the oldest block left has its first `skip` lines dropped.

`SqliteStore` owns the connection, its lock and its transactions; these functions are the SQL,
run inside the transaction or through the locked read the store hands them; the encoding of
blocks, which the store runs in a worker thread, is `blocks`, shared with every backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from warroom.logchunks import Row
from warroom.store.blocks import Block, last_lines, matching
from warroom.store.protocol import UnknownIncident
from warroom.store.sqlite_schema import Read

SEARCH_PAGE = 16
"""Blocks read per query while searching back from the newest."""


async def insert_capped(
    db: aiosqlite.Connection, incident_id: str, blocks: Sequence[Block], cap: int
) -> None:
    """Add `blocks` (no more than `cap` lines) to the archive, dropping the oldest lines
    beyond `cap`.

    Runs inside the caller's write transaction; UnknownIncident for a bad id.
    """
    async with db.execute("SELECT log_count FROM incidents WHERE id = ?", (incident_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise UnknownIncident(incident_id)
    count: int = row[0]
    await db.executemany(
        "INSERT INTO log_blocks (incident_id, source, first_at, last_at, line_count, times,"
        " encoding, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(incident_id, *block) for block in blocks],
    )
    count += sum(block[3] for block in blocks)
    if count > cap:
        await _drop_oldest(db, incident_id, count - cap)
        count = cap
    # The count is kept on the incident row so a full archive never needs a scan.
    await db.execute("UPDATE incidents SET log_count = ? WHERE id = ?", (count, incident_id))


async def _drop_oldest(db: aiosqlite.Connection, incident_id: str, excess: int) -> None:
    gone = None
    while excess > 0:
        async with db.execute(
            "SELECT id, line_count - skip FROM log_blocks WHERE incident_id = ?"
            " AND id > coalesce(?, -1) ORDER BY id LIMIT 64",
            (incident_id, gone),
        ) as cursor:
            oldest = list(await cursor.fetchall())
        for block_id, live in oldest:
            if live > excess:
                await db.execute(
                    "UPDATE log_blocks SET skip = skip + ? WHERE id = ?", (excess, block_id)
                )
                excess = 0
                break
            gone, excess = block_id, excess - live
        if not oldest:
            break
    if gone is not None:
        await db.execute(
            "DELETE FROM log_blocks WHERE incident_id = ? AND id <= ?", (incident_id, gone)
        )


async def search_lines(read: Read, incident_id: str, search: str, limit: int) -> list[Row]:
    """The newest `limit` archived lines containing `search` (any case), oldest first.

    UnknownIncident for a bad id.
    """
    if not await read("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)):
        raise UnknownIncident(incident_id)
    needle = search.casefold()
    found: list[Row] = []  # newest first
    before = None
    while len(found) < limit:
        blocks = await read(
            "SELECT id, source, skip, times, encoding, body FROM log_blocks"
            " WHERE incident_id = ? AND id < coalesce(?, id + 1) ORDER BY id DESC LIMIT ?",
            (incident_id, before, SEARCH_PAGE),
        )
        if not blocks:
            break
        found += await asyncio.to_thread(matching, blocks, needle, limit - len(found))
        before = blocks[-1][0]
    found.reverse()
    return found


async def newest_per_source(read: Read, incident_id: str) -> dict[str, tuple[datetime, str]]:
    """Each source's last archived (logged_at, line); UnknownIncident for a bad id."""
    if not await read("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)):
        raise UnknownIncident(incident_id)
    blocks = await read(
        "SELECT source, last_at, encoding, body FROM log_blocks WHERE id IN ("
        " SELECT max(id) FROM log_blocks WHERE incident_id = ? GROUP BY source)",
        (incident_id,),
    )
    return await asyncio.to_thread(last_lines, blocks)
