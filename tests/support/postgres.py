"""The PostgreSQL server the tests use, named by one environment variable, and a fresh
database on it per test.

Without `WARROOM_TEST_POSTGRES` the PostgreSQL tests skip, saying which variable to set;
in CI (`CI=true`, where `.ci/run` starts a server) a missing server fails them instead, so a
broken CI set-up cannot pass by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

VARIABLE = "WARROOM_TEST_POSTGRES"
"""postgresql://USER:PASSWORD@HOST:PORT/DB of a server where the tests may create databases."""


def server_url() -> str:
    """The server's address; skips the test when there is none (fails it in CI)."""
    url = os.environ.get(VARIABLE, "")
    if url:
        return url
    reason = f"set {VARIABLE}=postgresql://USER:PASSWORD@HOST:PORT/postgres to run it"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs a PostgreSQL server: {reason}")
    pytest.skip(f"needs a PostgreSQL server: {reason}")


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def create_database() -> str:
    """A new, empty database on the test server; its address, password included."""
    url = server_url()
    name = f"warroom_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return with_database(url, name)


async def drop_database(url: str) -> None:
    """Drop the database `create_database` made, with this role's sessions still on it."""
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(server_url())
    try:
        await terminate_and_drop(admin, name)
    finally:
        await admin.close()


async def terminate_and_drop(admin: asyncpg.Connection, name: str) -> None:
    """End this role's sessions on database `name`, then drop it. Not `WITH (FORCE)`: that
    also signals an autovacuum worker, which a role without superuser may not (CI's may not);
    a plain DROP waits for the ended sessions and cancels autovacuum itself."""
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()",
        name,
    )
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty database for one test, dropped after it; yields its address."""
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)
