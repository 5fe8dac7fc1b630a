"""Log lines as they are archived: a chunk of one source's lines with their times, run-length.

A flood is archived a chunk at a time, never a row per line: building, converting and
inserting one row per line is what kept the archive at a fifth of a flood. `fly logs` stamps
lines to the second, so a chunk's times are a handful of (time, how many lines) runs. The log
tail (`warroom.logs.archive`) makes chunks and the store (`warroom.store`) keeps them; both
layers meet here, as neither may import the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

Row = tuple[datetime, str, str]
"""One archived line: (logged_at, source, raw line)."""


class LogChunk(NamedTuple):
    """Consecutive lines of one source and when each was logged."""

    source: str
    lines: Sequence[str]
    times: Sequence[tuple[datetime, int]]
    """(logged_at, count) runs in order: the first `count` lines were logged at the first
    time, and so on; the counts add up to `len(lines)`."""


def line_count(chunks: Iterable[LogChunk]) -> int:
    """How many lines the chunks hold."""
    return sum(len(chunk.lines) for chunk in chunks)


def line_times(times: Sequence[tuple[datetime, int]]) -> list[datetime]:
    """The runs spelled out: one time per line."""
    return [at for at, count in times for _ in range(count)]


def runs(times: Iterable[datetime]) -> list[tuple[datetime, int]]:
    """Per-line times folded into (time, count) runs."""
    folded: list[tuple[datetime, int]] = []
    for at in times:
        if folded and folded[-1][0] == at:
            folded[-1] = (at, folded[-1][1] + 1)
        else:
            folded.append((at, 1))
    return folded


def rows_of(chunks: Iterable[LogChunk]) -> list[Row]:
    """The chunks as one row per line, in order."""
    return [
        (at, chunk.source, line)
        for chunk in chunks
        for at, line in zip(line_times(chunk.times), chunk.lines, strict=True)
    ]


def chunks_of(rows: Iterable[Row]) -> list[LogChunk]:
    """Rows as chunks: one per run of consecutive rows from the same source."""
    chunks: list[LogChunk] = []
    source: str | None = None
    lines: list[str] = []
    times: list[datetime] = []
    for at, row_source, line in rows:
        if row_source != source and lines:
            assert source is not None
            chunks.append(LogChunk(source, lines, runs(times)))
            lines, times = [], []
        source = row_source
        lines.append(line)
        times.append(at)
    if lines:
        assert source is not None
        chunks.append(LogChunk(source, lines, runs(times)))
    return chunks


def merged(chunks: Iterable[LogChunk]) -> list[LogChunk]:
    """Consecutive chunks of one source joined into one: fewer, bigger blocks to store."""
    out: list[LogChunk] = []
    lines: list[str] = []
    times: list[tuple[datetime, int]] = []
    source = ""
    for chunk in chunks:
        if not chunk.lines:
            continue
        if lines and chunk.source != source:
            out.append(LogChunk(source, lines, times))
            lines, times = [], []
        source = chunk.source
        lines.extend(chunk.lines)
        first, *rest = chunk.times
        if times and times[-1][0] == first[0]:
            times[-1] = (first[0], times[-1][1] + first[1])
        else:
            times.append(first)
        times.extend(rest)
    if lines:
        out.append(LogChunk(source, lines, times))
    return out


def newest(chunks: Sequence[LogChunk], limit: int) -> list[LogChunk]:
    """The last `limit` lines of `chunks`, still as chunks."""
    kept: list[LogChunk] = []
    room = limit
    for chunk in reversed(chunks):
        if room <= 0:
            break
        if len(chunk.lines) <= room:
            kept.append(chunk)
        else:
            kept.append(tail(chunk, room))
        room -= len(chunk.lines)
    kept.reverse()
    return kept


def tail(chunk: LogChunk, count: int) -> LogChunk:
    """The last `count` lines of `chunk` (all of it when it has fewer)."""
    skip = max(0, len(chunk.lines) - count)
    times: list[tuple[datetime, int]] = []
    for at, run in chunk.times:
        if skip >= run:
            skip -= run
            continue
        times.append((at, run - skip))
        skip = 0
    return LogChunk(chunk.source, chunk.lines[max(0, len(chunk.lines) - count) :], times)
