"""What every `EventStore` promises, checked through the protocol and `open_store` alone.

Each test takes `stores`, a factory of stores on one fresh database, parametrised by backend:
a backend joins the suite by adding to `BACKENDS` a context that makes a fresh, empty database
and yields its `open_store` target. Nothing here may know how a backend keeps its events;
backend-specific checks (files, schema versions, poll intervals) belong in that backend's tests.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, aclosing, asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import fresh_database
from tests.support.times import NEAR_MIDNIGHT as T0
from warroom import incident as inc
from warroom.logchunks import LogChunk
from warroom.logs.filter import NO_FILTER, FilterSpec
from warroom.store import (
    MAX_COMMAND_OUTPUT_BYTES,
    AlreadyStored,
    DeclaredMeanwhile,
    DuplicateEvent,
    EventStore,
    IncidentSummary,
    NotCapturer,
    StoreError,
    UnknownIncident,
    open_store,
)

MISSING = "INC-20990101-001"
"""An incident id no test declares."""

WAIT = 20.0
"""Seconds to wait for a follower's next batch before failing (a bound, never a pause)."""

LEASE = timedelta(seconds=10)
"""A capture lease in these tests; they move `at` past it rather than wait it out."""

Database = Callable[[Path], AbstractAsyncContextManager[str]]
"""Makes a fresh, empty database for one test and yields the target `open_store` takes."""


