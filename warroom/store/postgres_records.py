"""The rows beside the events in PostgreSQL: incident summaries, the capture lease, command
output, presence, and an incident restored whole by an import.

The capture lease and presence run on the server's clock when the caller gives no time: terminals on
several hosts compare one clock, so a laptop whose clock is a minute off neither steals a
running lease nor keeps one past its end. `PostgresStore` owns the transactions; these
functions are the SQL, run on the connection of the caller's transaction or its read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from warroom.incident.events import Event
from warroom.incident.state import HEADLINE_KINDS, declared_at, headline, title
from warroom.store import postgres_logs
from warroom.store.blocks import Block
from warroom.store.postgres_logs import Read
from warroom.store.postgres_schema import Db, bytes_text, text_bytes, utc
from warroom.store.protocol import (
    AlreadyStored,
    IncidentSummary,
    NotCapturer,
    Presence,
    StoreError,
    UnknownIncident,
)
from warroom.store.sqlite_outputs import capped
from warroom.store.sqlite_schema import payload_text

_ID = re.compile(r"INC-(\d{4})(\d{2})(\d{2})-(\d{3,})")


# --- summaries


async def refresh(db: Db, incident_id: str) -> None:
    """Recompute the incident row's title, severity, status and declaration time from its
    headline events, by the rules the war room derives them with."""
    rows = await db.fetch(
        "SELECT seq, at, kind, actor, payload FROM events WHERE incident_id = $1"
        " AND kind = ANY($2::text[]) ORDER BY seq",
        incident_id,
        list(HEADLINE_KINDS),
    )
    events = [
        Event(seq, incident_id, at, kind, actor, json.loads(payload))
        for seq, at, kind, actor, payload in rows
    ]
    severity, status = headline(events)
    await db.execute(
        "UPDATE incidents SET title = COALESCE(NULLIF($1, ''), title), severity = $2,"
        " status = $3, declared_at = COALESCE($4, declared_at) WHERE id = $5",
        title(events),
        severity,
        status,
        declared_at(events),
        incident_id,
    )


async def summaries(
    read: Read, where: str, params: Sequence[Any], *, limit: int | None = None
) -> list[IncidentSummary]:
    """The incidents matching `where` (SQL with $1…, or ""), newest first."""
    rows = await read(
        "SELECT id, title, severity, declared_at, status, last_event_at FROM incidents"
        f" {where} ORDER BY declared_at DESC, day DESC, number DESC LIMIT ${len(params) + 1}",
        (*params, limit),
    )
    return [IncidentSummary(*row) for row in rows]


# --- the capture lease


async def _require_incident(db: Db, incident_id: str) -> None:
    if await db.fetchval("SELECT 1 FROM incidents WHERE id = $1", incident_id) is None:
        raise UnknownIncident(incident_id)


async def claim(
    db: Db,
    incident_id: str,
    holder: str,
    lease: timedelta,
    at: datetime | None,
) -> bool:
    """Take or renew the lease for `holder` unless another's runs past `at` (the server's
    now when None); True if held."""
    await _require_incident(db, incident_id)
    await db.execute(
        "INSERT INTO capture_leases (incident_id, holder, expires_at)"
        " VALUES ($1, $2, coalesce($4::timestamptz, clock_timestamp()) + $3::interval)"
        " ON CONFLICT (incident_id) DO UPDATE SET"
        " holder = excluded.holder, expires_at = excluded.expires_at"
        " WHERE capture_leases.holder = excluded.holder"
        " OR capture_leases.expires_at <= coalesce($4::timestamptz, clock_timestamp())",
        incident_id,
        holder,
        lease,
        None if at is None else utc(at),
    )
    return await _holder(db, incident_id) == holder


async def _holder(db: Db, incident_id: str) -> str | None:
    found = await db.fetchval(
        "SELECT holder FROM capture_leases WHERE incident_id = $1", incident_id
    )
    return None if found is None else str(found)


async def release(db: Db, incident_id: str, holder: str) -> None:
    """Drop the lease if `holder` has it."""
    await _require_incident(db, incident_id)
    await db.execute(
        "DELETE FROM capture_leases WHERE incident_id = $1 AND holder = $2", incident_id, holder
    )


async def require_holder(db: Db, incident_id: str, holder: str) -> None:
    """NotCapturer unless `holder` has the lease (an expired one nobody took still counts)."""
    await _require_incident(db, incident_id)
    if await _holder(db, incident_id) != holder:
        raise NotCapturer(incident_id)


# --- command output


async def insert_output(db: Db, incident_id: str, seq: int, output: str) -> None:
    """Keep `output`, capped, for event `seq`; inside the transaction that appended it."""
    await db.execute(
        "INSERT INTO command_outputs (incident_id, seq, output) VALUES ($1, $2, $3)",
        incident_id,
        seq,
        text_bytes(capped(output)),
    )


async def output_of(read: Read, incident_id: str, seq: int) -> str | None:
    """What event `seq` kept as its output; None if it kept none."""
    rows = await read(
        "SELECT output FROM command_outputs WHERE incident_id = $1 AND seq = $2",
        (incident_id, seq),
    )
    return bytes_text(rows[0][0]) if rows else None


# --- import


async def insert_incident(
    db: Db,
    events: Sequence[Event],
    command_outputs: Mapping[int, str],
    blocks: Sequence[Block],
    line_count: int,
) -> None:
    """Insert the incident of `events` (its declaration first) with everything beside it,
    inside the caller's transaction; AlreadyStored if its id is taken."""
    incident_id = events[0].incident_id
    parts = _ID.fullmatch(incident_id)
    if parts is None:
        raise StoreError(f"{incident_id!r} is not an incident id INC-YYYYMMDD-NNN.")
    if await db.fetchval("SELECT 1 FROM incidents WHERE id = $1", incident_id) is not None:
        raise AlreadyStored(incident_id)
    year, month, day, number = (int(part) for part in parts.groups())
    await db.execute(
        "INSERT INTO incidents (id, day, number, title, severity, declared_at, last_event_at,"
        " last_seq) VALUES ($1, $2, $3, '', '', $4, $5, $6)",
        incident_id,
        date(year, month, day),
        number,
        utc(events[0].at),
        max(utc(event.at) for event in events),
        max(event.seq for event in events),
    )
    await db.executemany(
        "INSERT INTO events (incident_id, seq, at, kind, actor, payload)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [(incident_id, e.seq, utc(e.at), e.kind, e.actor, payload_text(e.payload)) for e in events],
    )
    await refresh(db, incident_id)
    for seq, output in sorted(command_outputs.items()):
        await insert_output(db, incident_id, seq, output)
    # Every line the export carried: the capture's cap was applied when they were captured.
    await postgres_logs.insert_capped(db, incident_id, blocks, max(line_count, 1))


