"""Archiving ingested log lines with the incident: a bounded queue in front of the store.

No Textual here. Ingest never waits on the store: a full queue counts lines as dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from warroom.logs.parse import line_time

Archive = Callable[[Sequence[tuple[datetime, str, str]]], Awaitable[object]]
"""Stores (logged_at, source, raw line) rows with the incident, e.g.
`functools.partial(store.archive_log_lines, incident_id)`."""


class Archiver:
    """Archives ingested records with the incident in batches, off the ingest path.

    `offer()` only queues; a task writes batches of up to `batch_lines`. When the queue is
    full (the store is slower than the flood), records are counted in `dropped` instead of
    blocking ingest. There is no cap here: the store keeps the newest lines (its rolling
    `cap`), so a long incident keeps its latest lines, not its first ones.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        max_pending: int = 64,
        batch_lines: int = 5_000,
    ) -> None:
        self._archive = archive
        self.batch_lines = batch_lines
        self.archived = 0
        self.dropped = 0
        self.error = ""
        """The last write error, '' when the last write succeeded."""
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
        """Write what is queued (up to `timeout` s), then stop."""
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

    def _rows(self, source: str, lines: list[str]) -> list[tuple[datetime, str, str]]:
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
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            rows = self._rows(*batch)
            done = False
            while len(rows) < self.batch_lines and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    done = True
                    break
                rows.extend(self._rows(*more))
            try:
                await self._archive(rows)
            except Exception as exc:  # a failing store must not stop the tail
                self.error = f"{type(exc).__name__}: {exc}"
                self.dropped += len(rows)
            else:
                self.error = ""
                self.archived += len(rows)
            if done:
                return
