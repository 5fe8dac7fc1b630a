"""Presence between real processes: a terminal that announces itself is seen by the others,
and one that is killed (no chance to depart) drops out once its announcement runs out."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database
from tests.support.waiting import eventually
from warroom.session.presence import PresenceBeacon
from warroom.store import Presence, open_store

ANNOUNCE = """
    import asyncio, sys
    from datetime import timedelta
    from warroom.session.presence import PresenceBeacon
    from warroom.store import open_store

    async def main():
        async with await open_store(sys.argv[1]) as store:
            beacon = PresenceBeacon(
                store, sys.argv[2], actor="ann", region=lambda: "logs",
                on_change=lambda others: None,
                heartbeat=timedelta(seconds=0.2), ttl=timedelta(seconds=1),
            )
            await beacon.run()

    asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgresql"])
async def target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "incidents.db")
        return
    async with fresh_database() as url:
        yield url


async def test_a_killed_terminal_drops_out_after_its_announcement_runs_out(target: str) -> None:
    async with await open_store(target) as store:
        incident = (await store.declare(title="a", severity="P1", actor="a")).incident_id
        seen: list[tuple[Presence, ...]] = []
        mine = PresenceBeacon(
            store,
            incident,
            actor="bob",
            region=lambda: "health",
            on_change=seen.append,
            heartbeat=timedelta(seconds=0.1),
        )
        watching = asyncio.create_task(mine.run())
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", textwrap.dedent(ANNOUNCE), target, incident
        )
        try:
            await eventually(
                lambda: bool(seen and seen[-1]), what="the other process announced", tries=1000
            )
            (other,) = seen[-1]
            assert (other.actor, other.region) == ("ann", "logs") and other.holder != mine.holder
            process.send_signal(signal.SIGKILL)
            assert await process.wait() == -signal.SIGKILL
            await eventually(lambda: seen[-1] == (), what="the killed one gone", tries=1000)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)
        # this terminal departed as it stopped: nobody is left
        assert await store.present(incident) == []
