"""What the SQLite event store does beyond the protocol, on real files: how it stores events,
its schema, its files and its poll. What every store promises is in test_store_conformance.py."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.times import NEAR_MIDNIGHT as T0
from warroom import incident as inc
from warroom.logchunks import LogChunk
from warroom.logs.filter import NO_FILTER, FilterSpec
from warroom.store import EventStore, NewerSchema, StoreError, open_store
from warroom.store.sqlite import open_sqlite_store
from warroom.store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EventStore]:
    # A poll an hour apart: a test passes only if local writes wake followers themselves.
    opened = await open_sqlite_store(tmp_path / "incidents.db", follow_poll_seconds=3600)
    yield opened
    await opened.close()


async def test_append_is_committed_and_visible_to_another_connection(
    store: EventStore, tmp_path: Path
) -> None:
    declared = await store.declare(title="a", severity="P1", actor="ann")
    appended = await store.append(
        declared.incident_id, inc.NOTE_ADDED, {"text": "héllo"}, actor="bob", at=T0
    )
    assert appended.seq == 2 and appended.at == T0
    # a plain sqlite3 connection in this process sees it without any commit of ours
    raw = sqlite3.connect(tmp_path / "incidents.db")
    try:
        rows = raw.execute(
            "SELECT seq, kind, actor, at, payload FROM events ORDER BY seq"
        ).fetchall()
    finally:
        raw.close()
    assert rows[1] == (
        2,
        inc.NOTE_ADDED,
        "bob",
        "2025-03-01T23:58:00.000000+00:00",
        '{"text": "héllo"}',
    )


async def test_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as raised:
        await open_store(tmp_path / "nope" / "incidents.db")
    message = str(raised.value)
    assert "nope" in message and "\n" not in message


async def test_unwritable_directory_is_a_store_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if _can_write(locked):
            pytest.skip("running as a user who ignores permissions")
        with pytest.raises(StoreError):
            await open_store(locked / "incidents.db")
    finally:
        locked.chmod(0o700)


def _can_write(directory: Path) -> bool:
    try:
        (directory / "probe").write_text("")
    except OSError:
        return False
    (directory / "probe").unlink()
    return True


async def test_schema_is_versioned_wal_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "incidents.db"
    async with await open_store(path) as store:
        declared = await store.declare(title="a", severity="P1", actor="ann")
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
    async with await open_store(path) as store:
        assert [s.id for s in await store.list_incidents()] == [declared.incident_id]
        appended = await store.append(
            declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="a"
        )
        assert appended.seq == 2


async def test_database_from_a_newer_warroom_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "incidents.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        await open_store(path)


async def test_a_newer_database_opened_to_read_says_it_is_newer(tmp_path: Path) -> None:
    # Reading commands open read-only; "open it once with a command that writes" would
    # send the user round in a circle, since writing refuses a newer schema too.
    path = tmp_path / "incidents.db"
    async with await open_store(path) as store:
        await store.declare(title="a", severity="P1", actor="ann")
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(NewerSchema, match="newer warroom"):
        await open_store(path, create=False, read_only=True)
    with pytest.raises(NewerSchema):
        await open_store(path)


async def test_follow_yields_local_appends_without_waiting_for_a_poll(store: EventStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    # an hour-long poll interval: only the local wake-up can deliver these in time
    feed = store.follow(declared.incident_id, after_seq=0)
    first = await asyncio.wait_for(anext(feed), 5)
    assert [e.seq for e in first] == [1]
    pending = asyncio.ensure_future(anext(feed))
    await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="a")
    batch = await asyncio.wait_for(pending, 5)
    assert [(e.seq, e.kind) for e in batch] == [(2, inc.NOTE_ADDED)]
    await feed.aclose()


async def test_archiving_thousands_of_lines_is_cheap(store: EventStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    batch = [
        (T0, "backend", f"2025-03-01T23:58:00Z app[abc] ams [info] request {n} ok")
        for n in range(5000)
    ]
    started = time.perf_counter()
    for _ in range(4):
        await store.archive_log_lines(declared.incident_id, batch, cap=12_000)
    elapsed = time.perf_counter() - started
    assert len(await store.log_lines(declared.incident_id, limit=100_000)) == 12_000
    # 20k lines in 4 batches, the last two trimming: generous bound for a shared CI core
    assert elapsed < 5, f"archiving took {elapsed:.2f}s"


async def test_closing_ends_followers_without_waiting_for_a_poll(tmp_path: Path) -> None:
    store = await open_sqlite_store(tmp_path / "incidents.db", follow_poll_seconds=3600)
    declared = await store.declare(title="a", severity="P1", actor="a")
    feed = store.follow(declared.incident_id, after_seq=0)
    assert [e.seq for e in await asyncio.wait_for(anext(feed), 5)] == [1]
    pending = asyncio.ensure_future(anext(feed))  # now waiting for more, for up to an hour
    await store.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, 5)


async def test_log_lines_of_an_archive_from_before_blocks_survive_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "incidents.db"
    raw = sqlite3.connect(path)
    try:
        for migration in MIGRATIONS[:2]:  # the schema as it was when a row held one line
            raw.executescript(migration)
        raw.execute("PRAGMA user_version = 2")
        raw.execute(
            "INSERT INTO incidents (id, day, number, title, severity, declared_at,"
            " last_event_at, log_count) VALUES ('INC-20260101-001', '2026-01-01', 1, 't', 'P1',"
            " '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', 3)"
        )
        raw.executemany(
            "INSERT INTO log_lines (incident_id, logged_at, source, line) VALUES (?, ?, ?, ?)",
            [
                ("INC-20260101-001", "2026-01-01T00:00:01.000000+00:00", "api", "one"),
                ("INC-20260101-001", "2026-01-01T00:00:02.000000+00:00", "db", "two"),
                ("INC-20260101-001", "2026-01-01T00:00:03.000000+00:00", "api", "three"),
            ],
        )
        raw.commit()
    finally:
        raw.close()
    async with await open_store(path) as store:
        second = datetime(2026, 1, 1, 0, 0, 2, tzinfo=UTC)
        assert [line for _, _, line in await store.log_lines("INC-20260101-001")] == [
            "one",
            "two",
            "three",
        ]
        assert (await store.newest_log_lines("INC-20260101-001"))["db"] == (second, "two")
        found = await store.search_log_lines("INC-20260101-001", FilterSpec(("t",)).compile())
        assert found.rows == [
            (second, "db", "two"),
            (second + timedelta(seconds=1), "api", "three"),
        ]
        # the cap still counts the migrated lines
        await store.archive_log_lines("INC-20260101-001", [(second, "api", "four")], cap=3)
        assert [line for _, _, line in await store.log_lines("INC-20260101-001")] == [
            "two",
            "three",
            "four",
        ]


async def test_a_flood_is_kept_in_few_compressed_blocks(store: EventStore, tmp_path: Path) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    line = "2025-03-01T23:58:00Z app[abc] ams [info] request {} ok"
    rows = [(T0, "backend", line.format(n)) for n in range(10_000)]
    await store.archive_log_lines(declared.incident_id, rows, cap=7_500)
    raw = sqlite3.connect(tmp_path / "incidents.db")
    try:
        blocks, stored = raw.execute(
            "SELECT count(*), sum(length(body)) FROM log_blocks"
        ).fetchone()
    finally:
        raw.close()
    assert blocks == 1 and stored < sum(len(r[2]) for r in rows[-7_500:]) / 5
    kept = await store.log_lines(declared.incident_id, limit=10_000)
    assert kept == rows[-7_500:]


async def test_a_search_never_decompresses_a_block_it_rules_out(
    store: EventStore, tmp_path: Path
) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    minute = timedelta(minutes=1)
    for n, source in enumerate(("api", "db", "api", "db")):
        chunk = LogChunk(source, [f"{source} {n} timeout"], [(T0 + n * minute, 1)])
        await store.archive_log_chunks(declared.incident_id, [chunk])
    raw = sqlite3.connect(tmp_path / "incidents.db")
    try:  # a body no one could decompress: a search that reads it fails
        raw.execute(
            "UPDATE log_blocks SET body = x'00' WHERE source = 'db' OR first_at LIKE '%:58:%'"
        )
        raw.commit()
    finally:
        raw.close()

    async def lines(query: str, since: datetime | None = None) -> list[str]:
        selector = FilterSpec().with_query(query).compile()
        found = await store.search_log_lines(declared.incident_id, selector, since=since)
        return [line for _, _, line in found.rows]

    assert await lines("src:api timeout", since=T0 + minute) == ["api 2 timeout"]
    with pytest.raises(zlib.error):
        await store.search_log_lines(declared.incident_id, NO_FILTER)