@asynccontextmanager
async def sqlite_database(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite://{tmp_path / 'incidents.db'}"


@asynccontextmanager
async def postgresql_database(_tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database() as target:
        yield target


BACKENDS: dict[str, Database] = {"sqlite": sqlite_database, "postgresql": postgresql_database}


class StoreFactory:
    """Opens stores, each its own connection, on one database; closes them after the test."""

    def __init__(self, target: str) -> None:
        self.target = target
        """What `open_store` takes; a second process opens the same database with it."""
        self._opened: list[EventStore] = []

    async def __call__(self) -> EventStore:
        store = await open_store(self.target)
        self._opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self._opened:
            await store.close()


@pytest.fixture(params=sorted(BACKENDS))
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    async with BACKENDS[request.param](tmp_path) as target:
        factory = StoreFactory(target)
        try:
            yield factory
        finally:
            await factory.close_all()


@pytest.fixture
async def store(stores: StoreFactory) -> EventStore:
    return await stores()


async def declare_many(store: EventStore, count: int, *, at: datetime = T0) -> list[str]:
    """Declare `count` incidents one after another; their ids in the order they were given."""
    return [
        (await store.declare(title="race", severity="P1", actor="p", at=at)).incident_id
        for _ in range(count)
    ]


def day_ids(day: str, count: int) -> list[str]:
    """The first `count` incident ids of a UTC day, "20250301" style: no gaps, no repeats."""
    return [f"INC-{day}-{n:03d}" for n in range(1, count + 1)]


async def collect(feed: AsyncGenerator[list[inc.Event], None], count: int) -> list[inc.Event]:
    """The follower's next batches until at least `count` events have come."""
    seen: list[inc.Event] = []
    while len(seen) < count:
        seen.extend(await asyncio.wait_for(anext(feed), WAIT))
    return seen


def python(code: str, *args: str) -> list[str]:
    """argv running `code` in a fresh interpreter: another process on the same database."""
    return [sys.executable, "-c", textwrap.dedent(code), *args]


# --- the protocol's shape


async def test_every_protocol_member_is_there(store: EventStore) -> None:
    # every protocol member exists on the store, so callers typed against EventStore work
    members = [name for name in vars(EventStore) if not name.startswith("_")]
    assert "follow" in members and "declare" in members
    assert all(callable(getattr(store, name, None)) for name in members)


# --- incident ids


async def test_declare_numbers_incidents_per_utc_day(store: EventStore) -> None:
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
    # ... and so is one whose local date is still the day before
    evening = datetime(2025, 3, 2, 1, 0, tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))
    assert evening.day == 1
    fifth = await store.declare(title="e", severity="P3", actor="cy", at=evening)
    assert fifth.incident_id == "INC-20250302-003"
    assert first.seq == 1 and first.kind == inc.DECLARED
    assert first.payload == {"title": "a", "severity": "P1"} and first.actor == "ann"
    assert await store.events(first.incident_id) == [first]


async def test_concurrent_declares_through_several_stores_get_every_number_once(
    stores: StoreFactory,
) -> None:
    opened = [await stores() for _ in range(4)]
    per_store = 10
    given = await asyncio.gather(*(declare_many(store, per_store) for store in opened))
    ids = [incident_id for ids in given for incident_id in ids]
    assert sorted(ids) == day_ids("20250301", 4 * per_store)
    # each store saw its own numbers rise, and every store lists all of them
    assert all(ids == sorted(ids) for ids in given)
    for store in opened:
        assert sorted(s.id for s in await store.list_incidents()) == sorted(ids)


DECLARE_MANY = """
    import asyncio, sys
    from datetime import datetime
    from warroom.store import open_store

    async def main():
        async with await open_store(sys.argv[1]) as store:
            at = datetime.fromisoformat(sys.argv[2])
            print("ready", flush=True)
            sys.stdin.readline()  # the test releases every process at once
            for _ in range(int(sys.argv[3])):
                event = await store.declare(title="race", severity="P1", actor="p", at=at)
                print(event.incident_id, flush=True)

    asyncio.run(main())
"""


async def test_two_processes_declaring_at_once_get_distinct_ids(
    stores: StoreFactory, store: EventStore
) -> None:
    # `store` has made the database; this process declares too, while the other two do
    count = 25
    processes = [
        await asyncio.create_subprocess_exec(
            *python(DECLARE_MANY, stores.target, T0.isoformat(), str(count)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None
        assert (await asyncio.wait_for(process.stdout.readline(), WAIT)).strip() == b"ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    outputs, ours = await asyncio.wait_for(
        asyncio.gather(
            asyncio.gather(*(process.communicate() for process in processes)),
            declare_many(store, count),
        ),
        60,
    )
    assert [process.returncode for process in processes] == [0, 0]
    theirs = [line.decode() for out, _ in outputs for line in out.split()]
    assert len(theirs) == 2 * count
    assert sorted(theirs + ours) == day_ids("20250301", 3 * count)


# --- appending and reading


async def test_events_round_trip_and_after_seq(store: EventStore) -> None:
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


async def test_an_appended_event_reads_back_as_it_was_returned(stores: StoreFactory) -> None:
    writer, reader = await stores(), await stores()
    declared = await writer.declare(title="a", severity="P1", actor="ann", at=T0)
    # a non-UTC time with microseconds; a payload of every JSON shape, and non-ASCII text
    at = datetime(2025, 3, 2, 4, 5, 6, 789_012, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    payload = {
        "text": "héllo ✓ — 火",
        "n": 3,
        "ratio": 0.25,
        "ok": True,
        "none": None,
        "list": [1, "two", {"three": 3}],
        "nested": {"a": {"b": []}},
    }
    appended = await writer.append(
        declared.incident_id, inc.NOTE_ADDED, payload, actor="bob ✓", at=at
    )
    assert (appended.seq, appended.incident_id, appended.kind) == (
        2,
        declared.incident_id,
        inc.NOTE_ADDED,
    )
    assert appended.actor == "bob ✓" and appended.payload == payload
    assert appended.at == at and appended.at.utcoffset() == timedelta(0)  # kept in UTC
    # read back through another connection: the same events, field for field
    assert await reader.events(declared.incident_id) == [declared, appended]
    assert await reader.events(declared.incident_id, after_seq=1) == [appended]
    assert await reader.events(declared.incident_id, after_seq=2) == []


async def test_concurrent_appends_through_several_stores_get_every_seq_once(
    stores: StoreFactory,
) -> None:
    opened = [await stores() for _ in range(3)]
    declared = await opened[0].declare(title="a", severity="P1", actor="a")
    appended = await asyncio.gather(
        *(
            store.append(declared.incident_id, inc.NOTE_ADDED, {"text": f"{n}.{m}"}, actor=f"{n}")
            for m in range(10)
            for n, store in enumerate(opened)
        )
    )
    assert sorted(e.seq for e in appended) == list(range(2, 32))
    # one order for every reader: by seq, each event as its writer was told
    expected = [declared, *sorted(appended, key=lambda e: e.seq)]
    for store in opened:
        assert await store.events(declared.incident_id) == expected


async def test_concurrent_tasks_can_append_through_one_store(store: EventStore) -> None:
    # the UI ticking while the health worker records a change: two writers, one connection
    declared = await store.declare(title="a", severity="P1", actor="a")
    async with aclosing(store.follow(declared.incident_id, after_seq=1)) as feed:
        appended = await asyncio.gather(
            *(
                store.append(declared.incident_id, inc.NOTE_ADDED, {"text": str(n)}, actor="a")
                for n in range(20)
            ),
            *(store.archive_log_lines(declared.incident_id, [(T0, "s", "x")]) for _ in range(5)),
        )
        assert sorted(e.seq for e in appended[:20] if isinstance(e, inc.Event)) == list(
            range(2, 22)
        )
        assert appended[20:] == [1] * 5
        seen = await collect(feed, 20)
        assert [e.seq for e in seen] == list(range(2, 22))


async def test_append_many_commits_in_order_or_not_at_all(store: EventStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    notes = [(inc.NOTE_ADDED, {"text": f"n{n}"}) for n in range(3)]
    appended = await store.append_many(declared.incident_id, notes, actor="bot", at=T0)
    assert [e.seq for e in appended] == [2, 3, 4]
    assert {(e.actor, e.at) for e in appended} == {("bot", T0)}
    stored = await store.events(declared.incident_id, after_seq=1)
    assert [e.payload["text"] for e in stored] == ["n0", "n1", "n2"]
    assert stored == appended
    with pytest.raises(UnknownIncident):
        await store.append_many("INC-20000101-001", notes, actor="bot")
    bad: list[tuple[str, Mapping[str, Any]]] = [
        (inc.NOTE_ADDED, {"text": "kept?"}),
        (inc.NOTE_ADDED, {"when": object()}),
    ]
    with pytest.raises(TypeError):
        await store.append_many(declared.incident_id, bad, actor="bot")
    assert len(await store.events(declared.incident_id)) == 4  # the first of `bad` rolled back
    # and the seq it would have taken is the next one given
    after = await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "n4"}, actor="a")
    assert after.seq == 5


# --- following


async def test_follow_yields_what_comes_after_after_seq_in_order(store: EventStore) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    for text in ("old", "new"):
        await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": text}, actor="a")
    async with aclosing(store.follow(declared.incident_id, after_seq=2)) as feed:
        first = await asyncio.wait_for(anext(feed), WAIT)
        assert [(e.seq, e.payload["text"]) for e in first] == [(3, "new")]
        pending = asyncio.ensure_future(anext(feed))  # waiting before anything is appended
        await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "a"}, actor="a")
        await store.append_many(
            declared.incident_id, [(inc.NOTE_ADDED, {"text": t}) for t in "bc"], actor="a"
        )
        seen = list(await asyncio.wait_for(pending, WAIT))
        seen.extend(await collect(feed, 3 - len(seen)))
        assert [(e.seq, e.payload["text"]) for e in seen] == [(4, "a"), (5, "b"), (6, "c")]
        assert seen == await store.events(declared.incident_id, after_seq=3)


async def test_follow_sees_events_appended_through_another_store(stores: StoreFactory) -> None:
    follower, writer = await stores(), await stores()
    declared = await writer.declare(title="a", severity="P1", actor="a")
    async with aclosing(follower.follow(declared.incident_id, after_seq=1)) as feed:
        pending = asyncio.ensure_future(anext(feed))
        for n in range(3):
            await writer.append(declared.incident_id, inc.NOTE_ADDED, {"text": f"{n}"}, actor="w")
        seen = list(await asyncio.wait_for(pending, WAIT))
        seen.extend(await collect(feed, 3 - len(seen)))
        assert [(e.seq, e.actor, e.payload["text"]) for e in seen] == [
            (2, "w", "0"),
            (3, "w", "1"),
            (4, "w", "2"),
        ]


APPEND_NOTES = """
    import asyncio, sys
    from warroom.store import open_store

    async def main():
        async with await open_store(sys.argv[1]) as store:
            for n in range(int(sys.argv[3])):
                text = f"from afar {n}"
                await store.append(sys.argv[2], "note.added", {"text": text}, actor="other")

    asyncio.run(main())
"""


async def test_follow_sees_events_written_by_another_process(
    stores: StoreFactory, store: EventStore
) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    async with aclosing(store.follow(declared.incident_id, after_seq=1)) as feed:
        pending = asyncio.ensure_future(anext(feed))
        process = await asyncio.create_subprocess_exec(
            *python(APPEND_NOTES, stores.target, declared.incident_id, "3")
        )
        assert await asyncio.wait_for(process.wait(), 60) == 0
        seen = list(await asyncio.wait_for(pending, WAIT))
        seen.extend(await collect(feed, 3 - len(seen)))
        assert [(e.seq, e.actor, e.payload["text"]) for e in seen] == [
            (2, "other", "from afar 0"),
            (3, "other", "from afar 1"),
            (4, "other", "from afar 2"),
        ]


async def test_a_writer_killed_mid_burst_leaves_every_event_whole_and_numbered(
    stores: StoreFactory, store: EventStore
) -> None:
    declared = await store.declare(title="a", severity="P1", actor="a")
    async with aclosing(store.follow(declared.incident_id, after_seq=1)) as feed:
        process = await asyncio.create_subprocess_exec(
            *python(APPEND_NOTES, stores.target, declared.incident_id, "100000")
        )
        try:
            await collect(feed, 50)  # well into its burst
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
    events = await store.events(declared.incident_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.payload["text"] for e in events[1:]] == [
        f"from afar {n}" for n in range(len(events) - 1)
    ]
    after = await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="a")
    assert after.seq == len(events) + 1


