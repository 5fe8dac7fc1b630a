from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support.capture import SharedArchive
from tests.support.waiting import eventually
from warroom.logs.archive import Archiver, Row, timed, unarchived
from warroom.logs.parse import line_time
from warroom.logs.step_aside import StepAside


def line(i: int) -> str:
    return f"2026-01-01T00:00:{i % 60:02d}Z app[1] iad [info]n={i}"


def raws(rows: list[Row]) -> list[str]:
    return [raw for _, _, raw in rows]


async def test_a_full_queue_slows_the_source_instead_of_dropping() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")
    writing = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        writing.set()
        await release.wait()

    capture.writing = slow
    archiver = Archiver(capture, max_pending_lines=4, batch_lines=1)
    archiver.start()
    archiver.offer("s", [line(0)])
    await writing.wait()  # the writer holds line 0 in a write that has not finished
    for i in range(1, 6):
        archiver.offer("s", [line(i)])
    assert archiver.dropped == 0 and archiver.pending == 6
    assert "sources slowed" in archiver.trouble()
    waiting = asyncio.create_task(archiver.room())
    await asyncio.sleep(0)
    assert not waiting.done()  # the reader waits for the store rather than read on
    release.set()
    await asyncio.wait_for(waiting, 10)  # room again once half of the backlog is written
    assert archiver.pending <= 2
    await asyncio.wait_for(archiver.close(timeout=600), 10)
    assert raws(shared.rows) == [line(i) for i in range(6)]
    assert archiver.archived == 6 and archiver.dropped == 0 and archiver.trouble() == ""


async def test_stopping_the_sources_lets_their_readers_go_past_a_hung_store() -> None:
    capture = SharedArchive().terminal("ann")
    capture.writing = asyncio.Event().wait  # a store that never answers
    archiver = Archiver(capture, max_pending_lines=2)
    archiver.start()
    archiver.offer("s", [line(0), line(1)])
    waiting = asyncio.create_task(archiver.room())
    await asyncio.sleep(0)
    assert not waiting.done()
    archiver.stop_pacing()
    await asyncio.wait_for(waiting, 10)
    archiver.offer("s", [line(2)])  # what the stopping source still printed
    await asyncio.wait_for(archiver.room(), 10)
    await archiver.close(timeout=0.05)


async def test_close_waits_for_a_slow_write_then_writes_the_rest() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")
    writing = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        writing.set()
        await release.wait()

    capture.writing = slow
    archiver = Archiver(capture)
    archiver.start()
    archiver.offer("s", [line(0)])
    await writing.wait()  # the writer holds batch 0 in a write that has not finished
    for i in range(1, 4):
        archiver.offer("s", [line(i)])
    closing = asyncio.create_task(archiver.close(timeout=600))
    release.set()
    await asyncio.wait_for(closing, 10)
    assert raws(shared.rows) == [line(i) for i in range(4)]
    assert archiver.archived == 4


async def test_a_failing_store_counts_what_it_refused() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")

    async def broken() -> None:
        raise OSError("disk full")

    capture.writing = broken
    archiver = Archiver(capture)
    archiver.start()
    archiver.offer("s", [line(0), line(1)])
    await archiver.close()
    assert archiver.dropped == 2 and archiver.trouble() == "OSError: disk full"


async def test_nothing_is_timed_or_written_while_a_key_is_answered() -> None:
    shared = SharedArchive()
    gate = StepAside(longest=30)
    archiver = Archiver(shared.terminal("ann"), linger_seconds=0, step_aside=gate)
    archiver.start()
    archiver.offer("s", [line(0)])
    await eventually(lambda: len(shared.rows) == 1, what="written while no key is held")
    gate.hold()
    archiver.offer("s", [line(1)])
    await asyncio.sleep(0.3)  # a batch is written within milliseconds when not held
    assert len(shared.rows) == 1 and archiver.pending == 1
    gate.release()
    await eventually(lambda: len(shared.rows) == 2, what="written once the key is answered")
    await archiver.close()
    assert raws(shared.rows) == [line(0), line(1)]


def test_times_are_runs_and_continuations_take_their_entrys_time() -> None:
    since = datetime(2025, 12, 31, tzinfo=UTC)
    chunk = timed("s", ["noise", line(1), "  more", line(1), line(2)], since)
    first, second = (datetime(2026, 1, 1, 0, 0, s, tzinfo=UTC) for s in (1, 2))
    assert list(chunk.times) == [(since, 1), (first, 3), (second, 1)]


def one_at_a_time(lines: list[str], since: datetime) -> list[tuple[datetime, int]]:
    """The times as the definition says them: each line's own, or the one before it."""
    times: list[tuple[datetime, int]] = []
    last = since
    for raw in lines:
        last = line_time(raw) or last
        if times and times[-1][0] == last:
            times[-1] = (last, times[-1][1] + 1)
        else:
            times.append((last, 1))
    return times


def test_grouped_times_are_the_times_of_each_line() -> None:
    since = datetime(2026, 12, 3, 2, 59, tzinfo=UTC)
    at = "2026-12-03T03:00:0{}Z app[1] iad [info] flood"
    lines = [
        "noise before any entry",
        *[at.format(1)] * 50,
        "  a continuation",
        *[at.format(1)] * 3,
        *[at.format(2)] * 40,
        "2026-12-03T03:00:02.250Z app[1] iad [info] a stamp with a fraction",
        "2026-12-03T03:00:02.750Z app[1] iad [info] and another",
        "2026-12-03T03:00:03Zglued to its stamp: not an entry",
        "2026-12-03T03:00:03Z",
        *[at.format(3)] * 7,
        "",
        at.format(2),  # out of order, as two instances' lines can be
    ]
    assert list(timed("s", lines, since).times) == one_at_a_time(lines, since)


async def test_close_after_timeout_cancels_a_stuck_write() -> None:
    shared = SharedArchive()
    capture = shared.terminal("ann")
    capture.writing = asyncio.Event().wait  # a store that never answers
    archiver = Archiver(capture)
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
    # Bob first: once ann gives the lease up, bob's next renewal rightly takes it over.
    await bob.close()
    await ann.close()
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


async def test_a_slow_streams_lines_wait_to_make_one_write() -> None:
    # A write per chunk (a thread hop, a transaction, a commit) was a quarter of the demo's
    # CPU at 15 lines/s; the lines of one linger go to the store together.
    shared = SharedArchive()
    capture = shared.terminal("ann")
    writes = 0

    async def counted() -> None:
        nonlocal writes
        writes += 1

    capture.writing = counted
    archiver = Archiver(capture, linger_seconds=0.5)
    archiver.start()
    archiver.offer("s", [line(0)])
    await asyncio.sleep(0.05)  # the stream's own pace: the next line comes a little later
    archiver.offer("s", [line(1)])
    archiver.offer("s", [line(2), line(3)])
    await eventually(lambda: archiver.archived == 4, what="the four lines archived")
    assert writes == 1
    assert raws(shared.rows) == [line(i) for i in range(4)]
    await archiver.close()
