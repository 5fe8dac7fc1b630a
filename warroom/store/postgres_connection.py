"""The PostgreSQL connections under `PostgresStore`: a small pool, the listener, the schema.

asyncpg is the driver, rather than psycopg 3: it was made for asyncio from the start (no
thread per connection, as aiosqlite needs; psycopg's async side wraps a libpq built for
blocking use), speaks PostgreSQL's binary protocol itself (times and bytes arrive as
`datetime` and `bytes`, no text parsing, no libpq on the machine), has its own pool so the
UI, the health worker and the log archive of one process write at once, and delivers NOTIFY
to a callback (`add_listener`) instead of a generator a task must keep draining, which is
what `follow` waits on. It reads `PGPASSWORD` and `~/.pgpass` as libpq does.

Each write is one transaction on a pooled connection, committed before the call returns;
each sends a NOTIFY, which PostgreSQL delivers after the commit. The listener keeps its own
connection: when that drops, followers poll until it is back, then read once for what they
missed (a NOTIFY sent while nobody listened is lost, so followers read by seq, never by
what a notification says).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any, Self

import asyncpg

from warroom.store import postgres_url
from warroom.store.postgres_schema import (
    CHANNEL,
    MIGRATIONS,
    SCHEMA_LOCK,
    SCHEMA_VERSION,
    VERSION_TABLE,
    Db,
)
from warroom.store.protocol import MissingStore, NewerSchema, StoreError

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the server before saying it cannot be reached."""

POOL_SIZE = 4
"""Connections per process: the UI, the health worker and the log archive write at once."""

CONNECTION_ERRORS = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError)

# The store says itself when the server is away (Unreachable, the outbox, the header); the
# pool's own warnings about reconnecting would reach stderr, over the full-screen war room.
logging.getLogger("asyncpg").addHandler(logging.NullHandler())
logging.getLogger("asyncpg").propagate = False


class Unreachable(StoreError):
    """The server cannot be reached, or the connection to it broke: perhaps only for now."""


