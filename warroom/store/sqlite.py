"""The incident event log on disk: the only module that knows SQLite.

Everything else talks to the `EventStore` protocol (`warroom.store.protocol`) through
`warroom.store.open_store`, so another backend drops in beside this one. `SqliteStore` is the
embedded default for one host:

- WAL mode, so readers in other terminals never block the writer, plus a busy timeout so two
  writers queue instead of failing.
- Every write is its own `BEGIN IMMEDIATE` transaction, committed before the call returns: an
  event the UI shows as done survives a crash, and incident numbers are allocated under the
  write lock, so two processes declaring at once get different ids.
- `follow` polls `PRAGMA data_version`, which changes only when another connection commits, so
  an idle poll costs one pragma and no table read; local writes wake followers directly.
- The schema is versioned with `PRAGMA user_version` and an ordered list of migrations
  (`sqlite_schema`), which also says how times and payloads are stored.

The connection, its lock and its transactions are `sqlite_connection`; the SQL of the
incident summaries (`sqlite_summaries`), of the log-line archive (`sqlite_logs`, blocks of
compressed lines), of the capture lease (`sqlite_capture`) and of command output
(`sqlite_outputs`) lives beside this module; the archive's methods are `sqlite_archive`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from warroom.incident.events import COMMAND_RUN, Event, declared, format_incident_id, utc_now
from warroom.incident.state import HEADLINE_KINDS
from warroom.logchunks import chunks_of, merged
from warroom.store import (
    sqlite_import,
    sqlite_outputs,
    sqlite_presence,
    sqlite_summaries,
)
from warroom.store.appends import Appends
from warroom.store.blocks import encode
from warroom.store.protocol import (
    DeclaredMeanwhile,
    DuplicateEvent,
    IncidentSummary,
    Presence,
    StoreError,
    UnknownIncident,
)
from warroom.store.sqlite_archive import SqliteLogArchive
from warroom.store.sqlite_connection import BUSY_TIMEOUT_MS
from warroom.store.sqlite_file import check_openable, file_identity, read_only_uri
from warroom.store.sqlite_schema import from_db_time, payload_text, to_db_time


async def open_sqlite_store(
    path: Path, *, create: bool = True, read_only: bool = False, follow_poll_seconds: float = 0.2
) -> SqliteStore:
    """Open the incident database at `path` and bring its schema up to date; `create` makes
    it first if there is none (else: StoreError "no incident database at PATH"). `read_only`
    (for reading commands) changes nothing, not even the file's -wal and -shm companions.

    Raises StoreError when the directory is missing or the file cannot be used.
    """
    path = Path(path)
    check_openable(path, create=create and not read_only)
    try:
        connection = await aiosqlite.connect(
            read_only_uri(path) if read_only else path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            uri=read_only,
        )
    except sqlite3.Error as error:
        raise StoreError(f"Cannot open the incident database {path}: {error}.") from None
    store = SqliteStore(connection, path, follow_poll_seconds=follow_poll_seconds)
    try:
        await (store._check_schema() if read_only else store._prepare())
        store._identity = await asyncio.to_thread(file_identity, path)
    except (sqlite3.Error, OSError) as error:
        await connection.close()
        raise StoreError(f"Cannot use the incident database {path}: {error}.") from None
    except BaseException:
        await connection.close()
        raise
    return store


class SqliteStore(Appends, SqliteLogArchive):
    """The event log in one SQLite file; safe to share between processes on one host."""

    async def declare(
        self,
        *,
        title: str,
        severity: str,
        actor: str,
        at: datetime | None = None,
        known_open: Collection[str] | None = None,
    ) -> Event:
        """Open a new incident INC-YYYYMMDD-NNN and append its incident.declared event.

        With `known_open`, DeclaredMeanwhile (nothing declared) if another incident is open.
        """
        at = at or utc_now()
        day = at.astimezone(UTC).date()
        when = to_db_time(at)
        async with self._transaction():
            if known_open is not None:
                await self._refuse_unknown_open(known_open)
            last = await self._scalar(
                "SELECT max(number) FROM incidents WHERE day = ?", (day.isoformat(),)
            )
            number = (last or 0) + 1
            incident_id = format_incident_id(day, number)
            await self._db.execute(
                "INSERT INTO incidents (id, day, number, title, severity, declared_at,"
                " last_event_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (incident_id, day.isoformat(), number, title, severity, when, when),
            )
            declaration = declared(title, severity)
            return await self._insert_event(
                incident_id, 0, declaration.kind, declaration.payload, actor, when
            )

    async def _refuse_unknown_open(self, known_open: Collection[str]) -> None:
        open_now = await sqlite_summaries.summaries(self._rows, "WHERE status = 'open'", ())
        unknown = [summary for summary in open_now if summary.id not in known_open]
        if unknown:
            raise DeclaredMeanwhile(unknown)

    async def _append(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        actor: str,
        at: datetime | None,
        key: str | None,
    ) -> list[Event]:
        when = to_db_time(at or utc_now())
        async with self._transaction():
            last_seq = await self._newest_seq(incident_id)
            if key is not None and await self._scalar(
                "SELECT 1 FROM events WHERE incident_id = ? AND key = ?", (incident_id, key)
            ):
                raise DuplicateEvent(key)
            appended: list[Event] = []
            for kind, payload in entries:
                event = await self._insert_event(
                    incident_id, last_seq, kind, payload, actor, when, key
                )
                last_seq = event.seq
                appended.append(event)
            if any(kind in HEADLINE_KINDS for kind, _ in entries):
                await sqlite_summaries.refresh(self._db, incident_id)
        return appended

    async def append_after(
        self,
        incident_id: str,
        last_seq: int,
        kind: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> Event | None:
        """Append one event if the incident's newest is still `last_seq`; else None."""
        when = to_db_time(at or utc_now())
        async with self._transaction():
            newest = await self._newest_seq(incident_id)
            if newest != last_seq:
                return None
            event = await self._insert_event(incident_id, newest, kind, payload, actor, when)
            if kind in HEADLINE_KINDS:
                await sqlite_summaries.refresh(self._db, incident_id)
        return event

    async def _newest_seq(self, incident_id: str) -> int:
        """The incident's last seq, inside the caller's write transaction."""
        newest = await self._scalar("SELECT last_seq FROM incidents WHERE id = ?", (incident_id,))
        if newest is None:
            raise UnknownIncident(incident_id)
        return int(newest)

    async def _insert_event(
        self,
        incident_id: str,
        last_seq: int,
        kind: str,
        payload: Mapping[str, Any],
        actor: str,
        when: str,
        key: str | None = None,
    ) -> Event:
        seq = last_seq + 1
        text = payload_text(payload)
        await self._db.execute(
            "INSERT INTO events (incident_id, seq, at, kind, actor, payload, key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (incident_id, seq, when, kind, actor, text, key),
        )
        await self._db.execute(
            "UPDATE incidents SET last_seq = ?, last_event_at = max(last_event_at, ?) WHERE id = ?",
            (seq, when, incident_id),
        )
        return Event(seq, incident_id, from_db_time(when), kind, actor, json.loads(text))

    async def append_command_run(
        self,
        incident_id: str,
        payload: Mapping[str, Any],
        output: str,
        *,
        actor: str,
        at: datetime | None = None,
    ) -> Event:
        """Append a command.run event and keep its output beside it, in one transaction."""
        when = to_db_time(at or utc_now())
        async with self._transaction():
            last_seq = await self._newest_seq(incident_id)
            event = await self._insert_event(
                incident_id, last_seq, COMMAND_RUN, payload, actor, when
            )
            await sqlite_outputs.insert(self._db, incident_id, event.seq, output)
        return event

    async def command_output(self, incident_id: str, seq: int) -> str | None:
        """The output kept beside event `seq`, if any."""
        return await sqlite_outputs.output_of(self._read, incident_id, seq)

    async def events(self, incident_id: str, after_seq: int = 0) -> list[Event]:
        """The incident's events with seq > after_seq, in order (empty for an unknown id)."""
        rows = await self._read(
            "SELECT seq, at, kind, actor, payload FROM events"
            " WHERE incident_id = ? AND seq > ? ORDER BY seq",
            (incident_id, after_seq),
        )
        return [
            Event(seq, incident_id, from_db_time(at), kind, actor, json.loads(payload))
            for seq, at, kind, actor, payload in rows
        ]

    async def follow(
        self, incident_id: str, after_seq: int = 0
    ) -> AsyncGenerator[list[Event], None]:
        """Yield batches of events appended after `after_seq`, by this or any other process.

        Runs until the store is closed or the consumer stops iterating.
        """
        wakeup = asyncio.Event()
        self._wakeups.add(wakeup)
        seen: tuple[int, int] | None = None
        try:
            while not self._closed:
                wakeup.clear()
                try:
                    # Snapshot before reading, so a commit landing during the read is seen
                    # next time round.
                    version = (await self._read("PRAGMA data_version"))[0][0]
                    current = (version, self._local_writes)
                    batch = await self.events(incident_id, after_seq) if current != seen else []
                except StoreError:
                    if self._closed:
                        return
                    raise
                if current != seen:
                    seen = current
                    if batch:
                        after_seq = batch[-1].seq
                        yield batch
                        continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), self._follow_poll_seconds)
        finally:
            self._wakeups.discard(wakeup)

    async def incident(self, incident_id: str) -> IncidentSummary:
        """The summary of one incident; UnknownIncident for a bad id."""
        rows = await sqlite_summaries.summaries(self._read, "WHERE id = ?", (incident_id,))
        if not rows:
            raise UnknownIncident(incident_id)
        return rows[0]

    async def list_incidents(self) -> list[IncidentSummary]:
        """Every incident, newest first."""
        return await sqlite_summaries.summaries(self._read, "", ())

    async def active_incident(self) -> IncidentSummary | None:
        """The newest open incident, if any."""
        rows = await sqlite_summaries.summaries(self._read, "WHERE status = 'open'", (), limit=1)
        return rows[0] if rows else None

    async def import_incident(
        self,
        events: Sequence[Event],
        *,
        command_outputs: Mapping[int, str],
        log_lines: Sequence[tuple[datetime, str, str]],
    ) -> None:
        """Restore an exported incident as recorded, in one transaction (`sqlite_import`)."""
        blocks = await asyncio.to_thread(encode, merged(chunks_of(log_lines)))
        async with self._transaction():
            await sqlite_import.insert_incident(
                self._db, events, command_outputs, blocks, len(log_lines)
            )

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
        """Say `holder` has the incident open until `ttl` from `at` (now)."""
        async with self._transaction():
            await sqlite_presence.announce(
                self._db, incident_id, holder, actor, host, region, ttl, at or utc_now()
            )

    async def present(self, incident_id: str, *, at: datetime | None = None) -> list[Presence]:
        """The terminals whose announcement still runs at `at` (now)."""
        return await sqlite_presence.present(self._read, incident_id, at or utc_now())

    async def depart(self, incident_id: str, holder: str) -> None:
        """`holder` leaves `present` at once."""
        async with self._transaction():
            await sqlite_presence.depart(self._db, incident_id, holder)

    def queued(self) -> int:
        """Nothing ever waits: the file is here."""
        return 0
