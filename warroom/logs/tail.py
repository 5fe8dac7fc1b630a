"""All log sources of a playbook feeding one buffer: runners, parser, buffer, filter, archive.

No Textual here; the pane is a thin view over `LogTail`. The pieces live next door:
`warroom.logs.source` keeps each source's process running (`SourceRunner`, statuses, backoff),
`warroom.procgroups` kills sources as process groups (also on exit), `warroom.logs.archive`
archives lines with the incident. Lines are parsed and filtered a chunk at a time and the
listener is told once per chunk, never once per line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from warroom.logs.archive import Archiver, Capture
from warroom.logs.buffer import LogBuffer
from warroom.logs.filter import FilterSpec
from warroom.logs.parse import JsonParser
from warroom.logs.source import RestartPolicy, SourceRunner, SourceStatus, StatusCallback
from warroom.logs.step_aside import StepAside
from warroom.playbook import LogSource
from warroom.safetext import cut

MAX_SHOWN_CHARS = 10_000
"""Characters of one line kept in the buffer (the screen's copy); the archive keeps it whole
(up to `warroom.logs.source.MAX_LINE_BYTES`)."""

BatchCallback = Callable[[int, int], None]
"""Called after each ingested chunk with (lines added, lines of them the filter shows)."""
LinesCallback = Callable[[str, list[str]], None]
"""Called with each ingested chunk: its source's name and its lines (parsed, whole)."""


QUIT_GRACE = 0.3
"""Seconds a source may take to end on SIGTERM when warroom quits."""


@dataclass
class LogTail:
    """All log sources of a playbook feeding one buffer.

    Create inside a running event loop's lifetime, `start()` it, `await stop()` it. The
    listener callbacks run on the event loop; keep them cheap (set a flag, count).
    """

    sources: Sequence[LogSource]
    max_lines: int = 100_000
    capture: Capture | None = None
    on_batch: BatchCallback | None = None
    on_status: StatusCallback | None = None
    on_lines: LinesCallback | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    step_aside: StepAside | None = None
    """Held while a key is answered: the sources wait between chunks (None: never)."""
    buffer: LogBuffer = field(init=False)
    statuses: dict[str, SourceStatus] = field(init=False)
    archiver: Archiver | None = field(init=False, default=None)
    runners: dict[str, SourceRunner] = field(init=False)
    _json: dict[str, JsonParser] = field(init=False)

    def __post_init__(self) -> None:
        self.buffer = LogBuffer(self.max_lines)
        self.statuses = {s.name: SourceStatus(s.name) for s in self.sources}
        self._json = {s.name: JsonParser() for s in self.sources if s.format == "json"}
        self.runners = {}
        if self.capture is not None:
            self.archiver = Archiver(self.capture, step_aside=self.step_aside)

    def start(self) -> None:
        """Spawn every source (and the archiver)."""
        if self.archiver is not None:
            self.archiver.start()
        for source in self.sources:
            if source.name in self.runners:
                continue
            runner = SourceRunner(
                source,
                on_lines=self._lines,
                on_status=self._status,
                policy=self.policy,
                pace=self._pace,
            )
            self.runners[source.name] = runner
            runner.start()

    async def stop(self) -> None:
        """Kill every source's process group and flush the archive.

        Quitting gives a source `QUIT_GRACE` seconds to end on SIGTERM, not the policy's
        grace for a restart: one that ignores SIGTERM must not hold the exit up.
        """
        if self.archiver is not None:
            self.archiver.stop_pacing()
        await asyncio.gather(*(r.stop(grace=QUIT_GRACE) for r in self.runners.values()))
        for name in self._json:
            self.ingest(name, [], flush=True)
        if self.archiver is not None:
            await self.archiver.close()

    def restart(self, name: str | None = None) -> None:
        """Restart one source (or all): kill its process group and start again now."""
        for runner_name, runner in self.runners.items():
            if name is None or runner_name == name:
                runner.restart()

    def set_filter(self, spec: FilterSpec) -> None:
        """Filter the buffer with `spec`; raises `FilterError` and keeps the old one."""
        self.buffer.set_filter(spec.compile())

    def ingest(self, source: str, lines: list[str], *, flush: bool = False) -> int:
        """Parse, buffer, archive and announce `lines` from `source`; returns lines added."""
        parser = self._json.get(source)
        if parser is not None:
            lines = parser.feed(lines)
            if flush:
                lines += parser.flush()
        if not lines:
            return 0
        shown = self.buffer.extend(source, _shown(lines))
        if self.archiver is not None:
            self.archiver.offer(source, lines)
        if self.on_lines is not None:
            self.on_lines(source, lines)
        if self.on_batch is not None:
            self.on_batch(len(lines), shown)
        return len(lines)

    async def _pace(self) -> None:
        # Between two chunks of a source: the archive may be behind, a key may be answered.
        if self.archiver is not None:
            await self.archiver.room()
        if self.step_aside is not None:
            await self.step_aside.wait()

    def _lines(self, source: LogSource, lines: list[str]) -> None:
        self.ingest(source.name, lines)

    def _status(self, status: SourceStatus) -> None:
        self.statuses[status.source] = status
        if self.on_status is not None:
            self.on_status(status)


def _shown(lines: list[str]) -> list[str]:
    if max(map(len, lines)) <= MAX_SHOWN_CHARS:
        return lines
    return [cut(line, MAX_SHOWN_CHARS) for line in lines]
