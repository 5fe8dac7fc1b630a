"""The SQLite event store, on real files, with real second processes where it matters."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from warroom import incident as inc
from warroom.store import EventStore, StoreError, UnknownIncident, open_store
from warroom.store.sqlite import SqliteStore, open_sqlite_store
from warroom.store.sqlite_schema import SCHEMA_VERSION

T0 = datetime(2025, 3, 1, 23, 58, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    # A poll an hour apart: a test passes only if local writes wake followers themselves.
    opened = await open_sqlite_store(tmp_path / "incidents.db", follow_poll_seconds=3600)
    yield opened
    await opened.close()


async def test_declare_numbers_incidents_per_utc_day(store: SqliteStore) -> None:
    first = await store.declare(title="a", severity="P1", actor="ann", at=T0)
    second = await store.declare(
        title="b", severity="P2", actor="bob", at=T0 + timedelta(minutes=1)
    )
    next_day = await store.declare(
        title="c", severity="P3", actor="cy", at=T0 + timedelta(minutes=3)
    )
    # a local (non-UTC) time is numbered by its UTC day
    local = datetime(2025, 3, 2, 0, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))
    fourth = await store.declare(title="d", severity="P3", actor="cy", at=local)
    assert [e.incident_id for e in (first, second, next_day, fourth)] == [
        "INC-20250301-001",
        "INC-20250301-002",
        "INC-20250302-001",
        "INC-20250302-002",
    ]
    assert first.seq == 1 and first.kind == inc.DECLARED
    assert first.payload == {"title": "a", "severity": "P1"} and first.actor == "ann"


async def test_append_is_committed_and_visible_to_another_connection(
    store: SqliteStore, tmp_path: Path
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


async def test_events_round_trip_and_after_seq(store: SqliteStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="ann", at=T0)
    pinned_at = datetime(2025, 3, 1, 23, 59, 1, 500, tzinfo=UTC)
    await store.append(
        declared.incident_id,
        inc.LOG_PINNED,
        {"source": "backend", "line": "ERR", "logged_at": pinned_at},
        actor="ann",
        at=T0,
    )
    await store.append(declared.incident_id, inc.ITEM_TICKED, {"item_id": "x"}, actor="bob")
    events = await store.events(declared.incident_id)
    assert [e.seq for e in events] == [1, 2, 3]
    assert inc.parse_time(events[1].payload["logged_at"]) == pinned_at
    assert [e.seq for e in await store.events(declared.incident_id, after_seq=2)] == [3]
    assert all(e.at.tzinfo is not None for e in events)


async def test_bad_input_is_refused(store: SqliteStore) -> None:
    with pytest.raises(UnknownIncident):
        await store.append("INC-20990101-001", inc.NOTE_ADDED, {"text": "x"}, actor="a")
    with pytest.raises(UnknownIncident):
        await store.incident("INC-20990101-001")
    with pytest.raises(ValueError, match="timezone"):
        await store.declare(title="a", severity="P1", actor="a", at=datetime(2025, 1, 1))
    assert await store.list_incidents() == []  # the failed declare left nothing behind


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


async def test_summaries_follow_severity_status_and_retraction(store: SqliteStore) -> None:
    old = await store.declare(title="old", severity="P3", actor="a", at=T0)
    new = await store.declare(title="new", severity="P2", actor="a", at=T0 + timedelta(hours=1))
    assert [s.id for s in await store.list_incidents()] == [new.incident_id, old.incident_id]
    assert (await store.active_incident()).id == new.incident_id  # type: ignore[union-attr]

    change = await store.append(
        new.incident_id,
        inc.SEVERITY_CHANGED,
        {"from": "P2", "to": "P0"},
        actor="a",
        at=T0 + timedelta(hours=2),
    )
    summary = await store.incident(new.incident_id)
    assert summary.severity == "P0" and summary.last_event_at == T0 + timedelta(hours=2)
    await store.append(new.incident_id, inc.ENTRY_RETRACTED, {"target_seq": change.seq}, actor="a")
    assert (await store.incident(new.incident_id)).severity == "P2"

    await store.append(new.incident_id, inc.RESOLVED, {}, actor="a")
    assert (await store.incident(new.incident_id)).status == "resolved"
    assert (await store.active_incident()).id == old.incident_id  # type: ignore[union-attr]
    await store.append(old.incident_id, inc.RESOLVED, {}, actor="a")
    assert await store.active_incident() is None
    await store.append(new.incident_id, inc.REOPENED, {}, actor="a")
    assert (await store.active_incident()).id == new.incident_id  # type: ignore[union-attr]


async def test_follow_yields_local_appends_without_waiting_for_a_poll(store: SqliteStore) -> None:
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


def _python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code), *args]


APPEND_NOTES = """
    import asyncio, sys
    from pathlib import Path
    from warroom.store import open_store

    async def main():
        async with await open_store(Path(sys.argv[1])) as store:
            for n in range(int(sys.argv[3])):
                text = f"from afar {n}"
                await store.append(sys.argv[2], "note.added", {"text": text}, actor="other")

    asyncio.run(main())
