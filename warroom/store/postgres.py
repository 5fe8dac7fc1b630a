"""The incident event log on a PostgreSQL server: one incident, responders on several hosts.

`PostgresStore` keeps the `EventStore` promises as `SqliteStore` does, with the server
doing what the file lock does there:

- Every write is its own transaction, committed before the call returns.
- An incident's events are numbered under a lock on its row (`SELECT … FOR UPDATE`), so
  writers on several hosts get every seq once; declarations and imports queue on one
  transaction-scoped advisory lock, so `INC-YYYYMMDD-NNN` numbers are given once each and the
  check for an open incident someone else declared sees every committed declaration.
- Each write NOTIFYs the incident's id; `follow` sleeps until a notification (or a local
  write) wakes it, and polls only while its listener connection is down, reading once
  when it is back (`postgres_connection`).
- The schema is versioned in `warroom_schema` (`postgres_schema`).

The SQL of the log archive (`postgres_logs`) and of the summaries, lease, outputs and imports
(`postgres_records`) lives beside this module; the archive's methods are `postgres_archive`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warroom.incident.events import COMMAND_RUN, Event, declared, format_incident_id, utc_now
from warroom.incident.state import HEADLINE_KINDS
from warroom.logchunks import chunks_of, merged
from warroom.store import postgres_logs, postgres_outbox, postgres_records, postgres_url
from warroom.store.appends import Appends
from warroom.store.blocks import encode
from warroom.store.postgres_archive import PostgresLogArchive
from warroom.store.postgres_connection import Unreachable
from warroom.store.postgres_schema import CHANNEL, SCHEMA_LOCK, Db, utc
from warroom.store.protocol import (
    DeclaredMeanwhile,
    DuplicateEvent,
    Queued,
    StoreError,
    UnknownIncident,
)
from warroom.store.sqlite_schema import payload_text


async def open_postgres_store(
    target: str,
    *,
    create: bool = True,
    read_only: bool = False,
    follow_poll_seconds: float = 0.5,
    outbox: Path | None = None,
) -> PostgresStore:
    """Open the PostgreSQL database `target` (a `postgresql://` address, `${VAR}` expanded)
    and bring its schema up to date; with `create=False`, MissingStore when it holds no
    warroom schema; `read_only` makes every transaction read-only and migrates nothing.
    `outbox` is where writes wait while the server is away (default: beside the user data
    dir, one file per address).

    StoreError (never quoting a password) when the server cannot be reached or used.
    """
    shown = postgres_url.shown(target)
    try:
        dsn = postgres_url.expanded(target)
    except postgres_url.MissingVariable as missing:
        raise StoreError(
            f"The database address {shown} needs ${{{missing.args[0]}}}, which is not set."
        ) from None
    store = PostgresStore(
        dsn,
        shown,
        follow_poll_seconds=follow_poll_seconds,
        outbox=outbox or postgres_outbox.default_path(shown),
    )
    try:
        await store._connect(read_only=read_only)
        await (store._check_schema() if read_only else store._prepare(create=create))
        await store._listen()
        if not read_only:
            await store._outbox.load()
            store._send_queued()  # what a run killed while offline left
    except BaseException:
        await store.close()
        raise
    return store


class PostgresStore(Appends, PostgresLogArchive):
    """The event log in a PostgreSQL database; shared by processes on any number of hosts."""

    def __init__(self, dsn: str, shown: str, *, follow_poll_seconds: float, outbox: Path) -> None:
        super().__init__(dsn, shown, follow_poll_seconds=follow_poll_seconds)
        self._outbox = postgres_outbox.Outbox(outbox)
        self._sending: asyncio.Task[None] | None = None

    def queued(self) -> int:
        """Events waiting in the outbox for the server to be back."""
        return self._outbox.count

    async def close(self) -> None:
        """Stop sending the outbox (it stays on disk for the next run) and close."""
        if self._sending is not None:
            self._sending.cancel()
            await asyncio.gather(self._sending, return_exceptions=True)
        await super().close()

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
        when = utc(at or utc_now())
        day = when.date()
        async with self._transaction() as db:
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            if known_open is not None:
                open_now = await postgres_records.summaries(
                    self._reader(db), "WHERE status = 'open'", ()
                )
                unknown = [summary for summary in open_now if summary.id not in known_open]
                if unknown:
                    raise DeclaredMeanwhile(unknown)
            last = await db.fetchval("SELECT max(number) FROM incidents WHERE day = $1", day)
            number = (last or 0) + 1
            incident_id = format_incident_id(day, number)
            await db.execute(
                "INSERT INTO incidents (id, day, number, title, severity, declared_at,"
                " last_event_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                incident_id,
                day,
                number,
                title,
                severity,
                when,
            )
            declaration = declared(title, severity)
            event = await self._insert_event(
                db, incident_id, 0, declaration.kind, declaration.payload, actor, when
            )
        self._wake(incident_id)
        return event

    @staticmethod
    def _reader(db: Db) -> postgres_logs.Read:
        async def read(sql: str, params: Sequence[Any]) -> list[Any]:
            return list(await db.fetch(sql, *params))

        return read

    async def _append(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        actor: str,
        at: datetime | None,
        key: str | None,
    ) -> list[Event]:
        """Append, or, when the server is away, queue in the outbox and raise Queued; while
        anything waits there, new writes queue behind it, so that none overtakes another."""
        when = utc(at or utc_now())
        if not self._outbox.count:
            try:
                return await self._write(incident_id, entries, actor, when, key)
            except Unreachable:
                if self._closed:
                    raise
        await self._outbox.put(incident_id, entries, actor, when, key)
        self._send_queued()
        raise Queued(
            f"The incident database {self.shown} cannot be reached: {self._outbox.count} events"
            " wait in the outbox and are sent when it is back."
        )

    def _send_queued(self) -> None:
        if self._outbox.count and (self._sending is None or self._sending.done()):
            self._sending = asyncio.get_running_loop().create_task(
                postgres_outbox.send(self._outbox, self._write, self._follow_poll_seconds)
            )

    async def _write(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        actor: str,
        when: datetime,
        key: str | None,
    ) -> list[Event]:
        async with self._transaction() as db:
            last_seq = await self._newest_seq(db, incident_id)  # the row lock orders writers
            if key is not None and await db.fetchval(
                "SELECT 1 FROM events WHERE incident_id = $1 AND key = $2", incident_id, key
            ):
                raise DuplicateEvent(key)
            appended: list[Event] = []
            for kind, payload in entries:
                event = await self._insert_event(
                    db, incident_id, last_seq, kind, payload, actor, when, key
                )
                last_seq = event.seq
                appended.append(event)
            if any(kind in HEADLINE_KINDS for kind, _ in entries):
                await postgres_records.refresh(db, incident_id)
        self._wake(incident_id)
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
        when = utc(at or utc_now())
        async with self._transaction() as db:
            newest_seq = await self._newest_seq(db, incident_id)
            if newest_seq != last_seq:
                return None
            event = await self._insert_event(
                db, incident_id, newest_seq, kind, payload, actor, when
            )
            if kind in HEADLINE_KINDS:
                await postgres_records.refresh(db, incident_id)
        self._wake(incident_id)
        return event

    async def _newest_seq(self, db: Db, incident_id: str) -> int:
        """The incident's last seq, its row locked until the caller's transaction ends."""
        newest_seq = await db.fetchval(
            "SELECT last_seq FROM incidents WHERE id = $1 FOR UPDATE", incident_id
        )
        if newest_seq is None:
            raise UnknownIncident(incident_id)
        return int(newest_seq)

    async def _insert_event(
        self,
        db: Db,
        incident_id: str,
        last_seq: int,
        kind: str,
        payload: Mapping[str, Any],
        actor: str,
        when: datetime,
        key: str | None = None,
    ) -> Event:
        seq = last_seq + 1
        text = payload_text(payload)
        await db.execute(
            "INSERT INTO events (incident_id, seq, at, kind, actor, payload, key)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            incident_id,
            seq,
            when,
            kind,
            actor,
            text,
            key,
        )
        await db.execute(
            "UPDATE incidents SET last_seq = $1, last_event_at = greatest(last_event_at, $2)"
            " WHERE id = $3",
            seq,
            when,
            incident_id,
        )
        await db.execute("SELECT pg_notify($1, $2)", CHANNEL, incident_id)
        return Event(seq, incident_id, when, kind, actor, json.loads(text))

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
        when = utc(at or utc_now())
        async with self._transaction() as db:
            last_seq = await self._newest_seq(db, incident_id)
            event = await self._insert_event(
                db, incident_id, last_seq, COMMAND_RUN, payload, actor, when
            )
            await postgres_records.insert_output(db, incident_id, event.seq, output)
        self._wake(incident_id)
        return event

    async def command_output(self, incident_id: str, seq: int) -> str | None:
        """The output kept beside event `seq`, if any."""
        return await postgres_records.output_of(self._read, incident_id, seq)

    async def events(self, incident_id: str, after_seq: int = 0) -> list[Event]:
        """The incident's events with seq > after_seq, in order (empty for an unknown id)."""
        rows = await self._read(
            "SELECT seq, at, kind, actor, payload FROM events"
            " WHERE incident_id = $1 AND seq > $2 ORDER BY seq",
            (incident_id, after_seq),
        )
        return [
            Event(seq, incident_id, at.astimezone(UTC), kind, actor, json.loads(payload))
            for seq, at, kind, actor, payload in rows
        ]

    async def follow(
        self, incident_id: str, after_seq: int = 0
    ) -> AsyncGenerator[list[Event], None]:
        """Yield batches of events appended after `after_seq`, by this or any other process,
        until the store is closed; a lost connection is waited out, not raised."""
        wakeup = asyncio.Event()
        self._wakeups.setdefault(incident_id, set()).add(wakeup)
        try:
            while not self._closed:
                wakeup.clear()  # before reading: a NOTIFY during the read means read again
                try:
                    batch = await self.events(incident_id, after_seq)
                except Unreachable:
                    batch = []
                except StoreError:
                    if self._closed:
                        return
                    raise
                if batch:
                    after_seq = batch[-1].seq
                    yield batch
                    continue
                wait = None if self._listening else self._follow_poll_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), wait)
        finally:
            self._wakeups[incident_id].discard(wakeup)

    async def import_incident(
        self,
        events: Sequence[Event],
        *,
        command_outputs: Mapping[int, str],
        log_lines: Sequence[tuple[datetime, str, str]],
    ) -> None:
        """Restore an exported incident as recorded, in one transaction."""
        blocks = await asyncio.to_thread(encode, merged(chunks_of(log_lines)))
        async with self._transaction() as db:
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await postgres_records.insert_incident(
                db, events, command_outputs, blocks, len(log_lines)
            )
        self._wake(events[0].incident_id)
