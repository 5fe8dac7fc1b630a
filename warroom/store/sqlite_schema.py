"""How SQLite holds an incident: the versioned schema, and times and payloads as stored text.

Timestamps are UTC ISO strings with fixed microseconds (they sort as text); payloads are JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    # 1: incidents, their events, and the archived log window.
    """
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        declared_at TEXT NOT NULL,
        last_event_at TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        log_count INTEGER NOT NULL DEFAULT 0,
        UNIQUE (day, number)
    );
    CREATE TABLE events (
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX incidents_declared ON incidents (declared_at);
    CREATE TABLE log_lines (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        logged_at TEXT NOT NULL,
        source TEXT NOT NULL,
        line TEXT NOT NULL
    );
    CREATE INDEX log_lines_incident ON log_lines (incident_id, id);
    """,
    # 2: which terminal captures an incident's log lines, and until when (UTC text).
    """
    CREATE TABLE capture_leases (
        incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
        holder TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 3: log lines kept as compressed blocks of one source's consecutive lines, not a row
    # per line (see sqlite_logs); each old row becomes a block of its own, left as text.
    """
    CREATE TABLE log_blocks (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        source TEXT NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        line_count INTEGER NOT NULL,
        skip INTEGER NOT NULL DEFAULT 0,
        times TEXT NOT NULL,
        encoding TEXT NOT NULL,
        body BLOB NOT NULL
    );
    CREATE INDEX log_blocks_incident ON log_blocks (incident_id, id);
    INSERT INTO log_blocks (incident_id, source, first_at, last_at, line_count, times, encoding,
        body)
    SELECT incident_id, source, logged_at, logged_at, 1, json_array(json_array(logged_at, 1)),
        'text', line
    FROM log_lines ORDER BY id;
    DROP TABLE log_lines;
    """,
    # 4: the whole output of a `command.run` event, capped, beside the event.
    """
    CREATE TABLE command_outputs (
        incident_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        output TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq),
        FOREIGN KEY (incident_id, seq) REFERENCES events (incident_id, seq)
    ) WITHOUT ROWID;
    """,
    # 5: an event's idempotency key (`append(key=…)`), unique within its incident.
    """
    ALTER TABLE events ADD COLUMN key TEXT;
    CREATE UNIQUE INDEX events_key ON events (incident_id, key) WHERE key IS NOT NULL;
    """,
    # 6: which terminals have an incident open, until when (UTC text).
    """
    CREATE TABLE presence (
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        holder TEXT NOT NULL,
        actor TEXT NOT NULL,
        host TEXT NOT NULL,
        region TEXT NOT NULL,
        since TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (incident_id, holder)
    ) WITHOUT ROWID;
    """,
)
"""Schema changes in order; `PRAGMA user_version` is how many have been applied."""

SCHEMA_VERSION = len(MIGRATIONS)

Read = Callable[[str, Sequence[Any]], Awaitable[list[Any]]]
"""The store's locked read: all rows of a query made outside any transaction of its own."""


def to_db_time(at: datetime) -> str:
    """An aware datetime as the UTC text stored in the database."""
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware; warroom stores UTC")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    """The inverse of `to_db_time`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def json_default(value: object) -> object:
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} in an event payload")


def payload_text(payload: Mapping[str, Any]) -> str:
    """An event payload as every backend stores it, so that both export the same."""
    return json.dumps(dict(payload), default=json_default, ensure_ascii=False)