"""


async def test_follow_sees_events_written_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "incidents.db"
    async with await open_sqlite_store(path, follow_poll_seconds=0.02) as store:
        declared = await store.declare(title="a", severity="P1", actor="a")
        feed = store.follow(declared.incident_id, after_seq=1)
        pending = asyncio.ensure_future(anext(feed))
        process = await asyncio.create_subprocess_exec(
            *_python(APPEND_NOTES, str(path), declared.incident_id, "3")
        )
        assert await process.wait() == 0
        seen: list[inc.Event] = []
        seen.extend(await asyncio.wait_for(pending, 10))
        while len(seen) < 3:
            seen.extend(await asyncio.wait_for(anext(feed), 10))
        assert [(e.seq, e.actor, e.payload["text"]) for e in seen] == [
            (2, "other", "from afar 0"),
            (3, "other", "from afar 1"),
            (4, "other", "from afar 2"),
        ]
        await feed.aclose()


DECLARE_MANY = """
    import asyncio, sys
    from datetime import datetime
    from pathlib import Path
    from warroom.store import open_store

    async def main():
        async with await open_store(Path(sys.argv[1])) as store:
            at = datetime.fromisoformat(sys.argv[2])
            print("ready", flush=True)
            sys.stdin.readline()  # the test releases every process at once
            for _ in range(int(sys.argv[3])):
                event = await store.declare(title="race", severity="P1", actor="p", at=at)
                print(event.incident_id, flush=True)

    asyncio.run(main())
