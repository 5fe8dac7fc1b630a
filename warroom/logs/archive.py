"""Archiving ingested log lines with the incident: a bounded queue in front of the store, and
the lease that makes one terminal, of all those watching an incident, the one that writes.

No Textual here. Ingest never drops a line for the store's sake: while more than
`PENDING_LINES` wait to be written, the sources are read more slowly (`Archiver.room`), so a
flood beyond what the store can take slows the tail down instead of leaving lines out.
Lines go to the store a chunk at a time (`warroom.logchunks`), their times found off the
event loop; nothing is done per line on the loop.

Every terminal on an incident runs its own copy of each source and so sees the same lines.
Only the holder of the incident's capture lease archives them; the others keep a bounded
backlog of what they saw. When the holder stops (it releases the lease) or crashes (it stops
renewing and the lease runs out), another terminal's renewal takes the lease and archives,
from its backlog, what comes after the line the last holder archived from each source.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import Protocol

from warroom.logchunks import LogChunk, Row, chunks_of, line_count, merged, rows_of
from warroom.logs.parse import line_time
from warroom.logs.step_aside import StepAside

__all__ = ["PENDING_LINES", "Archiver", "Capture", "LogChunk", "Row", "timed", "unarchived"]

PENDING_LINES = 200_000
"""Lines offered and not yet written past which the sources wait (`Archiver.room`): about
half a second of a flood at full speed, hours of a real `fly logs` stream."""

LINGER_SECONDS = 0.5
"""How long lines that do not fill a batch wait for more before they are written. A `fly logs`
stream at 15 lines/s comes a line or two at a time, and a write per chunk (a thread hop, a
transaction, a commit) was a quarter of the demo's CPU (bench/cpu.py). A crash loses at most
this much of the capture; the sources' own logs still hold it."""


class Capture(Protocol):
    """An incident's log archive as every terminal watching it shares it."""

    renew_seconds: float
    """How often the holder renews its lease: well inside the lease, so a slow write or a
    busy moment does not lose it."""

    async def claim(self) -> bool:
        """Take or renew the lease; False while another terminal holds it."""
        ...

    async def keep(self, chunks: Sequence[LogChunk]) -> bool:
        """Archive `chunks` if this terminal still holds the lease; False (nothing kept) if
        another took it over."""
        ...

    async def newest(self) -> Mapping[str, tuple[datetime, str]]:
        """Each source's (logged_at, line) archived last, by whichever terminal."""
        ...

    async def release(self) -> None:
        """Give the lease up, so another terminal takes over without waiting it out."""
        ...


def unarchived(backlog: Sequence[Row], newest: Mapping[str, tuple[datetime, str]]) -> list[Row]:
    """The rows of `backlog` (this terminal's copy of the stream) the last capturer did not
    archive, in order.

    Per source: what follows the last row equal to the one archived last. When the backlog
    does not reach back to that row, the rows logged strictly after it: lines of the same
    instant cannot be told from ones already archived, and doubling them would be guessing.
    """
    resume: dict[str, int] = {}
    for index, (at, source, line) in enumerate(backlog):
        if newest.get(source) == (at, line):
            resume[source] = index
    kept = []
    for index, row in enumerate(backlog):
        at, source, _ = row
        last = newest.get(source)
        if last is None:
            kept.append(row)
        elif source in resume:
            if index > resume[source]:
                kept.append(row)
        elif at > last[0]:
            kept.append(row)
    return kept


_SECOND_STAMP = itemgetter(slice(0, 21))
"""What an entry stamped to the second starts with, space included: `2026-12-03T03:00:09Z `."""


