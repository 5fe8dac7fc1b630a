"""A held `StepAside` pauses a real flooding source between chunks; nothing is lost."""

from __future__ import annotations

import asyncio
import sys

from tests.support.capture import SharedArchive
from tests.support.waiting import eventually
from warroom.logs.source import RestartPolicy
from warroom.logs.step_aside import StepAside
from warroom.logs.tail import LogTail
from warroom.playbook import LogSource

FLOOD = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "flood", "--flood")


async def test_the_tail_reads_no_further_while_held_and_catches_up_after() -> None:
    batches = 0
    arrived = asyncio.Event()

    def counted(added: int, shown: int) -> None:
        nonlocal batches
        batches += 1
        arrived.set()

    gate = StepAside(longest=30)
    policy = RestartPolicy(kill_grace=0.5)
    tail = LogTail([LogSource("flood", FLOOD)], on_batch=counted, step_aside=gate, policy=policy)
    tail.start()
    try:
        await asyncio.wait_for(arrived.wait(), 15)
        gate.hold()
        # The chunk already read when the hold came is ingested; the next waits. A flood
        # left alone brings dozens of chunks in this time.
        await asyncio.sleep(0.3)
        held_at = batches
        await asyncio.sleep(0.3)
        assert batches == held_at
        gate.release()
        arrived.clear()
        await asyncio.wait_for(arrived.wait(), 5)
        assert batches > held_at
    finally:
        await tail.stop()


async def test_the_tails_archive_writes_nothing_while_held_either() -> None:
    shared = SharedArchive()
    gate = StepAside(longest=30)
    tail = LogTail([], capture=shared.terminal("ann"), step_aside=gate)
    tail.start()
    try:
        gate.hold()
        tail.ingest("backend", ["2026-12-07T19:00:00Z app[1] iad [info] held back"])
        # Lines that fill no batch are written after the archive's linger (0.5 s).
        await asyncio.sleep(1.0)
        assert shared.rows == []
        gate.release()
        await eventually(lambda: len(shared.rows) == 1, what="written once released")
    finally:
        await tail.stop()
