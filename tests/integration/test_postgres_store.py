"""What only the PostgreSQL backend does: its address and passwords, its schema version, its
wake-ups by NOTIFY and the poll that covers a lost listener. The `EventStore` promises
themselves are checked for it by `test_store_conformance.py`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.support.postgres import fresh_database
from warroom import incident as inc
from warroom.store import MissingStore, NewerSchema, StoreError, open_store
from warroom.store.postgres import open_postgres_store
from warroom.store.postgres_schema import SCHEMA_VERSION
from warroom.store.postgres_url import shown

WAIT = 10.0


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as target:
        yield target


def without_password(url: str) -> tuple[str, str]:
    """(`url` with no password in it, the password it had)."""
    parts = urlsplit(url)
    user_info, host = parts.netloc.rsplit("@", 1)
    user, _, secret = user_info.partition(":")
    return urlunsplit(parts._replace(netloc=f"{user}@{host}")), secret


def with_password(url: str, secret: str) -> str:
    bare, _ = without_password(url)
    parts = urlsplit(bare)
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user}:{secret}@{host}"))


async def test_both_schemes_open_the_same_database(database: str) -> None:
    async with await open_store(database) as store:
        declared = await store.declare(title="a", severity="P1", actor="a")
    other = "postgres://" + database.removeprefix("postgresql://")
    async with await open_store(other) as store:
        assert [e.seq for e in await store.events(declared.incident_id)] == [1]


async def test_a_wrong_password_is_refused_without_quoting_it(database: str) -> None:
    wrong = "Hunter2-wrong-Secret"
    with pytest.raises(StoreError) as raised:
        await open_store(with_password(database, wrong))
    message = str(raised.value)
    assert wrong not in message and "Hunter2" not in message
    assert "password authentication failed" in message
    assert shown(database) in message and "\n" not in message


async def test_an_unreachable_server_is_named_without_its_password(database: str) -> None:
    parts = urlsplit(database)
    secret = "Unreachable-Secret-42"
    url = with_password(urlunsplit(parts._replace(netloc=f"u@{parts.hostname}:1")), secret)
    with pytest.raises(StoreError) as raised:
        await open_store(url)
    assert secret not in str(raised.value) and "u@" in str(raised.value)


async def test_the_password_comes_from_a_variable_in_the_address(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, secret = without_password(database)
    monkeypatch.setenv("WARROOM_PG_SECRET", secret)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    templated = with_password(database, "${WARROOM_PG_SECRET}")
    async with await open_store(templated) as store:
        assert await store.list_incidents() == []
    monkeypatch.delenv("WARROOM_PG_SECRET")
    with pytest.raises(StoreError, match=r"needs \$\{WARROOM_PG_SECRET\}, which is not set"):
        await open_store(templated)


async def test_the_password_comes_from_pgpassword_or_pgpass(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bare, secret = without_password(database)
    monkeypatch.setenv("PGPASSWORD", secret)
    async with await open_store(bare) as store:
        assert await store.list_incidents() == []
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:*:{secret}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    async with await open_store(bare) as store:
        assert await store.list_incidents() == []
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(StoreError) as raised:
        await open_store(bare)
    assert secret not in str(raised.value)


async def test_reading_a_database_without_warroom_in_it_creates_nothing(database: str) -> None:
    with pytest.raises(MissingStore, match="no warroom incidents"):
        await open_store(database, create=False)
    with pytest.raises(MissingStore):
        await open_store(database, read_only=True)
    connection = await asyncpg.connect(database)
    try:
        assert await connection.fetchval("SELECT to_regclass('warroom_schema')") is None
    finally:
        await connection.close()


async def test_a_read_only_store_refuses_writes(database: str) -> None:
    async with await open_store(database) as store:
        declared = await store.declare(title="a", severity="P1", actor="a")
    async with await open_store(database, read_only=True) as reader:
        assert [e.seq for e in await reader.events(declared.incident_id)] == [1]
        with pytest.raises(StoreError, match="read-only"):
            await reader.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="a")


async def test_a_database_from_a_newer_warroom_is_refused(database: str) -> None:
    async with await open_store(database):
        pass
    connection = await asyncpg.connect(database)
    try:
        await connection.execute("UPDATE warroom_schema SET version = $1", SCHEMA_VERSION + 1)
    finally:
        await connection.close()
    with pytest.raises(NewerSchema, match="newer warroom"):
        await open_store(database)
    with pytest.raises(NewerSchema):
        await open_store(database, read_only=True)


async def test_another_hosts_append_wakes_a_follower_by_notify(database: str) -> None:
    # An hour between polls: only the NOTIFY of another connection's commit can wake it.
    follower = await open_postgres_store(database, follow_poll_seconds=3600)
    async with follower, await open_store(database) as writer:
        declared = await writer.declare(title="a", severity="P1", actor="a")
        async with aclosing(follower.follow(declared.incident_id, after_seq=1)) as feed:
            pending = asyncio.ensure_future(anext(feed))
            await writer.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="b")
            assert [e.seq for e in await asyncio.wait_for(pending, WAIT)] == [2]


async def test_a_follower_catches_up_after_its_listener_is_cut(database: str) -> None:
    follower = await open_postgres_store(database, follow_poll_seconds=0.1)
    async with follower, await open_store(database) as writer:
        declared = await writer.declare(title="a", severity="P1", actor="a")
        async with aclosing(follower.follow(declared.incident_id, after_seq=1)) as feed:
            pending = asyncio.ensure_future(anext(feed))
            admin = await asyncpg.connect(database)
            try:
                # both stores' listeners: the sessions whose last statement was their LISTEN
                cut = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND query LIKE 'LISTEN%'"
                )
                assert cut == 2
            finally:
                await admin.close()
            await writer.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="b")
            assert [e.seq for e in await asyncio.wait_for(pending, WAIT)] == [2]
            more = asyncio.ensure_future(anext(feed))
            await writer.append(declared.incident_id, inc.NOTE_ADDED, {"text": "y"}, actor="b")
            assert [e.seq for e in await asyncio.wait_for(more, WAIT)] == [3]
