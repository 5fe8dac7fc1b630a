"""The whole log archive searched with the caller's compiled filter, off the event loop.

Review searches every archived line, not the screen's last 100k: a million in under a
second (`bench/logsearch.py`). The filter comes compiled from the caller (a `LineSelector`,
what the live tail uses), so the syntax lives in one place and the store imports no `logs`.

Blocks are read a page at a time through the store's locked read, their bodies still
compressed; a worker thread decompresses and matches them one block at a time while the
next page is read (aiosqlite's thread serialises the database, so the two overlap on two
cores). A block the filter's sources or the time range rule out is left out by the query and
never decompressed. A line's time is spelled out only when it is kept or the block straddles
an end of the range.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from warroom.store.blocks import Scan
from warroom.store.protocol import LineSelector, LogMatches, UnknownIncident
from warroom.store.sqlite_schema import Read, to_db_time

PAGE = 32
"""Blocks read per query: a few megabytes of compressed bodies at most."""


async def search(
    read: Read,
    incident_id: str,
    selector: LineSelector,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> LogMatches:
    """The first `limit` matching lines, in the order archived, and how many match in all.

    UnknownIncident for a bad id.
    """
    if not await read("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)):
        raise UnknownIncident(incident_id)
    where = ["incident_id = ?", "id > ?"]
    params: list[Any] = []
    if selector.sources is not None:
        if not selector.sources:
            return LogMatches([], 0)
        where.append(f"source IN ({', '.join('?' * len(selector.sources))})")
        params += sorted(selector.sources)
    if since is not None:
        where.append("last_at >= ?")
        params.append(to_db_time(since))
    if until is not None:
        where.append("first_at <= ?")
        params.append(to_db_time(until))
    query = (
        "SELECT id, source, skip, times, encoding, body FROM log_blocks"
        f" WHERE {' AND '.join(where)} ORDER BY id LIMIT {PAGE}"
    )
    scan = Scan(selector, since, until, limit)
    blocks = await read(query, (incident_id, -1, *params))
    while blocks:
        after = blocks[-1][0]
        blocks, _ = await asyncio.gather(
            read(query, (incident_id, after, *params)), asyncio.to_thread(scan.feed, blocks)
        )
    return LogMatches(scan.rows, scan.total)