def timed(source: str, lines: Sequence[str], since: datetime) -> LogChunk:
    """`lines` of `source` with their times: an entry's own stamp; a continuation line (or
    noise) is logged at the entry before it, and before any entry at `since`.

    Runs in a worker thread, but holds the GIL the event loop needs for as long as it runs:
    lines in a row that start with the same stamp to the second (a flood of `fly logs` is
    thousands a second) are counted as one group, in C, and only other lines are looked at
    one at a time. 20,000 flood lines: 5.8 ms one at a time, 1.4 ms grouped."""
    times: list[tuple[datetime, int]] = []
    last, run = since, 0

    def add(when: datetime | None, count: int) -> None:
        nonlocal last, run
        if when is None or when == last:
            run += count
            return
        if run:
            times.append((last, run))
        last, run = when, count

    for prefix, group in groupby(lines, _SECOND_STAMP):
        members = list(group)
        if prefix[19:] == "Z " and (when := line_time(prefix)) is not None:
            add(when, len(members))
        else:
            for raw in members:
                add(line_time(raw), 1)
    if run:
        times.append((last, run))
    return LogChunk(source, lines, times)


class Archiver:
    """Archives ingested lines with the incident in batches, off the ingest path, while this
    terminal holds the capture lease.

    `offer()` only queues; a task writes batches of up to `batch_lines` and renews the lease
    every `capture.renew_seconds`. Nothing is dropped for being slow: the source readers
    await `room()` between chunks, which waits while `max_pending_lines` are not yet written.
    Lines are counted in `dropped` only when the store refuses them (`error` says why). There
    is no cap here: the store keeps the newest lines (its rolling `cap`), so a long incident
    keeps its latest lines, not its first ones. Not holding the lease, the newest
    `backlog_lines` (about: whole chunks) are kept in memory for the moment this terminal
    takes over.
    """

    def __init__(
        self,
        capture: Capture,
        *,
        max_pending_lines: int = PENDING_LINES,
        batch_lines: int = 50_000,
        backlog_lines: int = 20_000,
        linger_seconds: float = LINGER_SECONDS,
        step_aside: StepAside | None = None,
    ) -> None:
        """A batch is neither timed nor written while `step_aside` is held (a key is being
        answered): both run beside the event loop, in threads that want the GIL the key's
        frame is drawn with."""
        self._capture = capture
        self._step_aside = step_aside
        self.linger_seconds = linger_seconds
        self.max_pending_lines = max_pending_lines
        self.batch_lines = batch_lines
        self.backlog_lines = backlog_lines
        self.archived = 0
        self.dropped = 0
        self.pending = 0
        """Lines offered and not yet archived (or kept in the backlog)."""
        self.error = ""
        """The last write error, '' when the last write succeeded."""
        self.capturing = False
        """True while this terminal holds the lease and so archives the incident's lines."""
        self._offered: deque[tuple[str, Sequence[str], datetime]] = deque()
        self._backlog: deque[LogChunk] = deque()
        self._backlog_count = 0
        self._renewed_at: float | None = None
        self._last_time: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._batch_ready = asyncio.Event()
        """Set when a batch is full or the archiver closes: ends the wait for more lines."""
        self._room = asyncio.Event()
        self._room.set()
        self._closing = False
        self._unpaced = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="log-archiver")

    def offer(self, source: str, lines: Sequence[str]) -> None:
        """Queue `source`'s `lines` for archiving (never blocks, never drops)."""
        if not lines:
            return
        self._offered.append((source, lines, datetime.now(UTC)))
        self.pending += len(lines)
        if self.pending >= self.max_pending_lines and not self._unpaced:
            self._room.clear()
        if self.pending >= self.batch_lines:
            self._batch_ready.set()
        self._wake.set()

    async def room(self) -> None:
        """Return once fewer than `max_pending_lines` wait to be written; a source's reader
        awaits this before it reads on, so the store sets the pace of a flood it cannot take.
        """
        if not self._room.is_set() and self._task is not None and not self._unpaced:
            await self._room.wait()

    def stop_pacing(self) -> None:
        """Let every reader waiting in `room()` go on, now and from now: when the sources
        stop, a store that hangs must not hold their readers, and so the quit, with them."""
        self._unpaced = True
        self._room.set()

    def trouble(self) -> str:
        """What the screen says about the capture; '' while every line is being archived."""
        if self.error:
            return self.error
        said = []
        if not self._room.is_set():
            said.append(f"sources slowed for the store, {self.pending:,} lines to write")
        if self.dropped:
            said.append(f"{self.dropped:,} not archived")
        return ", ".join(said)

    async def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and give the lease up (up to `timeout` s), then stop."""
        task = self._task
        if task is None:
            return
        self._task = None
        self._closing = True
        self._batch_ready.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            task.cancel()

    async def _run(self) -> None:
        try:
            await self._write_until_closed()
            if self.capturing:
                try:
                    await self._capture.release()
                except Exception as exc:  # the lease then runs out by itself
                    self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._room.set()  # no reader may wait on a writer that is gone

    async def _write_until_closed(self) -> None:
        while True:
            if not self._offered:
                if self._closing:
                    return
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self._until_renewal())
                except TimeoutError:
                    await self._renew()
                continue
            await self._gather()
            await self._after_keys()
            batch = self._take()
            # Finding each line's time is the one thing done per line: in a worker thread.
            chunks = await asyncio.to_thread(self._timed, batch)
            await self._after_keys()
            await self._write(chunks)
            self.pending -= line_count(chunks)
            if self.pending <= self.max_pending_lines // 2:
                self._room.set()

    async def _after_keys(self) -> None:
        if self._step_aside is not None:
            await self._step_aside.wait()

    async def _gather(self) -> None:
        # A slow stream's lines wait a moment to make one write of many; a flood fills a
        # batch at once and a close writes at once. Woken only for those two, not per chunk.
        if self._closing or self.pending >= self.batch_lines:
            return
        self._batch_ready.clear()
        try:
            async with asyncio.timeout(self.linger_seconds):
                await self._batch_ready.wait()
        except TimeoutError:
            pass

    def _take(self) -> list[tuple[str, Sequence[str], datetime]]:
        batch = [self._offered.popleft()]
        count = len(batch[0][1])
        while self._offered and count < self.batch_lines:
            batch.append(self._offered.popleft())
            count += len(batch[-1][1])
        return batch

    def _timed(self, batch: Sequence[tuple[str, Sequence[str], datetime]]) -> list[LogChunk]:
        chunks = []
        for source, lines, arrived in batch:
            chunk = timed(source, lines, self._last_time.get(source, arrived))
            self._last_time[source] = chunk.times[-1][0]
            chunks.append(chunk)
        return merged(chunks)

    def _until_renewal(self) -> float:
        if self._renewed_at is None:
            return 0.0
        return max(0.0, self._renewed_at + self._capture.renew_seconds - time.monotonic())

    async def _write(self, chunks: list[LogChunk]) -> None:
        if not self.capturing:
            # Into the backlog before a renewal that may take the lease over: then these
            # lines are weighed against what the last holder archived, not written blind.
            self._keep_back(chunks)
            chunks = []
        if self._until_renewal() == 0.0:  # a flood never leaves the queue idle to renew
            await self._renew()
        if not chunks:
            return
        if self.capturing:
            await self._keep(chunks)
        else:
            self._keep_back(chunks)

    def _keep_back(self, chunks: Sequence[LogChunk]) -> None:
        self._backlog.extend(chunks)
        self._backlog_count += line_count(chunks)
        while self._backlog_count - len(self._backlog[0].lines) >= self.backlog_lines:
            self._backlog_count -= len(self._backlog.popleft().lines)

    async def _keep(self, chunks: Sequence[LogChunk]) -> None:
        count = line_count(chunks)
        try:
            kept = await self._capture.keep(chunks)
        except Exception as exc:  # a failing store must not stop the tail
            self.error = f"{type(exc).__name__}: {exc}"
            self.dropped += count
            return
        self.error = ""
        if kept:
            self.archived += count
        else:  # another terminal took the lease while this one was stalled
            self.capturing = False
            self._keep_back(chunks)

    async def _renew(self) -> None:
        self._renewed_at = time.monotonic()
        try:
            held = await self._capture.claim()
            if not held or self.capturing:
                self.capturing = held
                return
            # Taking over: what the last holder did not write is in this terminal's copy.
            newest = await self._capture.newest()
        except Exception as exc:  # tried again at the next renewal
            self.error = f"{type(exc).__name__}: {exc}"
            return
        self.capturing = True
        rows = unarchived(rows_of(self._backlog), newest)
        self._backlog.clear()
        self._backlog_count = 0
        if rows:
            await self._keep(chunks_of(rows))
