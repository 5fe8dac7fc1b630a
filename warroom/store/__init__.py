"""Where incidents are kept: the `EventStore` protocol and `open_store`, which picks the backend.

Nothing outside this package names a backend: callers get an `EventStore` from `open_store`.
"""

from __future__ import annotations

from pathlib import Path

from warroom.store.postgres_url import is_postgres, shown
from warroom.store.protocol import (
    MAX_COMMAND_OUTPUT_BYTES,
    AlreadyStored,
    DeclaredMeanwhile,
    DuplicateEvent,
    EventStore,
    IncidentSummary,
    LineSelector,
    LogMatches,
    MissingStore,
    NewerSchema,
    NotCapturer,
    Presence,
    Queued,
    StoreError,
    UnknownIncident,
)
from warroom.store.sqlite import open_sqlite_store

__all__ = [
    "MAX_COMMAND_OUTPUT_BYTES",
    "AlreadyStored",
    "DeclaredMeanwhile",
    "DuplicateEvent",
    "EventStore",
    "IncidentSummary",
    "LineSelector",
    "LogMatches",
    "MissingStore",
    "NewerSchema",
    "NotCapturer",
    "Presence",
    "Queued",
    "StoreError",
    "UnknownIncident",
    "open_store",
    "shown_target",
]

SQLITE_SCHEME = "sqlite://"


def shown_target(target: str) -> str:
    """`target` as it may be shown: a server's address without its password."""
    return shown(target) if is_postgres(target) else target


async def open_store(
    target: str | Path, *, create: bool = True, read_only: bool = False
) -> EventStore:
    """Open the store `target` names: a file path or `sqlite:///path` (SQLite, one host), or
    `postgresql://…` / `postgres://…` (PostgreSQL, a team across hosts).

    `create=False` never makes a database that is not there; `read_only` (what reading
    commands pass) opens one that this user may not write, and changes nothing in it.
    Raises StoreError for a target no backend serves, or one that cannot be used.
    """
    if isinstance(target, Path):
        return await open_sqlite_store(target, create=create, read_only=read_only)
    if target.startswith(SQLITE_SCHEME):
        path = target.removeprefix(SQLITE_SCHEME)
        if not path.startswith("/"):
            raise StoreError(f"{target!r} is not a sqlite:///PATH address (three slashes).")
        return await open_sqlite_store(Path(path), create=create, read_only=read_only)
    if is_postgres(target):
        # Imported here so that SQLite users never load the PostgreSQL driver.
        from warroom.store.postgres import open_postgres_store

        return await open_postgres_store(target, create=create, read_only=read_only)
    if "://" in target:
        scheme = target.split("://", 1)[0]
        raise StoreError(f"This warroom cannot keep incidents in a {scheme}:// store.")
    return await open_sqlite_store(Path(target).expanduser(), create=create, read_only=read_only)
