"""A held `StepAside` pauses a real flooding source between chunks; nothing is lost."""

from __future__ import annotations

import asyncio
import sys

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
