"""The gate log ingest waits at while a key is answered (`warroom.logs.step_aside`)."""

from __future__ import annotations

import asyncio

from warroom.logs.step_aside import TURN, StepAside


async def test_a_hold_keeps_the_sources_waiting_until_released() -> None:
    gate = StepAside(longest=30)
    gate.hold()
    waiting = asyncio.create_task(gate.wait())
    await asyncio.sleep(0)
    assert gate.held and not waiting.done()
    gate.release()
    await asyncio.wait_for(waiting, 1)
    assert not gate.held


async def test_a_hold_nobody_releases_ends_by_itself() -> None:
    gate = StepAside(longest=0.05)
    gate.hold()
    await asyncio.wait_for(gate.wait(), 2)
    assert not gate.held


async def test_after_a_hold_the_sources_get_a_turn_before_the_next() -> None:
    gate = StepAside(longest=0.1)
    gate.hold()
    await gate.wait()  # the cap released it: a key held down, say
    gate.hold()
    assert not gate.held  # the sources' turn: TURN times the hold
    await asyncio.sleep(0.1 * TURN / 2)
    gate.hold()
    assert not gate.held
    await asyncio.sleep(0.1 * TURN)
    gate.hold()
    assert gate.held
    gate.release()


async def test_an_unheld_gate_lets_through_at_once() -> None:
    gate = StepAside()
    await asyncio.wait_for(gate.wait(), 0.5)
    gate.release()  # nothing to release: no error, no turn taken
    gate.hold()
    assert gate.held
    gate.release()
