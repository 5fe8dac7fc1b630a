"""Benchmark of pairing: how soon one terminal sees another's events, and how the store
holds up under writers at once, SQLite and PostgreSQL side by side (prints figures; not a test).

    .venv/bin/python bench/sync.py [--postgres URL] [--seconds 30] [--rate 20]

For each backend, on a fresh database:
- delay: another process appends `--rate` notes a second for `--seconds`, each stamped with
  the wall clock; this process follows the incident (`store.follow`) and takes the delay from
  that stamp to the batch that brings it: p50 / p95 / max. Goals: SQLite p95 <= 250 ms,
  PostgreSQL p95 <= 100 ms.
- burst: five processes append 1,000 notes each at once (released together): the incident
  must hold exactly 5,000 of them, each once.
- appends/s: one writer appending notes one commit each; the anchor is a bare INSERT loop on
  the same database (one autocommit statement each), the floor of what a commit costs there.
PostgreSQL runs where `--postgres` (default: $WARROOM_TEST_POSTGRES) points, in a database
made for the run and dropped after; without one, only SQLite is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg

from bench.terminal import percentile
from tests.support.postgres import terminate_and_drop, with_database
from warroom.store import open_store

WRITE_AT_RATE = """
    import asyncio, sys, time
    from warroom.store import open_store

    async def main():
        target, incident = sys.argv[1], sys.argv[2]
        rate, seconds = float(sys.argv[3]), float(sys.argv[4])
        async with await open_store(target) as store:
            start = time.monotonic()
            for n in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                note = {"text": f"d{n}", "sent": time.time()}
                await store.append(incident, "note.added", note, actor="w")

    asyncio.run(main())
"""

WRITE_BURST = """
    import asyncio, sys
    from warroom.store import open_store

    async def main():
        target, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        async with await open_store(target) as store:
            print("ready", flush=True)
            sys.stdin.readline()
            for n in range(count):
                await store.append(incident, "note.added", {"text": f"{name}.{n}"}, actor=name)

    asyncio.run(main())
"""


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code), *args]


@asynccontextmanager
async def sqlite_target() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory(prefix="warroom-sync-") as folder:
        yield str(Path(folder) / "incidents.db")


@asynccontextmanager
async def postgres_target(server: str) -> AsyncIterator[str]:
    name = f"warroom_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield with_database(server, name)
    finally:
        admin = await asyncpg.connect(server)
        await terminate_and_drop(admin, name)
        await admin.close()


async def delay(target: str, rate: float, seconds: float) -> list[float]:
    """Seconds from each note's stamp to this process's follower having it."""
    async with await open_store(target) as store:
        incident = (await store.declare(title="sync", severity="P1", actor="b")).incident_id
        expected = int(rate * seconds)
        delays: list[float] = []
        writer = await asyncio.create_subprocess_exec(
            *python(WRITE_AT_RATE, target, incident, str(rate), str(seconds))
        )
        feed = store.follow(incident, after_seq=1)
        while len(delays) < expected:
            batch = await asyncio.wait_for(anext(feed), 30)
            now = time.time()
            delays += [now - event.payload["sent"] for event in batch]
        await feed.aclose()
        await writer.wait()
        return delays


async def burst(target: str, writers: int, each: int) -> tuple[int, int, float]:
    """(notes stored, distinct notes, seconds) for `writers` processes appending at once."""
    async with await open_store(target) as store:
        incident = (await store.declare(title="burst", severity="P1", actor="b")).incident_id
        processes = [
            await asyncio.create_subprocess_exec(
                *python(WRITE_BURST, target, incident, f"w{n}", str(each)),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            for n in range(writers)
        ]
        for process in processes:
            assert process.stdout is not None
            await process.stdout.readline()
        start = time.perf_counter()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            await process.stdin.drain()
        codes = [await process.wait() for process in processes]
        took = time.perf_counter() - start
        assert codes == [0] * writers, codes
        notes = [e.payload["text"] for e in await store.events(incident) if e.kind == "note.added"]
        return len(notes), len(set(notes)), took


async def appends_per_second(target: str, count: int) -> float:
    async with await open_store(target) as store:
        incident = (await store.declare(title="rate", severity="P1", actor="b")).incident_id
        start = time.perf_counter()
        for n in range(count):
            await store.append(incident, "note.added", {"text": f"r{n}"}, actor="b")
        return count / (time.perf_counter() - start)


async def bare_inserts_per_second(target: str, count: int) -> float:
    """The anchor: one autocommit INSERT per row into a table of its own."""
    if target.startswith("postgresql://"):
        connection = await asyncpg.connect(target)
        await connection.execute("CREATE TABLE bare (n integer, text text)")
        start = time.perf_counter()
        for n in range(count):
            await connection.execute("INSERT INTO bare VALUES ($1, $2)", n, f"r{n}")
        took = time.perf_counter() - start
        await connection.close()
        return count / took

    def run() -> float:
        db = sqlite3.connect(target, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE bare (n INTEGER, text TEXT)")
        start = time.perf_counter()
        for n in range(count):
            db.execute("INSERT INTO bare VALUES (?, ?)", (n, f"r{n}"))
        took = time.perf_counter() - start
        db.close()
        return count / took

    return await asyncio.to_thread(run)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def measure(name: str, make: object, args: argparse.Namespace) -> None:
    assert callable(make)
    async with make() as target:
        delays = await delay(target, args.rate, args.seconds)
    async with make() as target:
        stored, distinct, took = await burst(target, args.writers, args.events)
    async with make() as target:
        rate = await appends_per_second(target, args.events)
        bare = await bare_inserts_per_second(target, args.events)
    print(
        f"{name:10}  delay p50 {ms(percentile(delays, 0.5))}, p95 {ms(percentile(delays, 0.95))},"
        f" max {ms(max(delays))} ({len(delays)} notes at {args.rate:g}/s)"
    )
    print(
        f"{'':10}  burst {args.writers} x {args.events}: {stored} stored, {distinct} distinct,"
        f" in {took:.1f} s"
    )
    print(f"{'':10}  appends/s one writer {rate:,.0f} (anchor: bare INSERT {bare:,.0f}/s)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("WARROOM_TEST_POSTGRES", ""))
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    await measure("SQLite", sqlite_target, args)
    if args.postgres:
        await measure("PostgreSQL", lambda: postgres_target(args.postgres), args)
    else:
        print("PostgreSQL: not measured (give --postgres URL or set WARROOM_TEST_POSTGRES)")


if __name__ == "__main__":
    asyncio.run(main())