class PostgresConnection:
    """A pool of connections to one database, and a listener for other processes' appends."""

    def __init__(self, dsn: str, shown: str, *, follow_poll_seconds: float) -> None:
        """Use `open_postgres_store`; `dsn` is the expanded address, `shown` the one to show."""
        self._dsn = dsn
        self.shown = shown
        self._secrets = postgres_url.known_secrets(dsn)
        self._follow_poll_seconds = follow_poll_seconds
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._relisten: asyncio.Task[None] | None = None
        self._wakeups: dict[str, set[asyncio.Event]] = {}
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _connect(self, *, read_only: bool) -> None:
        settings = {"application_name": "warroom", "timezone": "UTC"}
        if read_only:
            settings["default_transaction_read_only"] = "on"
        try:
            self._pool = await asyncpg.create_pool(
                self._dsn,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=CONNECT_TIMEOUT,
                server_settings=settings,
            )
        except (*CONNECTION_ERRORS, asyncpg.PostgresError, TimeoutError) as error:
            raise self._error("Cannot reach", error, Unreachable) from None

    async def close(self) -> None:
        """Close every connection; followers end."""
        if self._closed:
            return
        self._closed = True
        self._wake_all()
        if self._relisten is not None:
            self._relisten.cancel()
        if self._listener is not None:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await self._listener.close(timeout=CONNECT_TIMEOUT)
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), CONNECT_TIMEOUT)
            except (TimeoutError, *CONNECTION_ERRORS):
                self._pool.terminate()

    # --- the schema

    async def _prepare(self, *, create: bool) -> None:
        async with self._transaction() as db:
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            if not create and await db.fetchval("SELECT to_regclass('warroom_schema')") is None:
                raise MissingStore(f"There are no warroom incidents in {self.shown}.")
            await db.execute(VERSION_TABLE)
            version = await db.fetchval("SELECT max(version) FROM warroom_schema")
            if version is None:
                await db.execute("INSERT INTO warroom_schema (version) VALUES (0)")
                version = 0
            if version > SCHEMA_VERSION:
                raise NewerSchema(self._newer(version))
            for number in range(version, SCHEMA_VERSION):
                await db.execute(MIGRATIONS[number])
            await db.execute("UPDATE warroom_schema SET version = $1", SCHEMA_VERSION)

    async def _check_schema(self) -> None:
        if (await self._read("SELECT to_regclass('warroom_schema')", ()))[0][0] is None:
            raise MissingStore(f"There are no warroom incidents in {self.shown}.")
        version = (await self._read("SELECT max(version) FROM warroom_schema", ()))[0][0] or 0
        if version > SCHEMA_VERSION:
            raise NewerSchema(self._newer(version))
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"The incident database {self.shown} has schema {version}, this warroom "
                f"reads {SCHEMA_VERSION}: open it once with a command that writes."
            )

    def _newer(self, version: int) -> str:
        return (
            f"The incident database {self.shown} was written by a newer warroom (schema "
            f"{version}, this one knows {SCHEMA_VERSION}): upgrade warroom to use it."
        )

    # --- transactions and reads

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Db]:
        """One transaction on a pooled connection, committed when the block ends."""
        pool = self._live_pool()
        try:
            async with pool.acquire() as db, db.transaction():
                yield db
        except (*CONNECTION_ERRORS, asyncpg.PostgresError) as error:
            if isinstance(error, asyncpg.ReadOnlySQLTransactionError):
                raise self._error("Could not write to", error, StoreError) from None
            if isinstance(error, asyncpg.PostgresError) and not isinstance(
                error, asyncpg.PostgresConnectionError
            ):
                raise self._error("Could not use", error, StoreError) from None
            raise self._error("Lost", error, Unreachable) from None

    async def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """All rows of a query, outside any transaction of the caller's."""
        pool = self._live_pool()
        try:
            return list(await pool.fetch(sql, *params))
        except (*CONNECTION_ERRORS, asyncpg.PostgresError) as error:
            if isinstance(error, asyncpg.PostgresError) and not isinstance(
                error, asyncpg.PostgresConnectionError
            ):
                raise self._error("Could not use", error, StoreError) from None
            raise self._error("Lost", error, Unreachable) from None

    def _live_pool(self) -> asyncpg.Pool:
        if self._closed or self._pool is None:
            raise StoreError(f"The incident database {self.shown} is closed.")
        return self._pool

    def _error(self, doing: str, error: BaseException, kind: type[StoreError]) -> StoreError:
        reason = postgres_url.scrubbed(str(error) or type(error).__name__, self._secrets)
        reason = " ".join(reason.split()).rstrip(".")
        return kind(f"{doing} the incident database {self.shown}: {reason}.")

    # --- waking followers

    async def _listen(self) -> None:
        """Open the listener connection; on failure followers poll until it is back."""
        try:
            listener = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT)
            await listener.add_listener(CHANNEL, self._notified)
        except (*CONNECTION_ERRORS, asyncpg.PostgresError, TimeoutError):
            self._listener = None
            return
        listener.add_termination_listener(self._listener_lost)
        self._listener = listener

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        for wakeup in self._wakeups.get(str(payload), ()):
            wakeup.set()

    def _listener_lost(self, _connection: object) -> None:
        self._listener = None
        if not self._closed and (self._relisten is None or self._relisten.done()):
            self._relisten = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        while not self._closed and self._listener is None:
            await asyncio.sleep(self._follow_poll_seconds)
            await self._listen()
        # Whatever was notified while nobody listened is lost: every follower reads once.
        self._wake_all()

    @property
    def _listening(self) -> bool:
        return self._listener is not None and not self._listener.is_closed()

    def _wake(self, incident_id: str) -> None:
        for wakeup in self._wakeups.get(incident_id, ()):
            wakeup.set()

    def _wake_all(self) -> None:
        for wakeups in self._wakeups.values():
            for wakeup in wakeups:
                wakeup.set()
