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
import json
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime
from itertools import accumulate, compress
from typing import Any

from warroom.logchunks import LogChunk, Row, tail
from warroom.store.protocol import LineSelector, LogMatches, UnknownIncident
from warroom.store.sqlite_logs import block_lines
from warroom.store.sqlite_schema import Read, from_db_time, to_db_time

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
    scan = _Scan(selector, since, until, limit)
    blocks = await read(query, (incident_id, -1, *params))
    while blocks:
        after = blocks[-1][0]
        blocks, _ = await asyncio.gather(
            read(query, (incident_id, after, *params)), asyncio.to_thread(scan.feed, blocks)
        )
    return LogMatches(scan.rows, scan.total)


class _Scan:
    """The search's state from block to block; `feed` runs in a worker thread."""

    def __init__(
        self, selector: LineSelector, since: datetime | None, until: datetime | None, limit: int
    ) -> None:
        self.selector = selector
        self.since = since
        self.until = until
        self.limit = limit
        self.rows: list[Row] = []
        self.total = 0
        self.levels: dict[str, str] = {}
        """Each source's level so far, for continuation lines, carried across its blocks."""

    def feed(self, blocks: Sequence[Any]) -> None:
        for _, source, skip, times, encoding, body in blocks:
            lines = block_lines(encoding, body)
            runs = [(from_db_time(at), count) for at, count in json.loads(times)]
            if skip:
                kept = tail(LogChunk(source, lines, runs), len(lines) - skip)
                lines, runs = list(kept.lines), list(kept.times)
            found = self.selector.select(lines, [source] * len(lines), 0, self.levels)
            if self._straddles(runs):
                inside = self._inside(runs)
                found = list(compress(found, [inside[i] for i in found]))
            self.total += len(found)
            room = self.limit - len(self.rows)
            if room > 0 and found:
                ends = list(accumulate(count for _, count in runs))
                self.rows += [
                    (runs[bisect_right(ends, i)][0], source, lines[i]) for i in found[:room]
                ]

    def _straddles(self, runs: Sequence[tuple[datetime, int]]) -> bool:
        """Whether some of a block's lines lie outside the range: then each is checked."""
        if not runs:
            return False
        return (self.since is not None and min(runs)[0] < self.since) or (
            self.until is not None and max(runs)[0] > self.until
        )

    def _inside(self, runs: Sequence[tuple[datetime, int]]) -> list[bool]:
        since, until = self.since, self.until
        inside: list[bool] = []
        for at, count in runs:
            inside += [(since is None or at >= since) and (until is None or at <= until)] * count
        return inside
