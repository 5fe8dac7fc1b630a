from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support.capture import SharedArchive
from tests.support.waiting import eventually
from warroom.logs.archive import Archiver, Row, unarchived


def line(i: int) -> str:
    return f"2026-01-01T00:00:{i % 60:02d}Z app[1] iad [info]n={i}"


def raws(rows: list[Row]) -> list[str]:
    return [raw for _, _, raw in rows]


async def test_close_on_a_full_queue_returns_once_the_queue_is_written() -> None:
    shared = SharedArchive()
    archiver = Archiver(shared.terminal("ann"), max_pending=2)
    archiver.start()
    for i in range(6):  # the writer has not run yet: two batches fit, four are dropped
        archiver.offer("s", [line(i)])
    assert archiver.dropped == 4
    # The queue is full when close() starts (awaited here, not in a task, so it runs
    # before the writer). It must return once the two batches are written, not sit out
    # its own timeout with the writer waiting on an empty queue.
    async with asyncio.timeout(10):
        await archiver.close(timeout=600)
    assert raws(shared.rows) == [line(0), line(1)]
    assert archiver.archived == 2 and archiver.dropped == 4


async def test_close_waits_for_a_slow_write_then_writes_the_rest() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")
    writing = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        writing.set()
        await release.wait()

    capture.writing = slow
    archiver = Archiver(capture, max_pending=2)
    archiver.start()
    archiver.offer("s", [line(0)])
    await writing.wait()  # the writer holds batch 0 in a write that has not finished
    for i in range(1, 4):
        archiver.offer("s", [line(i)])
    assert archiver.dropped == 1  # 1 and 2 queued, 3 dropped: the queue is full
    # close() starts on the full queue before the writer's write returns.
    closing = asyncio.create_task(archiver.close(timeout=600))
    release.set()
    await asyncio.wait_for(closing, 10)
    assert raws(shared.rows) == [line(0), line(1), line(2)]
    assert archiver.archived == 3


async def test_close_after_timeout_cancels_a_stuck_write() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")
    capture.writing = asyncio.Event().wait  # a store that never answers
    archiver = Archiver(capture, max_pending=1)
    archiver.start()
    archiver.offer("s", [line(0)])
    archiver.offer("s", [line(1)])
    await archiver.close(timeout=0.05)
    assert archiver.archived == 0


# --- several terminals on one incident


async def test_two_terminals_seeing_the_same_lines_archive_them_once() -> None:
    shared = SharedArchive()
    ann, bob = Archiver(shared.terminal("ann")), Archiver(shared.terminal("bob"))
    ann.start()
    await eventually(lambda: ann.capturing, what="ann holds the lease")
    bob.start()
    lines = [line(i) for i in range(12)]
    for archiver in (ann, bob):
        archiver.offer("backend", lines[:5])
        archiver.offer("backend", lines[5:])
    await eventually(lambda: len(shared.rows) == 12, what="ann archived the lines")
    await ann.close()
    await bob.close()
    assert raws(shared.rows) == lines
    assert not bob.capturing and bob.archived == 0


async def test_when_the_capturer_stops_another_takes_over_where_it_stopped() -> None:
    shared = SharedArchive()
    ann, bob = Archiver(shared.terminal("ann")), Archiver(shared.terminal("bob"))
    ann.start()
    await eventually(lambda: ann.capturing, what="ann holds the lease")
    bob.start()
    lines = [line(i) for i in range(20)]
    ann.offer("backend", lines[:8])
    bob.offer("backend", lines[:12])  # bob's copy of the stream is ahead of ann's
    await eventually(lambda: len(shared.rows) == 8, what="ann archived her lines")
    await ann.close()  # she quits: the lease is free at once
    await eventually(lambda: bob.capturing, what="bob took over")
    bob.offer("backend", lines[12:])
    await eventually(lambda: len(shared.rows) == 20, what="bob archived the rest")
    await bob.close()
    assert raws(shared.rows) == lines


async def test_a_crashed_capturers_unwritten_lines_come_from_anothers_backlog() -> None:
    shared = SharedArchive()
    ann_capture = shared.terminal("ann")
    ann, bob = Archiver(ann_capture), Archiver(shared.terminal("bob"))
    ann.start()
    await eventually(lambda: ann.capturing, what="ann holds the lease")
    bob.start()
    lines = [line(i) for i in range(10)]
    ann.offer("backend", lines[:4])
    bob.offer("backend", lines[:4])
    await eventually(lambda: len(shared.rows) == 4, what="ann archived four lines")
    frozen = asyncio.Event()

    async def freeze() -> None:
        frozen.set()
        await asyncio.Event().wait()

    ann_capture.writing = freeze  # ann freezes inside her next write...
    ann.offer("backend", lines[4:])
    bob.offer("backend", lines[4:])
    await asyncio.wait_for(frozen.wait(), 10)
    shared.holder = None  # ...and her lease runs out
    await eventually(lambda: len(shared.rows) == 10, what="bob archived what ann did not")
    await ann.close(timeout=0.05)
    await bob.close()
    assert raws(shared.rows) == lines and bob.capturing


def test_unarchived_resumes_after_the_last_archived_line_of_each_source() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    backlog: list[Row] = [
        (t, "api", "a"),
        (t, "db", "x"),
        (t, "api", "b"),
        (t, "api", "a"),  # the same line again: resume after its last occurrence
        (t, "api", "c"),
        (t, "db", "y"),
        (t, "web", "w"),  # nothing archived from web yet: all of it
    ]
    newest = {"api": (t, "a"), "db": (t, "x")}
    assert unarchived(backlog, newest) == [(t, "api", "c"), (t, "db", "y"), (t, "web", "w")]


def test_unarchived_without_the_last_line_takes_what_was_logged_after_it() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    later = t + timedelta(seconds=1)
    backlog: list[Row] = [(t, "api", "same instant"), (later, "api", "after")]
    # the backlog no longer reaches back to the archived line, "gone"
    assert unarchived(backlog, {"api": (t, "gone")}) == [(later, "api", "after")]