"""


def test_two_processes_declaring_at_once_get_distinct_ids(tmp_path: Path) -> None:
    path = tmp_path / "incidents.db"
    sqlite3.connect(path).close()
    count = 25
    processes = [
        subprocess.Popen(
            _python(DECLARE_MANY, str(path), T0.isoformat(), str(count)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    ids: list[str] = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        ids.extend(out.split())
    assert len(ids) == 2 * count
    assert sorted(ids) == [f"INC-20250301-{n:03d}" for n in range(1, 2 * count + 1)]


async def test_archive_keeps_the_newest_lines_up_to_the_cap(store: SqliteStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    rows = [(T0 + timedelta(seconds=n), "backend", f"line {n}") for n in range(10)]
    assert await store.archive_log_lines(declared.incident_id, rows[:6], cap=8) == 6
    assert await store.archive_log_lines(declared.incident_id, rows[6:], cap=8) == 4
    kept = await store.log_lines(declared.incident_id)
    assert [line for _, _, line in kept] == [f"line {n}" for n in range(2, 10)]
    assert kept[0][0] == T0 + timedelta(seconds=2) and kept[0][1] == "backend"
    # a batch larger than the cap keeps its own newest lines
    assert await store.archive_log_lines(declared.incident_id, rows, cap=3) == 3
    assert [line for _, _, line in await store.log_lines(declared.incident_id)] == [
        "line 7",
        "line 8",
        "line 9",
    ]
    with pytest.raises(UnknownIncident):
        await store.archive_log_lines("INC-20990101-001", rows)


async def test_log_search_is_literal_case_insensitive_and_limited(store: SqliteStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    lines = ["ERROR 100% cpu", "error in a_b", "info ok", "Error again", "errorXinXab"]
    await store.archive_log_lines(declared.incident_id, [(T0, "mcp", line) for line in lines])
    found = await store.log_lines(declared.incident_id, search="error")
    assert [line for _, _, line in found] == [
        "ERROR 100% cpu",
        "error in a_b",
        "Error again",
        "errorXinXab",
    ]
    assert [line for _, _, line in await store.log_lines(declared.incident_id, search="100%")] == [
        "ERROR 100% cpu"
    ]
    assert [line for _, _, line in await store.log_lines(declared.incident_id, search="a_b")] == [
        "error in a_b"
    ]
    # the newest matches, still oldest first
    assert [
        line for _, _, line in await store.log_lines(declared.incident_id, search="err", limit=2)
    ] == [
        "Error again",
        "errorXinXab",
    ]


async def test_archiving_thousands_of_lines_is_cheap(store: SqliteStore) -> None:
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


def test_sqlite_store_satisfies_the_protocol() -> None:
    # every protocol member exists on SqliteStore, so callers typed against EventStore work
    members = [name for name in vars(EventStore) if not name.startswith("_")]
    assert "follow" in members and "declare" in members
    assert all(callable(getattr(SqliteStore, name, None)) for name in members)


async def test_concurrent_tasks_can_append_through_one_store(store: SqliteStore) -> None:
    # the UI ticking while the health worker records a change: two writers, one connection
    declared = await store.declare(title="a", severity="P1", actor="a")
    feed = store.follow(declared.incident_id, after_seq=1)
    appended = await asyncio.gather(
        *(
            store.append(declared.incident_id, inc.NOTE_ADDED, {"text": str(n)}, actor="a")
            for n in range(20)
        ),
        *(store.archive_log_lines(declared.incident_id, [(T0, "s", "x")]) for _ in range(5)),
    )
    assert sorted(e.seq for e in appended[:20] if isinstance(e, inc.Event)) == list(range(2, 22))
    assert appended[20:] == [1] * 5
    seen: list[inc.Event] = []
    while len(seen) < 20:
        seen.extend(await asyncio.wait_for(anext(feed), 5))
    assert [e.seq for e in seen] == list(range(2, 22))
    await feed.aclose()


async def test_follow_ends_when_the_store_closes(tmp_path: Path) -> None:
    store = await open_sqlite_store(tmp_path / "incidents.db", follow_poll_seconds=3600)
    declared = await store.declare(title="a", severity="P1", actor="a")
    feed = store.follow(declared.incident_id, after_seq=0)
    assert [e.seq for e in await asyncio.wait_for(anext(feed), 5)] == [1]
    pending = asyncio.ensure_future(anext(feed))  # now waiting for more, for up to an hour
    await store.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, 5)


async def test_writing_to_a_closed_store_is_a_store_error(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "incidents.db")
    declared = await store.declare(title="a", severity="P1", actor="a")
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "late"}, actor="a")


async def test_append_many_commits_in_order_or_not_at_all(store: SqliteStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    notes = [(inc.NOTE_ADDED, {"text": f"n{n}"}) for n in range(3)]
    appended = await store.append_many(declared.incident_id, notes, actor="bot")
    assert [e.seq for e in appended] == [2, 3, 4]
    stored = await store.events(declared.incident_id, after_seq=1)
    assert [e.payload["text"] for e in stored] == ["n0", "n1", "n2"]
    with pytest.raises(UnknownIncident):
        await store.append_many("INC-20000101-001", notes, actor="bot")
    bad = [(inc.NOTE_ADDED, {"text": "kept?"}), (inc.NOTE_ADDED, {"when": object()})]
    with pytest.raises(TypeError):
        await store.append_many(declared.incident_id, bad, actor="bot")
    assert len(await store.events(declared.incident_id)) == 4  # the first of `bad` rolled back
