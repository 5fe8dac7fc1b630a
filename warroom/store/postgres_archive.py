"""The log-line archive and its capture lease, as `PostgresStore` offers them: the protocol's
methods over the SQL of `postgres_logs` and `postgres_records`, with the encoding of blocks in
a worker thread (`blocks`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.logchunks import LogChunk, chunks_of, line_count, merged, newest
from warroom.store import postgres_logs, postgres_records
from warroom.store.blocks import encode
from warroom.store.postgres_connection import PostgresConnection
from warroom.store.protocol import LineSelector, LogMatches


class PostgresLogArchive(PostgresConnection):
    async def archive_log_lines(
        self,
        incident_id: str,
        rows: Sequence[tuple[datetime, str, str]],
        *,
        cap: int = 1_000_000,
        capturer: str | None = None,
    ) -> int:
        """Keep log lines (logged_at, source, raw line), at most `cap`; see the protocol."""
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
        """Lines already in chunks: a block each, encoded in a worker thread, one commit."""
        if cap <= 0:
            return 0
        kept = newest(merged(chunks), cap)
        blocks = await asyncio.to_thread(encode, kept)
        async with self._transaction() as db:
            if capturer is not None:
                await postgres_records.require_holder(db, incident_id, capturer)
            await postgres_logs.insert_capped(db, incident_id, blocks, cap)
        return line_count(kept)

    async def claim_capture(
        self, incident_id: str, holder: str, *, lease: timedelta, at: datetime | None = None
    ) -> bool:
        """Take or renew the capture lease for `holder`, timed by the server's clock unless
        `at` is given."""
        async with self._transaction() as db:
            return await postgres_records.claim(db, incident_id, holder, lease, at)

    async def release_capture(self, incident_id: str, holder: str) -> None:
        """Drop the capture lease if `holder` has it."""
        async with self._transaction() as db:
            await postgres_records.release(db, incident_id, holder)

    async def newest_log_lines(self, incident_id: str) -> dict[str, tuple[datetime, str]]:
        """Each source's last archived (logged_at, line)."""
        return await postgres_logs.newest_per_source(self._read, incident_id)

    async def log_lines(
        self, incident_id: str, *, search: str = "", limit: int = 1000
    ) -> list[tuple[datetime, str, str]]:
        """The newest `limit` archived lines containing `search` (any case), oldest first."""
        return await postgres_logs.search_lines(self._read, incident_id, search, limit)

    async def search_log_lines(
        self,
        incident_id: str,
        selector: LineSelector,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> LogMatches:
        """The whole archive searched a page of blocks at a time (`postgres_logs`)."""
        return await postgres_logs.search(self._read, incident_id, selector, since, until, limit)
