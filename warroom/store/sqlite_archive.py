"""The log-line archive and its capture lease, as `SqliteStore` offers them: the protocol's
methods over the SQL of `sqlite_logs`, `sqlite_search` and `sqlite_capture`, with the
encoding of blocks in a worker thread (`blocks`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.incident.events import utc_now
from warroom.logchunks import LogChunk, chunks_of, line_count, merged, newest
from warroom.store import sqlite_capture, sqlite_logs, sqlite_search
from warroom.store.blocks import encode
from warroom.store.protocol import LineSelector, LogMatches
from warroom.store.sqlite_connection import SqliteConnection


class SqliteLogArchive(SqliteConnection):
    async def archive_log_lines(
        self,
        incident_id: str,
        rows: Sequence[tuple[datetime, str, str]],
        *,
        cap: int = 1_000_000,
        capturer: str | None = None,
    ) -> int:
        """Keep log lines (logged_at, source, raw line) with the incident, at most `cap` of them.

        Returns how many of `rows` were stored (fewer than given only if the batch alone is
        larger than `cap`). With `capturer`, NotCapturer (nothing stored) unless it holds the
        capture lease.
        """
        return await self.archive_log_chunks(
            incident_id, chunks_of(rows), cap=cap, capturer=capturer
        )

    async def archive_log_chunks(
        self,
        incident_id: str,
        chunks: Sequence[LogChunk],
        *,
        cap: int = 1_000_000,
        capturer: str | None = None,
    ) -> int:
        """`archive_log_lines` for lines already in chunks: one block each, one commit for
        them all, and the encoding done in a worker thread, off the event loop."""
        if cap <= 0:
            return 0
        kept = newest(merged(chunks), cap)
        blocks = await asyncio.to_thread(encode, kept)
        async with self._transaction():
            if capturer is not None:
                await sqlite_capture.require_holder(self._db, incident_id, capturer)
            await sqlite_logs.insert_capped(self._db, incident_id, blocks, cap)
        return line_count(kept)

    async def claim_capture(
        self, incident_id: str, holder: str, *, lease: timedelta, at: datetime | None = None
    ) -> bool:
        """Take or renew the capture lease for `holder`, unless another's is running."""
        async with self._transaction():
            return await sqlite_capture.claim(self._db, incident_id, holder, lease, at or utc_now())

    async def release_capture(self, incident_id: str, holder: str) -> None:
        """Drop the capture lease if `holder` has it."""
        async with self._transaction():
            await sqlite_capture.release(self._db, incident_id, holder)

    async def newest_log_lines(self, incident_id: str) -> dict[str, tuple[datetime, str]]:
        """Each source's last archived (logged_at, line)."""
        return await sqlite_logs.newest_per_source(self._read, incident_id)

    async def log_lines(
        self, incident_id: str, *, search: str = "", limit: int = 1000
    ) -> list[tuple[datetime, str, str]]:
        """The newest `limit` archived lines containing `search` (any case), oldest first."""
        return await sqlite_logs.search_lines(self._read, incident_id, search, limit)

    async def search_log_lines(
        self,
        incident_id: str,
        selector: LineSelector,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> LogMatches:
        """The whole archive searched in a worker thread (`sqlite_search`)."""
        return await sqlite_search.search(self._read, incident_id, selector, since, until, limit)
