"""Benchmark of searching the whole log archive (prints figures; not a test).

    /work/venv/bin/python bench/logsearch.py [--lines 1000000]

Three fakefly sources (`fly logs --flood`, the `fly` stand-in) print `--lines` fly-format
lines between them; their colours are stripped, as the tail does, and they are archived a
4,000-line chunk at a time, the sources in turn, with `archive_log_chunks` into a SQLite file
in a temporary directory (five lines that say `panic` are put in for the rare search). Then
each query is searched with `store.search_log_lines` (the tail's filter syntax, every block
read, decompressed and matched, the total counted) and printed beside the anchor measured in
this same run: a bare loop over the same lines already in memory (`re.search` per line, or
RE2 for the alternation), as a ratio. The goal is ≤ 1 s each at 1,000,000 lines. Best of 3.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import re2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.logchunks import LogChunk, runs
from warroom.logs.filter import FilterSpec
from warroom.safetext import strip_sgr
from warroom.store import EventStore, open_store

SOURCES = ("frontend", "backend", "mcp")
CHUNK = 4_000
RARE = "panic: nil map in session store"
QUERIES: tuple[tuple[str, str, Callable[[str], object], str | None], ...] = (
    ("rare", "panic", re.compile("panic", re.I).search, None),
    ("common", "GET", re.compile("get", re.I).search, None),
    ("alternation", "ERROR|timeout", re2.compile("(?i)ERROR|timeout").search, None),
    ("level:error", "level:error", re.compile(r"\[error\]").search, None),
    ("src: + pattern", "src:backend timeout", re.compile("timeout", re.I).search, "backend"),
)
"""(name, query, the anchor's search over one line, the one source the anchor reads)."""


def flood(app: str, count: int) -> list[str]:
    argv = [sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", app, "--flood"]
    out = subprocess.run([*argv, "--count", str(count)], capture_output=True, check=True).stdout
    return strip_sgr(out.decode()).splitlines()


def chunked(source: str, lines: list[str]) -> list[LogChunk]:
    chunks = []
    for start in range(0, len(lines), CHUNK):
        part = lines[start : start + CHUNK]
        times = [
            datetime.strptime(line[:20], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for line in part
        ]
        chunks.append(LogChunk(source, part, runs(times)))
    return chunks


async def main(total: int) -> None:
    per_source = {source: flood(source, total // len(SOURCES)) for source in SOURCES}
    for n in range(5):
        lines = per_source[SOURCES[n % 3]]
        lines[len(lines) * (n + 1) // 6] = lines[0][:41] + RARE
    every = [line for lines in per_source.values() for line in lines]
    queue = {source: chunked(source, lines) for source, lines in per_source.items()}
    ordered = [chunk for group in zip(*queue.values(), strict=False) for chunk in group]
    with tempfile.TemporaryDirectory() as tmp:
        async with await open_store(Path(tmp) / "incidents.db") as store:
            incident_id = (
                await store.declare(title="search", severity="P1", actor="b")
            ).incident_id
            started = time.perf_counter()
            for start in range(0, len(ordered), 25):
                await store.archive_log_chunks(
                    incident_id, ordered[start : start + 25], cap=10 * total
                )
            archived = time.perf_counter() - started
            size = sum(path.stat().st_size for path in Path(tmp).iterdir()) / 1e6
            print(f"lines archived       {len(every):>12,} in {archived:.1f} s, {size:.1f} MB")
            print(
                f"{'query':<16} {'search':>9} {'anchor':>9} {'ratio':>7} {'matches':>9}  goal ≤ 1 s"
            )
            for name, query, search, only in QUERIES:
                lines = every if only is None else per_source[only]
                searched, found = await timed_search(store, incident_id, query)
                anchored, hits = bare_loop(search, lines)
                assert hits == found, (name, hits, found)
                verdict = "ok" if searched <= 1 else "MISSED"
                print(
                    f"{name:<16} {searched:>8.3f}s {anchored:>8.3f}s {searched / anchored:>6.2f}× "
                    f"{found:>9,}  {verdict}"
                )


async def timed_search(store: EventStore, incident_id: str, query: str) -> tuple[float, int]:
    """The best of 3 searches' seconds, and the total they found."""
    selector = FilterSpec().with_query(query).compile()
    times = []
    for _ in range(3):
        began = time.perf_counter()
        found = await store.search_log_lines(incident_id, selector, limit=1000)
        times.append(time.perf_counter() - began)
    return min(times), found.total


def bare_loop(search: Callable[[str], object], lines: list[str]) -> tuple[float, int]:
    """The anchor: the best of 3 bare loops' seconds, and how many lines matched."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        hits = sum(1 for line in lines if search(line))
        times.append(time.perf_counter() - began)
    return min(times), hits


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().lines))
