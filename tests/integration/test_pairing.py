"""Several terminals on one incident, each its own process on one SQLite file: the log lines
they all see are captured once, and when the capturer goes another takes over."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.paths import REPO
from tests.support.waiting import eventually
from warroom.store import EventStore

LEASE_SECONDS = 1.0
"""Short, so a crashed capturer's lease runs out within the test."""


def fly_line(n: int) -> str:
    return f"2026-11-29T02:41:{n:02d}Z app[148e21ea7e5389] iad [info]request {n}"


class Peer:
    """One `tests.support.capture_peer` process and what it last said."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines = 0
        self.capturing = False
        self.stopped = False
        self.said: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            text = raw.decode().strip()
            self.said.append(text)
            if text.startswith("lines "):
                self.lines = int(text.split()[1])
            elif text in ("capturing", "standby"):
                self.capturing = text == "capturing"
            elif text == "stopped":
                self.stopped = True

    def kill(self) -> None:
        """A crash: nothing is flushed, nothing released."""
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        """Quit as a terminal does: the archive is flushed and the lease given up."""
        self.process.send_signal(signal.SIGTERM)
        await eventually(lambda: self.stopped, what=f"peer stopped: {self.said}")

    async def end(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self._reader


@asynccontextmanager
async def peers(db: Path, incident_id: str, log_file: Path) -> AsyncIterator[list[Peer]]:
    started: list[Peer] = []

    async def start() -> Peer:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.capture_peer",
            str(db), incident_id, str(log_file), str(LEASE_SECONDS),
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        started.append(Peer(process))
        return started[-1]

    try:
        yield [await start() for _ in range(3)]
    finally:
        for peer in started:
            await peer.end()


async def archived(store: EventStore, incident_id: str) -> list[str]:
    return [line for _, _, line in await store.log_lines(incident_id)]


async def test_three_terminals_capture_each_line_once_and_take_over_from_each_other(
    store: EventStore, tmp_path: Path
) -> None:
    incident_id = (await store.declare(title="api down", severity="P1", actor="a")).incident_id
    log_file = tmp_path / "fly.log"
    lines = [fly_line(n) for n in range(30)]
    log_file.write_text("".join(f"{line}\n" for line in lines[:12]))
    rows: list[str] = []

    async def count_rows() -> None:
        rows[:] = await archived(store, incident_id)

    async def until_archived(count: int, what: str) -> None:
        async def pause() -> None:
            await asyncio.sleep(0.02)
            await count_rows()

        await eventually(lambda: len(rows) >= count, what=what, pause=pause)

    def append(first: int, last: int) -> None:
        with log_file.open("a") as log:
            log.write("".join(f"{line}\n" for line in lines[first:last]))

    async with peers(tmp_path / "incidents.db", incident_id, log_file) as terminals:
        await eventually(
            lambda: all(t.lines == 12 for t in terminals), what="every terminal read 12 lines"
        )
        await eventually(lambda: sum(t.capturing for t in terminals) == 1, what="one capturer")
        await until_archived(12, "the 12 lines archived")
        assert rows == lines[:12]  # once each, not three times

        # The capturer quits: another takes over and goes on from where it stopped.
        first = next(t for t in terminals if t.capturing)
        await first.stop()
        append(12, 20)
        rest = [t for t in terminals if t is not first]
        await eventually(lambda: any(t.capturing for t in rest), what="a second capturer")
        await until_archived(20, "lines 12-19 archived")
        assert rows == lines[:20]

        # That one crashes: once its lease runs out the last one takes over, and archives
        # from its own copy of the stream what the crashed one never wrote.
        second = next(t for t in rest if t.capturing)
        last = next(t for t in rest if t is not second)
        second.kill()
        append(20, 30)
        await eventually(lambda: last.capturing, what="the last terminal captures")
        await until_archived(30, "lines 20-29 archived")
        await last.stop()
    await count_rows()
    assert rows == lines
