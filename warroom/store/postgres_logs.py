"""The log-line archive in PostgreSQL: the same blocks as SQLite's (`blocks`), capped by
line count, searched a page of blocks at a time in a worker thread.

`PostgresStore` owns the connections and transactions; these functions are the SQL, run on
the connection of the caller's transaction or through the read it hands them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from warroom.logchunks import Row
from warroom.store.blocks import Block, Scan, last_lines, matching
from warroom.store.postgres_schema import Db
from warroom.store.protocol import LineSelector, LogMatches, UnknownIncident
from warroom.store.sqlite_schema import from_db_time

Read = Callable[[str, Sequence[Any]], Awaitable[list[Any]]]
"""The store's read: all rows of a query made outside any transaction of its own."""

SEARCH_PAGE = 16
"""Blocks read per query while searching back from the newest."""

SCAN_PAGE = 32
"""Blocks read per query while searching the whole archive: a few megabytes at most."""

BLOCK_COLUMNS = "id, source, skip, times, encoding, body"


async def insert_capped(db: Db, incident_id: str, blocks: Sequence[Block], cap: int) -> None:
    """Add `blocks` to the archive and drop the oldest lines beyond `cap`; inside the
    caller's transaction. UnknownIncident for a bad id."""
    count = await db.fetchval(
        "SELECT log_count FROM incidents WHERE id = $1 FOR UPDATE", incident_id
    )
    if count is None:
        raise UnknownIncident(incident_id)
    await db.executemany(
        "INSERT INTO log_blocks (incident_id, source, first_at, last_at, line_count, times,"
        " encoding, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            (incident_id, source, from_db_time(first), from_db_time(last), n, times, enc, body)
            for source, first, last, n, times, enc, body in blocks
        ],
    )
    count += sum(block[3] for block in blocks)
    if count > cap:
        await _drop_oldest(db, incident_id, count - cap)
        count = cap
    await db.execute("UPDATE incidents SET log_count = $1 WHERE id = $2", count, incident_id)


async def _drop_oldest(db: Db, incident_id: str, excess: int) -> None:
    gone = None
    while excess > 0:
        oldest = await db.fetch(
            "SELECT id, line_count - skip FROM log_blocks WHERE incident_id = $1"
            " AND id > coalesce($2::bigint, -1) ORDER BY id LIMIT 64",
            incident_id,
            gone,
        )
        for block_id, live in oldest:
            if live > excess:
                await db.execute(
                    "UPDATE log_blocks SET skip = skip + $1 WHERE id = $2", excess, block_id
                )
                excess = 0
                break
            gone, excess = block_id, excess - live
        if not oldest:
            break
    if gone is not None:
        await db.execute(
            "DELETE FROM log_blocks WHERE incident_id = $1 AND id <= $2", incident_id, gone
        )


async def _require(read: Read, incident_id: str) -> None:
    if not await read("SELECT 1 FROM incidents WHERE id = $1", (incident_id,)):
        raise UnknownIncident(incident_id)


async def search_lines(read: Read, incident_id: str, search: str, limit: int) -> list[Row]:
    """The newest `limit` archived lines containing `search` (any case), oldest first."""
    await _require(read, incident_id)
    needle = search.casefold()
    found: list[Row] = []  # newest first
    before = None
    while len(found) < limit:
        blocks = await read(
            f"SELECT {BLOCK_COLUMNS} FROM log_blocks WHERE incident_id = $1"
            " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
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
    await _require(read, incident_id)
    blocks = await read(
        "SELECT source, last_at, encoding, body FROM log_blocks WHERE id IN ("
        " SELECT max(id) FROM log_blocks WHERE incident_id = $1 GROUP BY source)",
        (incident_id,),
    )
    return await asyncio.to_thread(last_lines, blocks, _as_is)  # timestamptz: a datetime


async def search(
    read: Read,
    incident_id: str,
    selector: LineSelector,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> LogMatches:
    """The first `limit` matching lines in the order archived and how many match in all;
    blocks the sources or the time range rule out are left out by the query."""
    await _require(read, incident_id)
    sources = None if selector.sources is None else sorted(selector.sources)
    if sources == []:
        return LogMatches([], 0)
    query = (
        f"SELECT {BLOCK_COLUMNS} FROM log_blocks WHERE incident_id = $1 AND id > $2"
        " AND ($3::text[] IS NULL OR source = ANY($3))"
        " AND ($4::timestamptz IS NULL OR last_at >= $4)"
        " AND ($5::timestamptz IS NULL OR first_at <= $5)"
        f" ORDER BY id LIMIT {SCAN_PAGE}"
    )
    scan = Scan(selector, since, until, limit)
    blocks = await read(query, (incident_id, -1, sources, since, until))
    while blocks:
        after = blocks[-1][0]
        blocks, _ = await asyncio.gather(
            read(query, (incident_id, after, sources, since, until)),
            asyncio.to_thread(scan.feed, blocks),
        )
    return LogMatches(scan.rows, scan.total)


def _as_is(at: datetime) -> datetime:
    return at