async def test_closing_the_store_ends_every_follower(stores: StoreFactory) -> None:
    store = await open_store(stores.target)  # closed here, not by the factory
    declared = await store.declare(title="a", severity="P1", actor="a")
    other = await store.declare(title="b", severity="P2", actor="a")
    feeds = [store.follow(declared.incident_id), store.follow(other.incident_id)]
    for feed in feeds:
        assert [e.seq for e in await asyncio.wait_for(anext(feed), WAIT)] == [1]
    pending = [asyncio.ensure_future(anext(feed)) for feed in feeds]  # now waiting for more
    await store.close()
    for waiting in pending:
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiting, WAIT)


# --- errors


async def test_bad_input_is_refused(store: EventStore) -> None:
    with pytest.raises(UnknownIncident):
        await store.append(MISSING, inc.NOTE_ADDED, {"text": "x"}, actor="a")
    with pytest.raises(UnknownIncident):
        await store.incident(MISSING)
    with pytest.raises(ValueError, match="timezone"):
        await store.declare(title="a", severity="P1", actor="a", at=datetime(2025, 1, 1))
    assert await store.list_incidents() == []  # the failed declare left nothing behind


async def test_every_call_on_an_unknown_incident_names_it(store: EventStore) -> None:
    await store.declare(title="a", severity="P1", actor="a")  # a store that is not empty
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "append": lambda: store.append(MISSING, inc.NOTE_ADDED, {"text": "x"}, actor="a"),
        "append_many": lambda: store.append_many(
            MISSING, [(inc.NOTE_ADDED, {"text": "x"})], actor="a"
        ),
        "incident": lambda: store.incident(MISSING),
        "archive_log_lines": lambda: store.archive_log_lines(MISSING, [(T0, "s", "x")]),
        "log_lines": lambda: store.log_lines(MISSING),
        "append_after": lambda: store.append_after(
            MISSING, 0, inc.NOTE_ADDED, {"text": "x"}, actor="a"
        ),
        "claim_capture": lambda: store.claim_capture(MISSING, "me", lease=LEASE),
        "release_capture": lambda: store.release_capture(MISSING, "me"),
        "newest_log_lines": lambda: store.newest_log_lines(MISSING),
        "search_log_lines": lambda: store.search_log_lines(MISSING, NO_FILTER),
    }
    for name, call in calls.items():
        with pytest.raises(UnknownIncident) as raised:
            await call()
        assert raised.value.args[0] == MISSING, name
        assert isinstance(raised.value, LookupError), name
    assert [s.title for s in await store.list_incidents()] == ["a"]  # nothing was created


