"""Benchmark of the log capture: a flood through the real tail into an incident in SQLite
(prints figures; not a test).

    /work/venv/bin/python bench/capture.py [--lines 1000000]

A fakefly source floods `--lines` fly-format lines as fast as it can into a `LogTail` whose
archive is a real `IncidentSession`'s capture, on a SQLite file in a temporary directory
(the tail filters `ERROR|timeout`, as the pane would). Printed, all from this one run:
- lines/s to the buffer, first to last line buffered, with the capture on and with it off;
- lines archived vs produced, and how long after the last line buffered the archive had
  every line; how long the sources waited for the store (back-pressure);
- the archive's size on disk;
- the anchor: a bare `re.search` loop over the same lines, and each rate as a ratio to it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.logtail import bare_loop
from warroom.incident.events import utc_now
from warroom.logs.filter import FilterSpec
from warroom.logs.tail import LogTail
from warroom.playbook import LogSource, load_playbook
from warroom.session.incident_session import IncidentSession
from warroom.store import open_store

PATTERN = "ERROR|timeout"
FAKEFLY = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "bench", "--flood")


async def flood(lines: int, *, capture: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.db"
        async with await open_store(path) as store:
            declared = await store.declare(title="flood", severity="P1", actor="bench")
            session = IncidentSession(
                store=store,
                incident_id=declared.incident_id,
                playbook=load_playbook(Path(__file__).resolve().parent.parent / "playbook.toml"),
                actor="bench",
                clock=utc_now,
                on_state=lambda state: None,
                on_refused=lambda kind, error: None,
            )
            await session.load()
            done = asyncio.Event()
            marks: dict[str, float] = {}
            source = LogSource("bench", (*FAKEFLY, "--count", str(lines)))

            def on_batch(added: int, shown: int) -> None:
                marks.setdefault("first", time.perf_counter())
                if tail.buffer.next_seq >= lines:
                    marks["last"] = time.perf_counter()
                    done.set()

            tail = LogTail(
                [source], capture=session.log_capture() if capture else None, on_batch=on_batch
            )
            tail.set_filter(FilterSpec(include=(PATTERN,)))
            archiver = tail.archiver
            waited = 0.0
            if archiver is not None:
                room = archiver.room

                async def timed_room() -> None:
                    nonlocal waited
                    started = time.perf_counter()
                    await room()
                    waited += time.perf_counter() - started

                archiver.room = timed_room  # type: ignore[method-assign]
            tail.start()
            await asyncio.wait_for(done.wait(), 300)
            figures = {"ingest": lines / (marks["last"] - marks["first"])}
            if archiver is not None:
                while archiver.archived + archiver.dropped < lines and not archiver.error:
                    await asyncio.sleep(0.01)
                figures["archive_lag"] = time.perf_counter() - marks["last"]
                figures["waited"] = waited
            await tail.stop()
            if archiver is not None:
                figures["archived"] = len(await store.log_lines(declared.incident_id, limit=lines))
                figures["dropped"] = archiver.dropped
                figures["size"] = path.stat().st_size / 1e6
            return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    on = asyncio.run(flood(args.lines, capture=True))
    off = asyncio.run(flood(args.lines, capture=False))
    bare = bare_loop(args.lines, PATTERN)
    print(f"lines flooded                 {args.lines:>12,}")
    for name, run in (("on ", on), ("off", off)):
        rate = run["ingest"]
        print(f"to the buffer, capture {name}    {rate:>12,.0f} lines/s  {rate / bare:.2f}×")
    print(f"bare re.search loop (anchor)  {bare:>12,.0f} lines/s  1.00×")
    print(f"archived / produced           {on['archived']:>12,.0f} / {args.lines:,}")
    print(f"dropped                       {on['dropped']:>12,.0f}")
    print(f"archive complete after        {on['archive_lag']:>12.2f} s after the last line")
    print(f"sources waited for the store  {on['waited']:>12.2f} s (back-pressure)")
    print(f"database on disk              {on['size']:>12.1f} MB")


if __name__ == "__main__":
    main()
