from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from warroom.logs.archive import Archiver

Row = tuple[datetime, str, str]


def line(i: int) -> str:
    return f"2026-01-01T00:00:{i % 60:02d}Z app[1] iad [info]n={i}"


async def test_close_on_a_full_queue_returns_once_the_queue_is_written() -> None:
    rows: list[Row] = []

    async def archive(batch: Sequence[Row]) -> int:
        rows.extend(batch)
        return len(batch)

    archiver = Archiver(archive, max_pending=2)
    archiver.start()
    for i in range(6):  # the writer has not run yet: two batches fit, four are dropped
        archiver.offer("s", [line(i)])
    assert archiver.dropped == 4
    # The queue is full when close() starts (awaited here, not in a task, so it runs
    # before the writer). It must return once the two batches are written, not sit out
    # its own timeout with the writer waiting on an empty queue.
    async with asyncio.timeout(10):
        await archiver.close(timeout=600)
    assert [raw for _, _, raw in rows] == [line(0), line(1)]
    assert archiver.archived == 2 and archiver.dropped == 4


async def test_close_waits_for_a_slow_write_then_writes_the_rest() -> None:
    rows: list[Row] = []
    writing = asyncio.Event()
    release = asyncio.Event()

    async def archive(batch: Sequence[Row]) -> int:
        writing.set()
        await release.wait()
        rows.extend(batch)
        return len(batch)

    archiver = Archiver(archive, max_pending=2)
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
    assert [raw for _, _, raw in rows] == [line(0), line(1), line(2)]
    assert archiver.archived == 3


async def test_close_after_timeout_cancels_a_stuck_write() -> None:
    async def archive(batch: Sequence[Row]) -> int:
        await asyncio.Event().wait()  # a store that never answers
        return 0

    archiver = Archiver(archive, max_pending=1)
    archiver.start()
    archiver.offer("s", [line(0)])
    archiver.offer("s", [line(1)])
    await archiver.close(timeout=0.05)
    assert archiver.archived == 0
