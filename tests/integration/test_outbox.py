"""When the PostgreSQL server goes away mid-incident: writes wait in a local outbox, are
sent in order and once when it is back, and survive the writer being killed meanwhile.
The server "goes away" behind a real TCP proxy that is cut and restored."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.postgres import fresh_database
from tests.support.tcp_proxy import TcpProxy, through
from tests.support.waiting import eventually
from warroom import incident as inc
from warroom.store import Queued, open_store
from warroom.store.postgres import open_postgres_store


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as target:
        yield target


@pytest.fixture
async def proxy(database: str) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(database)
    assert parts.hostname is not None and parts.port is not None
    running = TcpProxy(parts.hostname, parts.port)
    await running.start()
    yield running
    await running.cut()


async def test_writes_wait_while_the_server_is_away_and_arrive_once_in_order(
    database: str, proxy: TcpProxy, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox.db"
    store = await open_postgres_store(
        through(database, proxy), outbox=outbox, follow_poll_seconds=0.05
    )
    async with store, await open_store(database) as direct:
        incident = (await store.declare(title="a", severity="P1", actor="ann")).incident_id
        await proxy.cut()
        for n in range(3):
            with pytest.raises(Queued, match=f"{n + 1} events wait"):
                await store.append(incident, inc.NOTE_ADDED, {"text": f"offline {n}"}, actor="ann")
        assert store.queued() == 3 and outbox.exists()
        meanwhile = await direct.append(
            incident, inc.NOTE_ADDED, {"text": "meanwhile"}, actor="bob"
        )
        await proxy.start()
        await eventually(lambda: store.queued() == 0, what="the outbox sent", tries=1500)
        events = (await direct.events(incident))[1:]
        assert [e.payload["text"] for e in events] == [
            "meanwhile",
            "offline 0",
            "offline 1",
            "offline 2",
        ]
        # each keeps the time it was made at: in time order, the three came first
        assert [e.payload["text"] for e in sorted(events, key=lambda e: e.at)][-1] == "meanwhile"
        assert all(e.at < meanwhile.at for e in events[1:])
        # back online, a write goes straight through
        note = await store.append(incident, inc.NOTE_ADDED, {"text": "online"}, actor="ann")
        assert note.seq == 6


QUEUE_AND_HANG = """
    import asyncio, sys
    from pathlib import Path
    from warroom.store import Queued
    from warroom.store.postgres import open_postgres_store

    async def main():
        store = await open_postgres_store(sys.argv[1], outbox=Path(sys.argv[2]))
        print("ready", flush=True)
        sys.stdin.readline()  # the test cuts the server, then says go
        for n in range(2):
            try:
                await store.append(sys.argv[3], "note.added", {"text": f"queued {n}"}, actor="k")
            except Queued:
                print("queued", flush=True)
        await asyncio.Event().wait()  # until killed

    asyncio.run(main())
"""


async def test_a_writer_killed_while_offline_loses_nothing(
    database: str, proxy: TcpProxy, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox.db"
    async with await open_store(database) as direct:
        incident = (await direct.declare(title="a", severity="P1", actor="ann")).incident_id
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(QUEUE_AND_HANG),
        through(database, proxy),
        str(outbox),
        incident,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert writer.stdin is not None and writer.stdout is not None and writer.stderr is not None
    try:
        assert (await asyncio.wait_for(writer.stdout.readline(), 30)).strip() == b"ready"
        await proxy.cut()
        writer.stdin.write(b"go\n")
        await writer.stdin.drain()
        for _ in range(2):
            assert (await asyncio.wait_for(writer.stdout.readline(), 30)).strip() == b"queued"
    finally:
        writer.send_signal(signal.SIGKILL)
        await writer.wait()
    # nothing written over the terminal: no driver warnings about reconnecting
    assert await writer.stderr.read() == b""
    await proxy.start()
    # the next start on that address sends what the killed one queued
    store = await open_postgres_store(through(database, proxy), outbox=outbox)
    async with store:
        await eventually(lambda: store.queued() == 0, what="the queue sent", tries=1500)
        texts = [e.payload.get("text") for e in await store.events(incident)]
    assert texts == [None, "queued 0", "queued 1"]
