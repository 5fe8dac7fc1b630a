"""Archiving ingested log lines with the incident: a bounded queue in front of the store, and
the lease that makes one terminal, of all those watching an incident, the one that writes.

No Textual here. Ingest never waits on the store: a full queue counts lines as dropped.

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
from typing import Protocol

from warroom.logs.parse import line_time

Row = tuple[datetime, str, str]
"""An archived line: (logged_at, source, raw line)."""


class Capture(Protocol):
    """An incident's log archive as every terminal watching it shares it."""

    renew_seconds: float
    """How often the holder renews its lease: well inside the lease, so a slow write or a
    busy moment does not lose it."""

    async def claim(self) -> bool:
        """Take or renew the lease; False while another terminal holds it."""
        ...

    async def keep(self, rows: Sequence[Row]) -> bool:
        """Archive `rows` if this terminal still holds the lease; False (nothing kept) if
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


class Archiver:
    """Archives ingested records with the incident in batches, off the ingest path, while
    this terminal holds the capture lease.

    `offer()` only queues; a task writes batches of up to `batch_lines` and renews the lease
    every `capture.renew_seconds`. When the queue is full (the store is slower than the
    flood), records are counted in `dropped` instead of blocking ingest. There is no cap
    here: the store keeps the newest lines (its rolling `cap`), so a long incident keeps its
    latest lines, not its first ones. Not holding the lease, the newest `backlog_lines` are
    kept in memory for the moment this terminal takes over.
    """

    def __init__(
        self,
        capture: Capture,
        *,
        max_pending: int = 64,
        batch_lines: int = 5_000,
        backlog_lines: int = 20_000,
    ) -> None:
        self._capture = capture
        self.batch_lines = batch_lines
        self.archived = 0
        self.dropped = 0
        self.error = ""
        """The last write error, '' when the last write succeeded."""
        self.capturing = False
        """True while this terminal holds the lease and so archives the incident's lines."""
        self._backlog: deque[Row] = deque(maxlen=backlog_lines)
        self._renewed_at: float | None = None
        self._queue: asyncio.Queue[tuple[str, list[str]] | None] = asyncio.Queue(max_pending)
        self._last_time: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="log-archiver")

    def offer(self, source: str, lines: list[str]) -> None:
        """Queue `source`'s `lines` for archiving (never blocks; dropped on a full queue)."""
        try:
            self._queue.put_nowait((source, lines))
        except asyncio.QueueFull:
            self.dropped += len(lines)

    async def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and give the lease up (up to `timeout` s), then stop."""
        task = self._task
        if task is None:
            return
        self._task = None

        async def finish() -> None:
            # The end marker goes behind what is queued; on a full queue, `put` waits
            # until the writer has taken a batch off it.
            if not task.done():
                await self._queue.put(None)
            await asyncio.shield(task)

        try:
            await asyncio.wait_for(finish(), timeout)
        except TimeoutError:
            task.cancel()

    def _rows(self, source: str, lines: list[str]) -> list[Row]:
        # A continuation line (or noise) is logged at its entry's time, else at arrival.
        last = self._last_time.get(source) or datetime.now(UTC)
        rows = []
        for raw in lines:
            when = line_time(raw)
            if when is None:
                when = last
            else:
                last = when
            rows.append((when, source, raw))
        self._last_time[source] = last
        return rows

    async def _run(self) -> None:
        await self._write_until_closed()
        if self.capturing:
            try:
                await self._capture.release()
            except Exception as exc:  # the lease then runs out by itself
                self.error = f"{type(exc).__name__}: {exc}"

    async def _write_until_closed(self) -> None:
        # One pending get for the whole run: cancelling a get on every renewal could lose
        # the batch it was just handed.
        getter: asyncio.Task[tuple[str, list[str]] | None] | None = None
        try:
            while True:
                if getter is None:
                    getter = asyncio.ensure_future(self._queue.get())
                done, _ = await asyncio.wait({getter}, timeout=self._until_renewal())
                if not done:
                    await self._renew()
                    continue
                batch, getter = getter.result(), None
                if batch is None:
                    return
                rows = self._rows(*batch)
                end = False
                while len(rows) < self.batch_lines and not self._queue.empty():
                    more = self._queue.get_nowait()
                    if more is None:
                        end = True
                        break
                    rows.extend(self._rows(*more))
                await self._write(rows)
                if end:
                    return
        finally:
            if getter is not None:
                getter.cancel()

    def _until_renewal(self) -> float:
        if self._renewed_at is None:
            return 0.0
        return max(0.0, self._renewed_at + self._capture.renew_seconds - time.monotonic())

    async def _write(self, rows: list[Row]) -> None:
        if self._until_renewal() == 0.0:  # a flood never leaves the queue idle to renew
            await self._renew()
        if self.capturing:
            await self._keep(rows)
        else:
            self._backlog.extend(rows)

    async def _keep(self, rows: list[Row]) -> None:
        try:
            kept = await self._capture.keep(rows)
        except Exception as exc:  # a failing store must not stop the tail
            self.error = f"{type(exc).__name__}: {exc}"
            self.dropped += len(rows)
            return
        self.error = ""
        if kept:
            self.archived += len(rows)
        else:  # another terminal took the lease while this one was stalled
            self.capturing = False
            self._backlog.extend(rows)

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
        rows = unarchived(self._backlog, newest)
        self._backlog.clear()
        if rows:
            await self._keep(rows)
