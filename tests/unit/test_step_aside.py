"""The gate log ingest waits at while a key is answered (`warroom.logs.step_aside`)."""

from __future__ import annotations

import asyncio
import gc

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


async def test_a_spent_budget_holds_nothing_until_the_sources_have_read_for_more() -> None:
    gate = StepAside(longest=0.1)
    gate.hold()
    await gate.wait()  # the cap released it, the whole budget spent: a key held down, say
    gate.hold()
    assert not gate.held
    await asyncio.sleep(0.1 * TURN / 2)  # half a hold earned
    gate.hold()
    assert gate.held
    gate.release()


async def test_a_key_right_after_a_short_hold_is_held_from_what_is_left() -> None:
    gate = StepAside(longest=0.1)
    gate.hold()
    await asyncio.sleep(0.02)
    gate.release()  # a region switch's frame is out: most of the budget is left
    gate.hold()
    assert gate.held
    gate.release()


async def test_keys_held_down_hold_the_sources_a_fifth_of_the_time_at_most() -> None:
    gate = StepAside(longest=0.05)
    loop = asyncio.get_running_loop()
    held_for = 0.0
    start = last = loop.time()
    while last - start < 1.0:
        gate.hold()  # never released: only the cap or the budget ends each hold
        was_held = gate.held
        await asyncio.sleep(0.002)
        now = loop.time()
        held_for += (now - last) if was_held else 0.0
        last = now
    # At most the budget it started with plus a TURN-th of the time the sources read.
    most = (0.05 + 1.0 / TURN) / (1 + 1 / TURN)
    assert 0.1 < held_for < most + 0.03


async def test_an_unheld_gate_lets_through_at_once() -> None:
    gate = StepAside()
    await asyncio.wait_for(gate.wait(), 0.5)
    gate.release()  # nothing to release: no error, no turn taken
    gate.hold()
    assert gate.held
    gate.release()


async def test_the_garbage_collector_waits_while_held_when_asked_to() -> None:
    assert gc.isenabled()
    try:
        gate = StepAside(longest=0.05, pause_collector=True)
        gate.hold()
        assert gate.held and not gc.isenabled()
        await asyncio.wait_for(gate.wait(), 2)  # the cap's release starts it again
        assert gc.isenabled()

        gc.disable()  # off already (as while warroom starts): a release leaves it off
        gate = StepAside(longest=30, pause_collector=True)
        gate.hold()
        gate.release()
        assert not gc.isenabled()
        gc.enable()

        gate = StepAside(longest=30)  # not asked to: the collector is left alone
        gate.hold()
        assert gate.held and gc.isenabled()
        gate.release()
    finally:
        gc.enable()