async def test_writing_to_a_closed_store_is_a_store_error(stores: StoreFactory) -> None:
    async with await open_store(stores.target) as store:
        declared = await store.declare(title="a", severity="P1", actor="a")
    with pytest.raises(StoreError, match="closed") as raised:
        await store.append(declared.incident_id, inc.NOTE_ADDED, {"text": "late"}, actor="a")
    assert "\n" not in str(raised.value)  # one sentence for the user
    # the store that closed refuses; the database still has the incident
    reopened = await stores()
    assert [e.seq for e in await reopened.events(declared.incident_id)] == [1]


# --- the log-line archive


async def test_archive_keeps_the_newest_lines_up_to_the_cap(store: EventStore) -> None:
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


async def test_the_archive_is_per_incident_and_seen_by_every_store(stores: StoreFactory) -> None:
    writer, reader = await stores(), await stores()
    first = await writer.declare(title="a", severity="P1", actor="a")
    second = await writer.declare(title="b", severity="P1", actor="a")
    local = datetime(2025, 3, 2, 5, 0, 0, 250, tzinfo=timezone(timedelta(hours=5)))
    rows = [(local, "api", f"first {n}") for n in range(4)]
    assert await writer.archive_log_lines(first.incident_id, rows, cap=4) == 4
    assert await reader.archive_log_lines(second.incident_id, [(T0, "db", "second")], cap=1) == 1
    # the second incident's cap of one dropped nothing of the first's
    assert await reader.log_lines(first.incident_id) == rows
    assert await writer.log_lines(second.incident_id) == [(T0, "db", "second")]
    assert all(
        at.utcoffset() == timedelta(0) for at, _, _ in await reader.log_lines(first.incident_id)
    )
    assert await reader.log_lines(first.incident_id, search="second") == []


async def test_log_search_is_literal_case_insensitive_and_limited(store: EventStore) -> None:
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


def fly_line(at: datetime, level: str, message: str) -> str:
    """A line as `fly logs` prints it, colours stripped (as the archive keeps it)."""
    return f"{at:%Y-%m-%dT%H:%M:%SZ} app[0a1b] ams [{level}]{message}"


async def archive_blocks(store: EventStore) -> str:
    """An incident with 30 blocks of 50 lines from api, web and db in turn: block n logged at
    T0 + 2n s (lines 0-24) and 2n + 1 s (25-49), lines 7 and 32 errors that say Timeout."""
    incident_id = (await store.declare(title="a", severity="P1", actor="a")).incident_id
    for n in range(30):
        at = T0 + timedelta(seconds=2 * n)
        lines = [
            fly_line(at, "error", f"block {n} line {i} upstream Timeout")
            if i in (7, 32)
            else fly_line(at, "info", f"block {n} line {i} GET /")
            for i in range(50)
        ]
        chunk = LogChunk(("api", "web", "db")[n % 3], lines, [(at, 25), (at + SECOND, 25)])
        await store.archive_log_chunks(incident_id, [chunk])
    return incident_id


