"""Log blocks as every backend stores them: one source's consecutive lines zlib-compressed,
their times as (time, count) runs, and the matching done on them in a worker thread.

What differs between backends is only the SQL around a block (`sqlite_logs`,
`postgres_logs`); the encoding, the decoding and the scans of the archive are here, so that a
block written by one backend reads back the same through another (`warroom db copy`).
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import accumulate, compress
from typing import Any

from warroom.logchunks import LogChunk, Row, line_times, tail
from warroom.store.protocol import LineSelector
from warroom.store.sqlite_schema import from_db_time, to_db_time

Block = tuple[str, str, str, int, str, str, bytes]
"""A chunk as stored: source, first_at, last_at, line count, times (JSON), encoding, body."""

_LEVEL = 1
"""zlib's fastest level: log lines shrink ~12× even so, and a flood must not wait on it."""


def encode(chunks: Sequence[LogChunk]) -> list[Block]:
    """Chunks as blocks to insert (CPU work: run it off the event loop)."""
    return [_encode(chunk) for chunk in chunks if chunk.lines]


def _encode(chunk: LogChunk) -> Block:
    text = "\n".join(chunk.lines)
    if text.count("\n") == len(chunk.lines) - 1:
        encoding = "lines"
    else:  # a line holds a newline of its own: newline-joined text could not be split back
        encoding, text = "json", json.dumps(list(chunk.lines), ensure_ascii=False)
    body = zlib.compress(text.encode("utf-8", "surrogatepass"), _LEVEL)
    times = [(to_db_time(at), count) for at, count in chunk.times]
    return (
        chunk.source,
        times[0][0],
        times[-1][0],
        len(chunk.lines),
        json.dumps(times),
        encoding,
        body,
    )


def block_lines(encoding: str, body: Any) -> list[str]:
    """A stored block's lines, all of them (its `skip` is the caller's to apply)."""
    if encoding == "text":  # one line of an archive from before blocks, stored as it was
        return [str(body)]
    text = zlib.decompress(body).decode("utf-8", "surrogatepass")
    if encoding == "json":
        lines: list[str] = json.loads(text)
        return lines
    return text.split("\n")


def _rows(source: str, skip: int, times: str, encoding: str, body: Any) -> list[Row]:
    stamps = line_times([(from_db_time(at), count) for at, count in json.loads(times)])
    lines = block_lines(encoding, body)
    return [(at, source, line) for at, line in zip(stamps[skip:], lines[skip:], strict=True)]


def matching(blocks: Sequence[Any], needle: str, limit: int) -> list[Row]:
    """Up to `limit` lines containing `needle` (casefolded; "" takes any), newest first, of
    (id, source, skip, times, encoding, body) blocks read newest first."""
    found: list[Row] = []
    for _, source, skip, times, encoding, body in blocks:
        rows = _rows(source, skip, times, encoding, body)
        if not needle:
            found += reversed(rows[-(limit - len(found)) :])
            if len(found) == limit:
                return found
            continue
        for row in reversed(rows):
            if needle in row[2].casefold():
                found.append(row)
                if len(found) == limit:
                    return found
    return found


def last_lines(
    blocks: Sequence[Any], as_time: Callable[[Any], datetime] = from_db_time
) -> dict[str, tuple[datetime, str]]:
    """Source -> (last_at, last line) of (source, last_at, encoding, body) blocks; `as_time`
    reads `last_at` as the backend keeps it (the stored UTC text by default)."""
    return {
        source: (as_time(last_at), block_lines(encoding, body)[-1])
        for source, last_at, encoding, body in blocks
    }


class Scan:
    """A whole-archive search's state from block to block; `feed` runs in a worker thread."""

    def __init__(
        self, selector: LineSelector, since: datetime | None, until: datetime | None, limit: int
    ) -> None:
        self.selector = selector
        self.since = since
        self.until = until
        self.limit = limit
        self.rows: list[Row] = []
        self.total = 0
        self.levels: dict[str, str] = {}
        """Each source's level so far, for continuation lines, carried across its blocks."""

    def feed(self, blocks: Sequence[Any]) -> None:
        for _, source, skip, times, encoding, body in blocks:
            lines = block_lines(encoding, body)
            runs = [(from_db_time(at), count) for at, count in json.loads(times)]
            if skip:
                kept = tail(LogChunk(source, lines, runs), len(lines) - skip)
                lines, runs = list(kept.lines), list(kept.times)
            found = self.selector.select(lines, [source] * len(lines), 0, self.levels)
            if self._straddles(runs):
                inside = self._inside(runs)
                found = list(compress(found, [inside[i] for i in found]))
            self.total += len(found)
            room = self.limit - len(self.rows)
            if room > 0 and found:
                ends = list(accumulate(count for _, count in runs))
                self.rows += [
                    (runs[bisect_right(ends, i)][0], source, lines[i]) for i in found[:room]
                ]

    def _straddles(self, runs: Sequence[tuple[datetime, int]]) -> bool:
        """Whether some of a block's lines lie outside the range: then each is checked."""
        if not runs:
            return False
        return (self.since is not None and min(runs)[0] < self.since) or (
            self.until is not None and max(runs)[0] > self.until
        )

    def _inside(self, runs: Sequence[tuple[datetime, int]]) -> list[bool]:
        since, until = self.since, self.until
        inside: list[bool] = []
        for at, count in runs:
            inside += [(since is None or at >= since) and (until is None or at <= until)] * count
        return inside
