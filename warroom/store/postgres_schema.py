"""How PostgreSQL holds an incident: the versioned schema, as SQLite's but in native types.

Times are `timestamptz` (microseconds, like the SQLite text), payloads JSON text written
exactly as SQLite writes them (not `jsonb`, which reorders keys: a copy between backends must
export the same document), log block bodies and command output `bytea` (a Python string may
hold a NUL, which PostgreSQL text refuses). The version is the one row of `warroom_schema`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

Db: TypeAlias = "PoolConnectionProxy[Any]"
"""A pooled connection, in the transaction of the store call that acquired it."""

MIGRATIONS: tuple[str, ...] = (
    # 1: incidents, their events, the log archive in blocks, the capture lease, command output.
    """
    CREATE TABLE incidents (
        id text PRIMARY KEY,
        day date NOT NULL,
        number integer NOT NULL,
        title text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        declared_at timestamptz NOT NULL,
        last_event_at timestamptz NOT NULL,
        last_seq integer NOT NULL DEFAULT 0,
        log_count bigint NOT NULL DEFAULT 0,
        UNIQUE (day, number)
    );
    CREATE INDEX incidents_declared ON incidents (declared_at);
    CREATE TABLE events (
        incident_id text NOT NULL REFERENCES incidents (id),
        seq integer NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        actor text NOT NULL,
        payload text NOT NULL,
        PRIMARY KEY (incident_id, seq)
    );
    CREATE TABLE log_blocks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id text NOT NULL REFERENCES incidents (id),
        source text NOT NULL,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        line_count integer NOT NULL,
        skip integer NOT NULL DEFAULT 0,
        times text NOT NULL,
        encoding text NOT NULL,
        body bytea NOT NULL
    );
    CREATE INDEX log_blocks_incident ON log_blocks (incident_id, id);
    CREATE TABLE capture_leases (
        incident_id text PRIMARY KEY REFERENCES incidents (id),
        holder text NOT NULL,
        expires_at timestamptz NOT NULL
    );
    CREATE TABLE command_outputs (
        incident_id text NOT NULL,
        seq integer NOT NULL,
        output bytea NOT NULL,
        PRIMARY KEY (incident_id, seq),
        FOREIGN KEY (incident_id, seq) REFERENCES events (incident_id, seq)
    );
    """,
    # 2: an event's idempotency key (`append(key=…)`), unique within its incident.
    """
    ALTER TABLE events ADD COLUMN key text;
    CREATE UNIQUE INDEX events_key ON events (incident_id, key) WHERE key IS NOT NULL;
    """,
    # 3: which terminals have an incident open, until when (the server's clock).
    """
    CREATE TABLE presence (
        incident_id text NOT NULL REFERENCES incidents (id),
        holder text NOT NULL,
        actor text NOT NULL,
        host text NOT NULL,
        region text NOT NULL,
        since timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (incident_id, holder)
    );
    """,
)
"""Schema changes in order; the row of `warroom_schema` says how many have been applied."""

SCHEMA_VERSION = len(MIGRATIONS)

VERSION_TABLE = "CREATE TABLE IF NOT EXISTS warroom_schema (version integer NOT NULL)"

SCHEMA_LOCK = 0x77617272
"""The advisory lock key ("warr") that serialises migrations, declarations and imports: two
hosts opening a new database, or declaring at once, queue on it."""

CHANNEL = "warroom_events"
"""The NOTIFY channel: its payload is the incident id an event was appended to."""


def utc(at: datetime) -> datetime:
    """An aware datetime in UTC; ValueError for a naive one, as SQLite's store says."""
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware; warroom stores UTC")
    return at.astimezone(UTC)


def text_bytes(text: str) -> bytes:
    """A string as stored in a `bytea` column, any code point kept."""
    return text.encode("utf-8", "surrogatepass")


def bytes_text(data: bytes) -> str:
    """The inverse of `text_bytes`."""
    return data.decode("utf-8", "surrogatepass")