SECOND = timedelta(seconds=1)


async def test_search_runs_the_tail_filter_over_every_block(store: EventStore) -> None:
    incident_id = await archive_blocks(store)

    async def search(query: str, **options: Any) -> tuple[list[str], int]:
        found = await store.search_log_lines(
            incident_id, FilterSpec().with_query(query).compile(), **options
        )
        return [line.split("]", 2)[2] for _, _, line in found.rows], found.total

    errors = [f"block {n} line {i} upstream Timeout" for n in range(30) for i in (7, 32)]
    assert await search("timeout") == (errors, 60)
    assert await search("timeout -block\\s1\\d\\s") == (errors[:20] + errors[40:], 40)
    assert await search("level:warn") == (errors, 60)
    assert (await search("level:error src:db"))[0] == [
        e for e in errors if int(e.split()[1]) % 3 == 2
    ]
    assert (await search("src:db src:api"))[1] == 20 * 50
    assert await search("src:nowhere") == ([], 0)
    assert await search("upstream|line\\s4\\d", limit=3) == (
        [
            "block 0 line 7 upstream Timeout",
            "block 0 line 32 upstream Timeout",
            "block 0 line 40 GET /",
        ],
        30 * 12,
    )
    assert (await search("", limit=2))[1] == 1500


async def test_search_keeps_each_line_time_source_and_the_time_range(store: EventStore) -> None:
    incident_id = await archive_blocks(store)
    found = await store.search_log_lines(
        incident_id,
        FilterSpec().with_query("timeout").compile(),
        since=T0 + 11 * SECOND,  # block 5's second run
        until=T0 + 18 * SECOND,  # block 9's first run
    )
    assert found.total == 8
    assert [(at - T0, source) for at, source, _ in found.rows] == [
        (11 * SECOND, "db"),  # block 5, line 32
        *[
            (t * SECOND, ("api", "web", "db")[n])
            for n in range(3)
            for t in (12 + 2 * n, 13 + 2 * n)
        ],
        (18 * SECOND, "api"),  # block 9, line 7
    ]
    assert all(at.utcoffset() == timedelta(0) for at, _, _ in found.rows)


async def test_search_matches_case_as_the_filter_says(store: EventStore) -> None:
    incident_id = await archive_blocks(store)

    async def total(query: str, *, ignore_case: bool) -> int:
        selector = FilterSpec(ignore_case=ignore_case).with_query(query).compile()
        return (await store.search_log_lines(incident_id, selector)).total

    assert await total("TIMEOUT", ignore_case=True) == 60
    assert await total("TIMEOUT", ignore_case=False) == 0
    assert await total("Timeout", ignore_case=False) == 60
    assert await total("UPSTREAM|nothing", ignore_case=False) == 0


# --- pairing: one capturer of the log lines, writes that check what is there


async def test_one_holder_captures_until_its_lease_runs_out(stores: StoreFactory) -> None:
    first, second = await stores(), await stores()
    incident_id = (await first.declare(title="a", severity="P1", actor="a")).incident_id
    assert await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0)
    assert not await second.claim_capture(incident_id, "bob", lease=LEASE, at=T0)
    # renewing moves the end: bob still cannot take it where the first lease would have ended
    assert await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0 + LEASE / 2)
    assert not await second.claim_capture(incident_id, "bob", lease=LEASE, at=T0 + LEASE)
    # ann stops renewing (she crashed): once the lease is over, bob takes it and ann is out
    assert await second.claim_capture(incident_id, "bob", lease=LEASE, at=T0 + 2 * LEASE)
    assert not await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0 + 2 * LEASE)
    # a release by someone else changes nothing; bob's own frees it for ann at once
    await first.release_capture(incident_id, "ann")
    assert not await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0 + 2 * LEASE)
    await second.release_capture(incident_id, "bob")
    assert await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0 + 2 * LEASE)


async def test_the_lease_is_per_incident(store: EventStore) -> None:
    one, two = await declare_many(store, 2)
    assert await store.claim_capture(one, "ann", lease=LEASE, at=T0)
    assert await store.claim_capture(two, "bob", lease=LEASE, at=T0)


async def test_only_the_lease_holder_archives(stores: StoreFactory) -> None:
    first, second = await stores(), await stores()
    incident_id = (await first.declare(title="a", severity="P1", actor="a")).incident_id
    assert await first.claim_capture(incident_id, "ann", lease=LEASE, at=T0)
    assert await first.archive_log_lines(incident_id, [(T0, "api", "1")], capturer="ann") == 1
    with pytest.raises(NotCapturer):
        await second.archive_log_lines(incident_id, [(T0, "api", "1")], capturer="bob")
    # ann stalled past her lease and bob took over: what ann still had queued is refused
    assert await second.claim_capture(incident_id, "bob", lease=LEASE, at=T0 + LEASE)
    with pytest.raises(NotCapturer):
        await first.archive_log_lines(incident_id, [(T0, "api", "2")], capturer="ann")
    assert await second.archive_log_lines(incident_id, [(T0, "api", "2")], capturer="bob") == 1
    assert [line for _, _, line in await first.log_lines(incident_id)] == ["1", "2"]