# --- presence, on the server's clock unless the caller gives a time


async def announce(
    db: Db,
    incident_id: str,
    holder: str,
    actor: str,
    host: str,
    region: str,
    ttl: timedelta,
    at: datetime | None,
) -> None:
    """Insert or renew `holder`'s row (keeping its `since`), and drop rows run out."""
    await _require_incident(db, incident_id)
    when = None if at is None else utc(at)
    await db.execute(
        "DELETE FROM presence WHERE incident_id = $1"
        " AND expires_at <= coalesce($2::timestamptz, clock_timestamp())",
        incident_id,
        when,
    )
    await db.execute(
        "INSERT INTO presence (incident_id, holder, actor, host, region, since, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, coalesce($7::timestamptz, clock_timestamp()),"
        " coalesce($7::timestamptz, clock_timestamp()) + $6::interval)"
        " ON CONFLICT (incident_id, holder) DO UPDATE SET actor = excluded.actor,"
        " host = excluded.host, region = excluded.region, expires_at = excluded.expires_at",
        incident_id,
        holder,
        actor,
        host,
        region,
        ttl,
        when,
    )


async def present(read: Read, incident_id: str, at: datetime | None) -> list[Presence]:
    """The rows still running at `at` (the server's now), longest there first."""
    rows = await read(
        "SELECT holder, actor, host, region, since FROM presence WHERE incident_id = $1"
        " AND expires_at > coalesce($2::timestamptz, clock_timestamp()) ORDER BY since, holder",
        (incident_id, None if at is None else utc(at)),
    )
    return [Presence(*row) for row in rows]


async def depart(db: Db, incident_id: str, holder: str) -> None:
    """Remove `holder`'s row."""
    await db.execute(
        "DELETE FROM presence WHERE incident_id = $1 AND holder = $2", incident_id, holder
    )
