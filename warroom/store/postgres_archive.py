"""The tables beside the events, as `PostgresStore` offers them: the incident summaries, the
log-line archive, its capture lease and presence. These are the protocol's methods over the
SQL of `postgres_logs` and `postgres_records`, with blocks encoded in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from warroom.logchunks import LogChunk, chunks_of, line_count, merged, newest
from warroom.store import postgres_logs, postgres_records
from warroom.store.blocks import encode
from warroom.store.postgres_connection import PostgresConnection
from warroom.store.protocol import (
    IncidentSummary,
    LineSelector,
    LogMatches,
    Presence,
    UnknownIncident,
)


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

    async def announce(
        self,
        incident_id: str,
        holder: str,
        *,
        actor: str,
        host: str,
        region: str,
        ttl: timedelta,
        at: datetime | None = None,
    ) -> None:
        """Say `holder` has the incident open until `ttl` from `at` (the server's now)."""
        async with self._transaction() as db:
            await postgres_records.announce(db, incident_id, holder, actor, host, region, ttl, at)

    async def present(self, incident_id: str, *, at: datetime | None = None) -> list[Presence]:
        """The terminals whose announcement still runs at `at` (the server's now)."""
        return await postgres_records.present(self._read, incident_id, at)

    async def depart(self, incident_id: str, holder: str) -> None:
        """`holder` leaves `present` at once."""
        async with self._transaction() as db:
            await postgres_records.depart(db, incident_id, holder)

    async def incident(self, incident_id: str) -> IncidentSummary:
        """The summary of one incident; UnknownIncident for a bad id."""
        rows = await postgres_records.summaries(self._read, "WHERE id = $1", (incident_id,))
        if not rows:
            raise UnknownIncident(incident_id)
        return rows[0]

    async def list_incidents(self) -> list[IncidentSummary]:
        """Every incident, newest first."""
        return await postgres_records.summaries(self._read, "", ())

    async def active_incident(self) -> IncidentSummary | None:
        """The newest open incident, if any."""
        rows = await postgres_records.summaries(self._read, "WHERE status = 'open'", (), limit=1)
        return rows[0] if rows else None