async def test_newest_log_lines_says_where_each_source_stopped(store: EventStore) -> None:
    one, two = await declare_many(store, 2)
    assert await store.newest_log_lines(one) == {}
    later = T0 + timedelta(seconds=1)
    rows = [(T0, "api", "a1"), (T0, "db", "d1"), (later, "api", "a2"), (T0, "api", "a3")]
    await store.archive_log_lines(one, rows)
    await store.archive_log_lines(two, [(T0, "api", "other incident")])
    # the last archived, not the latest logged: a capturer resumes after what it wrote last
    assert await store.newest_log_lines(one) == {"api": (T0, "a3"), "db": (T0, "d1")}


async def test_append_after_writes_only_onto_the_newest_event(stores: StoreFactory) -> None:
    first, second = await stores(), await stores()
    declared = await first.declare(title="a", severity="P1", actor="a", at=T0)
    tick = inc.item_ticked("triage:1")
    incident_id = declared.incident_id
    written = await first.append_after(incident_id, 1, tick.kind, tick.payload, actor="ann")
    assert written is not None and written.seq == 2 and written.actor == "ann"
    # bob's terminal had seen only the declaration: its write is refused, nothing is added
    assert await second.append_after(incident_id, 1, tick.kind, tick.payload, actor="bob") is None
    assert [e.seq for e in await second.events(incident_id)] == [1, 2]
    resolve = inc.resolved()
    done = await second.append_after(incident_id, 2, resolve.kind, resolve.payload, actor="bob")
    assert done is not None and (await first.incident(incident_id)).status == "resolved"


async def test_concurrent_append_after_lets_exactly_one_through(stores: StoreFactory) -> None:
    opened = [await stores() for _ in range(4)]
    incident_id = (await opened[0].declare(title="a", severity="P1", actor="a")).incident_id
    tick = inc.item_ticked("triage:1")
    results = await asyncio.gather(
        *(s.append_after(incident_id, 1, tick.kind, tick.payload, actor="p") for s in opened)
    )
    assert sum(result is not None for result in results) == 1
    assert [e.seq for e in await opened[0].events(incident_id)] == [1, 2]


async def test_an_idempotency_key_is_appended_once_whoever_writes_it(
    stores: StoreFactory,
) -> None:
    opened = [await stores() for _ in range(4)]
    one, two = await declare_many(opened[0], 2)
    change = inc.health_changed("api", "up", "down", status=503, reason="503")
    key = "health.changed:api:1"
    results = await asyncio.gather(
        *(
            store.append(one, change.kind, change.payload, actor="auto", key=key)
            for store in opened
        ),
        return_exceptions=True,
    )
    written = [result for result in results if isinstance(result, inc.Event)]
    refused = [result for result in results if isinstance(result, DuplicateEvent)]
    assert len(written) == 1 and len(refused) == 3
    assert all(error.args[0] == key for error in refused)
    assert (await opened[1].events(one))[1:] == written
    # the same key on another incident, another key, or none: each appended
    assert (await opened[1].append(two, change.kind, change.payload, actor="a", key=key)).seq == 2
    later = await opened[2].append(one, change.kind, change.payload, actor="a", key=key + "x")
    plain = await opened[3].append(one, change.kind, change.payload, actor="a")
    assert (later.seq, plain.seq) == (3, 4)


# --- presence: who has the incident open


async def test_presence_says_who_is_here_until_their_announcement_runs_out(
    stores: StoreFactory,
) -> None:
    ann, bob = await stores(), await stores()
    one, two = await declare_many(ann, 2)
    ttl = timedelta(seconds=10)
    await ann.announce(one, "t1", actor="ann", host="laptop", region="logs", ttl=ttl, at=T0)
    await bob.announce(
        one, "t2", actor="bob", host="desk", region="health", ttl=ttl, at=T0 + SECOND
    )
    await bob.announce(two, "t3", actor="bob", host="desk", region="timeline", ttl=ttl, at=T0)
    here = await bob.present(one, at=T0 + 2 * SECOND)
    assert [(p.holder, p.actor, p.host, p.region, p.since) for p in here] == [
        ("t1", "ann", "laptop", "logs", T0),
        ("t2", "bob", "desk", "health", T0 + SECOND),
    ]
    # ann renews, looking elsewhere: her since stays; bob stopped renewing (his process died)
    await ann.announce(
        one, "t1", actor="ann", host="laptop", region="checklist", ttl=ttl, at=T0 + 9 * SECOND
    )
    later = await ann.present(one, at=T0 + 12 * SECOND)
    assert [(p.holder, p.region, p.since) for p in later] == [("t1", "checklist", T0)]
    # leaving is at once
    await ann.depart(one, "t1")
    assert await bob.present(one, at=T0 + 12 * SECOND) == []
    assert [p.holder for p in await ann.present(two, at=T0 + SECOND)] == ["t3"]
    with pytest.raises(UnknownIncident):
        await ann.announce(MISSING, "t1", actor="a", host="h", region="logs", ttl=ttl)


