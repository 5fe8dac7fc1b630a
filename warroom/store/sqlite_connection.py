"""The SQLite connection under `SqliteStore`: its lock, its transactions, its schema.

One connection serves every task of a process; each transaction and each read has it to
itself. Every write is its own `BEGIN IMMEDIATE` transaction, committed before the call
returns, and refused when the file was deleted or replaced while open. `SqliteStore`
(`warroom.store.sqlite`) builds the `EventStore` protocol on these pieces.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from warroom.store.protocol import NewerSchema, StoreError
from warroom.store.sqlite_file import file_identity
from warroom.store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's transaction before giving up."""


class SqliteConnection:
    """One autocommit connection to an incident database, shared by the tasks of a process."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, *, follow_poll_seconds: float
    ) -> None:
        """Use `open_sqlite_store`; this takes an already open autocommit connection.

        `follow_poll_seconds`: how often followers look for other processes' commits.
        """
        self._follow_poll_seconds = follow_poll_seconds
        self._db = connection
        self.path = path
        self._wakeups: set[asyncio.Event] = set()
        # data_version ignores this connection's own commits, so followers also watch this.
        self._local_writes = 0
        self._closed = False
        # One connection is shared by every task of the app (UI, health, log archive): each
        # transaction, and each read, must have it to itself, or a second BEGIN fails and a
        # reader could see rows that are later rolled back.
        self._lock = asyncio.Lock()
        self._identity: tuple[int, int] | None = None
        """(device, inode) of the file opened: a write checks it is still the one at `path`."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection; followers end."""
        if self._closed:
            return
        self._closed = True
        for wakeup in self._wakeups:
            wakeup.set()
        async with self._lock:  # let a transaction or read in flight finish first
            await self._db.close()

    async def _prepare(self) -> None:
        await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self._enable_wal()
        # NORMAL is durable against process crashes in WAL mode; FULL adds an fsync per
        # commit that a laptop's disk makes slow, for protection only against power loss.
        await self._db.execute("PRAGMA synchronous = NORMAL")
        await self._db.execute("PRAGMA foreign_keys = ON")
        async with self._transaction():
            version = await self._scalar("PRAGMA user_version")
            if version > SCHEMA_VERSION:
                raise NewerSchema(_newer(self.path, version))
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        await self._db.execute(statement)
            if version != SCHEMA_VERSION:
                await self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    async def _check_schema(self) -> None:
        version = await self._scalar("PRAGMA user_version")
        if version > SCHEMA_VERSION:
            # Opening it "with a command that writes" would not help: this warroom is older.
            raise NewerSchema(_newer(self.path, version))
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"The incident database {self.path} has schema {version}, this warroom "
                f"reads {SCHEMA_VERSION}: open it once with a command that writes."
            )

    async def _enable_wal(self) -> None:
        # Switching a new file to WAL needs a moment alone with it, and SQLite answers
        # "database is locked" at once instead of waiting out the busy timeout: two
        # terminals opening a new database together would otherwise fail.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                await self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.02)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        # IMMEDIATE takes the write lock up front, so the read-then-write in declare/append
        # cannot interleave with another process's.
        async with self._lock:
            if self._closed:
                raise StoreError(f"The incident database {self.path} is closed.")
            await self._still_on_disk()
            try:
                await self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._write_error(error) from None
            try:
                yield
                await self._db.execute("COMMIT")
            except BaseException as error:
                with contextlib.suppress(sqlite3.Error):
                    await self._db.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise self._write_error(error) from None
                raise
            self._local_writes += 1
        for wakeup in self._wakeups:
            wakeup.set()

    async def _still_on_disk(self) -> None:
        """Refuse to write into a file that was deleted or replaced since it was opened:
        SQLite would go on writing into the unlinked inode, and all of it is lost on quit."""
        if self._identity is None:
            return  # still opening: the file was just found or made
        try:
            now = await asyncio.to_thread(file_identity, self.path)
        except OSError:
            now = None
        if now != self._identity:
            raise StoreError(
                f"The incident database {self.path} was deleted or replaced while open: "
                "nothing more can be recorded in it. Restore it, then open the incident again."
            )

    def _write_error(self, error: sqlite3.Error) -> StoreError:
        # "attempt to write a readonly database", "database or disk is full", "disk I/O error"
        return StoreError(f"Could not write to the incident database {self.path}: {error}.")

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """First column of the first row; callers hold the lock (inside a transaction)."""
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query; callers hold the lock (inside a transaction)."""
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of a query made outside any transaction of ours."""
        async with self._lock:
            if self._closed:
                raise StoreError(f"The incident database {self.path} is closed.")
            async with self._db.execute(sql, params) as cursor:
                return list(await cursor.fetchall())


def _newer(path: Path, version: int) -> str:
    return (
        f"The incident database {path} was written by a newer warroom (schema {version}, "
        f"this one knows {SCHEMA_VERSION}): upgrade warroom to use it."
    )