async def test_presence_without_a_time_runs_on_the_stores_clock(store: EventStore) -> None:
    (incident,) = await declare_many(store, 1)
    await store.announce(
        incident, "t1", actor="ann", host="h", region="logs", ttl=timedelta(minutes=1)
    )
    await store.announce(incident, "t2", actor="bob", host="h", region="logs", ttl=-SECOND)
    (here,) = await store.present(incident)
    assert here.holder == "t1" and abs(here.since - datetime.now(UTC)) < timedelta(minutes=1)


async def test_declaring_knowing_the_open_incidents_refuses_a_new_one(
    stores: StoreFactory,
) -> None:
    ann, bob = await stores(), await stores()
    # both looked at an empty store; bob declared first
    theirs = await bob.declare(title="checkout down", severity="P1", actor="bob", known_open=())
    with pytest.raises(DeclaredMeanwhile) as raised:
        await ann.declare(title="checkout broken", severity="P1", actor="ann", known_open=())
    assert [s.id for s in raised.value.incidents] == [theirs.incident_id]
    assert raised.value.incidents[0].title == "checkout down"
    assert [s.id for s in await ann.list_incidents()] == [theirs.incident_id]
    # told of it, ann may still declare a second (another outage); a resolved one never counts
    second = await ann.declare(
        title="mail down", severity="P2", actor="ann", known_open=[theirs.incident_id]
    )
    await bob.append(second.incident_id, inc.RESOLVED, {}, actor="bob")
    await ann.declare(title="dns", severity="P2", actor="ann", known_open=[theirs.incident_id])
    assert len(await ann.list_incidents()) == 3


# --- incident summaries


async def test_summaries_follow_severity_status_and_retraction(store: EventStore) -> None:
    old = await store.declare(title="old", severity="P3", actor="a", at=T0)
    new = await store.declare(title="new", severity="P2", actor="a", at=T0 + timedelta(hours=1))
    assert [s.id for s in await store.list_incidents()] == [new.incident_id, old.incident_id]
    active = await store.active_incident()
    assert active is not None and active.id == new.incident_id

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
    active = await store.active_incident()
    assert active is not None and active.id == old.incident_id
    await store.append(old.incident_id, inc.RESOLVED, {}, actor="a")
    assert await store.active_incident() is None
    await store.append(new.incident_id, inc.REOPENED, {}, actor="a")
    active = await store.active_incident()
    assert active is not None and active.id == new.incident_id


async def test_an_edited_declaration_time_moves_the_summary_and_the_order(
    store: EventStore,
) -> None:
    first = await store.declare(title="first", severity="P2", actor="a", at=T0)
    second = await store.declare(
        title="second", severity="P2", actor="a", at=T0 + timedelta(hours=1)
    )
    # The first was really declared after the second: an edit of its declaration says so.
    edit = inc.entry_edited(first.seq, at=T0 + timedelta(hours=2))
    await store.append(first.incident_id, edit.kind, edit.payload, actor="a")
    assert (await store.incident(first.incident_id)).declared_at == T0 + timedelta(hours=2)
    assert [s.id for s in await store.list_incidents()] == [first.incident_id, second.incident_id]


async def test_a_summary_shows_changes_made_through_another_store(stores: StoreFactory) -> None:
    lister, writer = await stores(), await stores()
    declared = await writer.declare(title="db down", severity="P2", actor="a", at=T0)
    summary = IncidentSummary(
        id=declared.incident_id,
        title="db down",
        severity="P2",
        declared_at=T0,
        status="open",
        last_event_at=T0,
    )
    assert await lister.incident(declared.incident_id) == summary
    assert await lister.list_incidents() == [summary]
    assert await lister.active_incident() == summary

    later = T0 + timedelta(minutes=5)
    await writer.append_many(
        declared.incident_id,
        [(inc.SEVERITY_CHANGED, {"from": "P2", "to": "P1"}), (inc.RESOLVED, {})],
        actor="a",
        at=later,
    )
    resolved = IncidentSummary(
        id=declared.incident_id,
        title="db down",
        severity="P1",
        declared_at=T0,
        status="resolved",
        last_event_at=later,
    )
    assert await lister.incident(declared.incident_id) == resolved
    assert await lister.list_incidents() == [resolved]
    assert await lister.active_incident() is None
    # an event that changes neither still moves last_event_at
    latest = later + timedelta(minutes=1)
    await writer.append(declared.incident_id, inc.NOTE_ADDED, {"text": "x"}, actor="a", at=latest)
    assert (await lister.incident(declared.incident_id)).last_event_at == latest


# --- command output beside its event


def run_payload(name: str = "releases-backend") -> dict[str, Any]:
    new = inc.command_run(
        name,
        ["fly", "releases", "--app", "slurpy-backend"],
        outcome="exited",
        exit_code=0,
        summary="exit 0 after 0.4s",
        duration=0.4,
        output_head="VERSION STATUS",
        output_tail="",
        output_chars=15,
    )
    return dict(new.payload)


async def test_a_command_run_keeps_its_whole_output_beside_the_event(
    stores: StoreFactory,
) -> None:
    writer, reader = await stores(), await stores()
    declared = await writer.declare(title="t", severity="P1", actor="ann", at=T0)
    incident = declared.incident_id
    output = "line ␛[2J\n" * 1000 + "ünïcode end"

    event = await writer.append_command_run(
        incident, run_payload(), output, actor="ann", at=T0 + timedelta(seconds=5)
    )

    assert (event.seq, event.kind, event.actor) == (2, inc.COMMAND_RUN, "ann")
    (stored,) = await reader.events(incident, after_seq=1)
    assert stored.payload == run_payload() and stored.at == T0 + timedelta(seconds=5)
    assert await reader.command_output(incident, event.seq) == output
    assert await reader.command_output(incident, declared.seq) is None
    assert await reader.command_output(MISSING, 1) is None


async def test_command_output_is_capped_at_one_mebibyte(store: EventStore) -> None:
    incident = (await store.declare(title="t", severity="P1", actor="a", at=T0)).incident_id
    huge = "é" * MAX_COMMAND_OUTPUT_BYTES  # two bytes each: twice the cap

    event = await store.append_command_run(incident, run_payload(), huge, actor="a")

    kept = await store.command_output(incident, event.seq)
    assert kept is not None and kept == "é" * (MAX_COMMAND_OUTPUT_BYTES // 2)
    assert len(kept.encode()) == MAX_COMMAND_OUTPUT_BYTES


async def test_a_command_run_for_an_unknown_incident_writes_nothing(store: EventStore) -> None:
    with pytest.raises(UnknownIncident):
        await store.append_command_run(MISSING, run_payload(), "out", actor="a")
    assert await store.command_output(MISSING, 1) is None


# --- import


def recorded_elsewhere() -> list[inc.Event]:
    """An incident as another database recorded it: its own id, times, actors and seqs."""
    incident = "INC-20240105-007"
    at = datetime(2024, 1, 5, 9, 30, 0, 123456, tzinfo=UTC)
    kinds: list[tuple[str, Mapping[str, Any], str]] = [
        (inc.DECLARED, {"title": "Imported outage", "severity": "P0"}, "ann"),
        (inc.NOTE_ADDED, {"text": "héllo ⏎ \n\x1b]52 kept as it was"}, "bot"),
        (inc.SEVERITY_CHANGED, {"from": "P0", "to": "P2"}, "bob"),
        (inc.COMMAND_RUN, {"name": "status", "argv": ["fly", "status"], "exit_code": 0}, "cat"),
        (inc.RESOLVED, {}, "ann"),
    ]
    return [
        inc.Event(seq, incident, at + timedelta(minutes=seq * 3), kind, actor, payload)
        for seq, (kind, payload, actor) in enumerate(kinds, start=1)
    ]


async def test_an_imported_incident_reads_back_exactly_as_it_was_recorded(
    stores: StoreFactory,
) -> None:
    events = recorded_elsewhere()
    incident = events[0].incident_id
    lines = [
        (T0 + timedelta(seconds=n), "backend" if n % 3 else "db", f"line {n}") for n in range(50)
    ]
    writer = await stores()
    await writer.import_incident(events, command_outputs={4: "ok\nall good"}, log_lines=lines)
    reader = await stores()
    assert await reader.events(incident) == events
    assert await reader.command_output(incident, 4) == "ok\nall good"
    assert await reader.log_lines(incident, limit=100) == lines
    summary = await reader.incident(incident)
    assert (summary.title, summary.severity, summary.status) == (
        "Imported outage",
        "P2",
        "resolved",
    )
    assert (summary.declared_at, summary.last_event_at) == (events[0].at, events[-1].at)
    # It goes on as any incident: the next event follows the last imported one.
    note = await reader.append(incident, inc.NOTE_ADDED, {"text": "after"}, actor="dan")
    assert note.seq == len(events) + 1
    # A new declaration that day never takes the imported id.
    declared = await reader.declare(title="new", severity="P1", actor="a", at=events[0].at)
    assert declared.incident_id != incident and declared.incident_id.startswith("INC-20240105-")


async def test_importing_an_incident_the_store_has_changes_nothing(store: EventStore) -> None:
    events = recorded_elsewhere()
    await store.import_incident(events[:2], command_outputs={}, log_lines=[])
    with pytest.raises(AlreadyStored):
        await store.import_incident(events, command_outputs={4: "x"}, log_lines=[(T0, "a", "b")])
    assert await store.events(events[0].incident_id) == events[:2]
    assert await store.log_lines(events[0].incident_id) == []
