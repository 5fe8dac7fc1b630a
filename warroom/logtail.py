"""Streaming log sources: run each `fly logs` (any argv), keep it running, feed the buffer.

No Textual here; the pane is a thin view over `LogTail`.

- Each source runs as an asyncio subprocess **in its own process group** and is always killed
  as a group (SIGTERM, then SIGKILL after a grace period), so a `fly` that spawned helpers
  leaves nothing behind. `kill_all_sources()` does the same synchronously for every live
  group: call it from a SIGHUP/SIGTERM handler and atexit (see `install_exit_handlers`).
- Stdout is read in big chunks and split, never `readline()`: a per-line await halves
  throughput (perf-notes.md). Lines are parsed and filtered a chunk at a time and the
  listener is told once per chunk, never once per line.
- Any exit is "stream lost", exit 0 included (flyctl exits 0 when its stream closes):
  restart after 1 s, doubling to 30 s, back to 1 s once a run lasted a healthy minute. A
  source silent for longer than its `stale_after` is killed and restarted by a watchdog.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from types import FrameType

from warroom.logbuffer import LogBuffer
from warroom.logfilter import FilterSpec
from warroom.logparse import JsonParser, line_time
from warroom.playbook import LogSource
from warroom.safetext import decode, strip_sgr, visible

CHUNK_BYTES = 256 * 1024
"""Bytes read per chunk: big enough to amortise the await, small enough that parsing one
chunk (~2,500 lines, a few ms) never holds the event loop long."""
MAX_LINE_BYTES = 1024 * 1024
"""A 'line' longer than this without a newline is cut into pieces rather than held."""
MAX_RECORD_CHARS = 10_000
"""Characters of one line kept in the buffer; the rest is replaced by a marker."""

Archive = Callable[[Sequence[tuple[datetime, str, str]]], Awaitable[object]]
"""Stores (logged_at, source, raw line) rows with the incident, e.g.
`functools.partial(store.archive_log_lines, incident_id)`."""

_LIVE_GROUPS: set[int] = set()
"""Process groups of running sources. Module-level on purpose: a signal handler or atexit
hook has no other way to reach them."""


def kill_all_sources(grace: float = 0.3) -> None:
    """Kill every running source's process group: SIGTERM, then SIGKILL after `grace` s.

    Synchronous and safe from a signal handler or atexit. Wiring (in the app/CLI):
    `atexit.register(kill_all_sources)` plus, for SIGHUP and SIGTERM, a handler that calls
    this before exiting (`install_exit_handlers()` or the event loop's `add_signal_handler`).
    """
    groups = list(_LIVE_GROUPS)
    for pgid in groups:
        _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    alive = groups
    while alive and time.monotonic() < deadline:
        time.sleep(0.01)
        alive = [pgid for pgid in alive if _group_has_live_members(pgid)]
    for pgid in groups:
        _signal_group(pgid, signal.SIGKILL)
    _LIVE_GROUPS.difference_update(groups)


def install_exit_handlers() -> None:
    """Make SIGHUP (terminal closed, tmux killed, SSH dropped), SIGTERM and normal exit kill
    every source's process group. Call once from the main thread before the app runs.

    A previous Python-level handler still runs afterwards; otherwise the signal's default
    action (terminate) is taken.
    """
    atexit.register(kill_all_sources)
    for signum in (signal.SIGHUP, signal.SIGTERM):
        previous = signal.getsignal(signum)

        def handler(num: int, frame: FrameType | None, previous: object = previous) -> None:
            kill_all_sources()
            if callable(previous):
                previous(num, frame)
                return
            signal.signal(num, signal.SIG_DFL)
            os.kill(os.getpid(), num)

        signal.signal(signum, handler)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _group_has_live_members(pgid: int) -> bool:
    """Whether any process of the group still runs; zombies (dead, not yet reaped) don't."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state, ppid, pgrp, ...
            state, _ppid, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


async def _until_group_gone(pgid: int, timeout: float) -> None:
    """SIGKILL is delivered asynchronously: wait (bounded) until no member still runs."""
    deadline = time.monotonic() + timeout
    while _group_has_live_members(pgid) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


class SourceState(StrEnum):
    """Where a source is in its life."""

    STARTING = "starting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    STALE = "stale"
    NOT_FOUND = "not found"
    STOPPED = "stopped"


@dataclass(frozen=True)
class SourceStatus:
    """A source's state as the pane shows it."""

    source: str
    state: SourceState = SourceState.STARTING
    retry_at: datetime | None = None
    """When the next start is due (reconnecting, stale, not found)."""
    exit_code: int | None = None
    """How the last run ended (negative: killed by that signal)."""
    last_stderr: str = ""
    """The last non-empty stderr line of the last run, made safe to show."""
    stale_since: datetime | None = None
    """When the source last printed anything, while it is considered stale."""
    detail: str = ""
    """A plain sentence for states that need one (not found)."""

    def describe(self, now: datetime | None = None, tz: tzinfo = UTC) -> str:
        """One line: `streaming`, `reconnecting in 4s (exit 1: boom)`, `stale since …`."""
        now = now or datetime.now(UTC)
        retry = ""
        if self.retry_at is not None:
            retry = f"in {max(0, round((self.retry_at - now).total_seconds()))}s"
        if self.stale_since is not None and self.state != SourceState.STREAMING:
            text = f"stale since {self.stale_since.astimezone(tz):%H:%M:%S}"
            return f"{text}, restarting {retry}" if retry else f"{text}, restarting"
        if self.state == SourceState.NOT_FOUND:
            return f"not found: {self.detail}" + (f" (retry {retry})" if retry else "")
        if self.state == SourceState.RECONNECTING:
            why = [] if self.exit_code is None else [f"exit {self.exit_code}"]
            if self.last_stderr:
                why.append(self.last_stderr)
            reason = f" ({': '.join(why)})" if why else ""
            return f"reconnecting {retry}{reason}".replace("  ", " ")
        return str(self.state)


@dataclass(frozen=True)
class RestartPolicy:
    """Backoff between restarts; tests shrink it."""

    initial: float = 1.0
    maximum: float = 30.0
    healthy_after: float = 60.0
    """A run this long resets the delay to `initial`."""
    kill_grace: float = 2.0
    """Seconds between SIGTERM and SIGKILL."""


LinesCallback = Callable[[LogSource, list[str]], None]
StatusCallback = Callable[[SourceStatus], None]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Belt and braces for SIGKILL of warroom itself, where no handler can run.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class SourceRunner:
    """Keeps one source's process running and hands its stdout lines over, a chunk at a time."""

    def __init__(
        self,
        source: LogSource,
        *,
        on_lines: LinesCallback,
        on_status: StatusCallback,
        policy: RestartPolicy = RestartPolicy(),
    ) -> None:
        self.source = source
        self._on_lines = on_lines
        self._on_status = on_status
        self.policy = policy
        self.status = SourceStatus(source.name)
        self._task: asyncio.Task[None] | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._restart_now = False
        self._killer: asyncio.Task[int] | None = None
        self._last_data = time.monotonic()
        self._last_data_at = datetime.now(UTC)

    @property
    def pid(self) -> int | None:
        """Process id (= process group id) of the running process, if any."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the keep-alive loop as a task of the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"logsource:{self.source.name}")

    async def stop(self) -> None:
        """Kill the process group and end the loop."""
        self._stopping = True
        self._wake.set()
        if self._proc is not None:
            # SIGTERM, then SIGKILL: a leader that ignores SIGTERM must not keep us waiting.
            await self._kill(self._proc)
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._set(state=SourceState.STOPPED, retry_at=None)

    def restart(self) -> None:
        """Kill the running process (if any) and start again now, backoff reset."""
        self._restart_now = True
        self._wake.set()
        if self._proc is not None:
            self._killer = asyncio.create_task(self._kill(self._proc))

    def _set(self, **changes: object) -> None:
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]
        self._on_status(self.status)

    async def _run(self) -> None:
        delay = self.policy.initial
        while not self._stopping:
            started = time.monotonic()
            stale = False
            exit_code: int | None = None
            stderr = [""]
            try:
                proc = await asyncio.create_subprocess_exec(
                    *self.source.command,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,
                    limit=2 * CHUNK_BYTES,
                    preexec_fn=_die_with_parent if os.name == "posix" else None,
                )
            except FileNotFoundError:
                program = self.source.command[0] if self.source.command else "(empty command)"
                self._set(
                    state=SourceState.NOT_FOUND,
                    detail=f"{program!r} is not on PATH",
                    exit_code=None,
                    last_stderr="",
                )
            except OSError as exc:
                self._set(state=SourceState.RECONNECTING, exit_code=None, last_stderr=str(exc))
            else:
                self._proc = proc
                _LIVE_GROUPS.add(proc.pid)
                self._last_data = time.monotonic()
                # A stale source stays "stale since …" until it prints again.
                state = (
                    SourceState.STARTING if self.status.stale_since is None else self.status.state
                )
                self._set(state=state, retry_at=None, detail="")
                try:
                    stale = await self._pump(proc, stderr)
                finally:
                    exit_code = await self._kill(proc)
                    self._proc = None
                self.status = replace(self.status, exit_code=exit_code, last_stderr=stderr[0])
            if self._stopping:
                break
            if self._restart_now:
                self._restart_now = False
                delay = self.policy.initial
                self._set(state=SourceState.STARTING, stale_since=None, retry_at=None)
                continue
            if time.monotonic() - started >= self.policy.healthy_after:
                delay = self.policy.initial
            retry_at = datetime.now(UTC) + timedelta(seconds=delay)
            if stale:
                self._set(
                    state=SourceState.STALE, stale_since=self._last_data_at, retry_at=retry_at
                )
            elif self.status.state == SourceState.NOT_FOUND:
                self._set(retry_at=retry_at)
            else:
                self._set(state=SourceState.RECONNECTING, retry_at=retry_at)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            if self._restart_now:
                self._restart_now = False
                delay = self.policy.initial
                self.status = replace(self.status, stale_since=None)
            else:
                delay = min(delay * 2, self.policy.maximum)

    async def _pump(self, proc: asyncio.subprocess.Process, stderr: list[str]) -> bool:
        """Read stdout until EOF (False) or silence longer than `stale_after` (True)."""
        assert proc.stdout is not None and proc.stderr is not None
        err_task = asyncio.create_task(_last_line(proc.stderr, stderr))
        read = proc.stdout.read
        stale_after = self.source.stale_after.total_seconds()
        partial = b""
        try:
            while True:
                timeout = stale_after - (time.monotonic() - self._last_data)
                try:
                    chunk = await asyncio.wait_for(read(CHUNK_BYTES), max(timeout, 0.0))
                except TimeoutError:
                    return True
                if not chunk:
                    if partial:
                        self._emit([partial])
                    return False
                self._last_data = time.monotonic()
                self._last_data_at = datetime.now(UTC)
                if self.status.state != SourceState.STREAMING:
                    self._set(state=SourceState.STREAMING, stale_since=None, retry_at=None)
                data = partial + chunk if partial else chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    partial = data
                    if len(partial) >= MAX_LINE_BYTES:
                        self._emit([partial])
                        partial = b""
                    continue
                partial = data[cut + 1 :]
                self._emit(data[:cut].split(b"\n"))
                # Let keys and repaints in between chunks even when the pipe never runs dry.
                await asyncio.sleep(0)
        finally:
            err_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await err_task

    def _emit(self, pieces: list[bytes]) -> None:
        text = strip_sgr(decode(b"\n".join(pieces)))
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        if len(text) > MAX_RECORD_CHARS * len(lines):
            lines = [_cut(line) for line in lines]
        self._on_lines(self.source, lines)

    async def _kill(self, proc: asyncio.subprocess.Process) -> int:
        """SIGTERM the group, SIGKILL it after the grace period; return the exit code."""
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            code = await asyncio.wait_for(proc.wait(), self.policy.kill_grace)
        except TimeoutError:
            _signal_group(proc.pid, signal.SIGKILL)
            code = await proc.wait()
        # Members that outlived the leader (or ignored SIGTERM) go too.
        _signal_group(proc.pid, signal.SIGKILL)
        await _until_group_gone(proc.pid, timeout=2.0)
        _LIVE_GROUPS.discard(proc.pid)
        return code


def _cut(line: str) -> str:
    if len(line) <= MAX_RECORD_CHARS:
        return line
    return line[:MAX_RECORD_CHARS] + f" … [cut {len(line) - MAX_RECORD_CHARS:,} chars]"


async def _last_line(stream: asyncio.StreamReader, out: list[str]) -> None:
    """Keep the last non-empty line of `stream` in `out[0]` (bounded, made safe)."""
    tail = b""
    while chunk := await stream.read(65536):
        tail = (tail + chunk)[-4096:]
        lines = [ln for ln in tail.splitlines() if ln.strip()]
        if lines:
            out[0] = visible(strip_sgr(decode(lines[-1])).strip(), limit=200)


class Archiver:
    """Archives ingested records with the incident in batches, off the ingest path.

    `offer()` only queues; a task writes batches of up to `batch_lines`. When the queue is
    full (the store is slower than the flood) or `cap` lines were archived, records are
    counted in `dropped` instead of blocking ingest.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        cap: int = 1_000_000,
        max_pending: int = 64,
        batch_lines: int = 5_000,
    ) -> None:
        self._archive = archive
        self.cap = cap
        self.batch_lines = batch_lines
        self.archived = 0
        self.dropped = 0
        self.error = ""
        """The last write error, '' when the last write succeeded."""
        self._offered = 0
        self._queue: asyncio.Queue[tuple[str, list[str]] | None] = asyncio.Queue(max_pending)
        self._last_time: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="log-archiver")

    def offer(self, source: str, lines: list[str]) -> None:
        """Queue `source`'s `lines` for archiving (never blocks)."""
        room = self.cap - self._offered
        if room <= 0:
            self.dropped += len(lines)
            return
        if len(lines) > room:
            self.dropped += len(lines) - room
            lines = lines[:room]
        try:
            self._queue.put_nowait((source, lines))
        except asyncio.QueueFull:
            self.dropped += len(lines)
            return
        self._offered += len(lines)

    async def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (up to `timeout` s), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._task.cancel()
        self._task = None

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


BatchCallback = Callable[[int, int], None]
"""Called after each ingested chunk with (lines added, lines of them the filter shows)."""


@dataclass
class LogTail:
    """All log sources of a playbook feeding one buffer.

    Create inside a running event loop's lifetime, `start()` it, `await stop()` it. The
    listener callbacks run on the event loop; keep them cheap (set a flag, count).
    """

    sources: Sequence[LogSource]
    max_lines: int = 100_000
    archive: Archive | None = None
    archive_cap: int = 1_000_000
    on_batch: BatchCallback | None = None
    on_status: StatusCallback | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)
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
        if self.archive is not None:
            self.archiver = Archiver(self.archive, cap=self.archive_cap)

    def start(self) -> None:
        """Spawn every source (and the archiver)."""
        if self.archiver is not None:
            self.archiver.start()
        for source in self.sources:
            if source.name in self.runners:
                continue
            runner = SourceRunner(
                source, on_lines=self._lines, on_status=self._status, policy=self.policy
            )
            self.runners[source.name] = runner
            runner.start()

    async def stop(self) -> None:
        """Kill every source's process group and flush the archive."""
        await asyncio.gather(*(r.stop() for r in self.runners.values()))
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
        shown = self.buffer.extend(source, lines)
        if self.archiver is not None:
            self.archiver.offer(source, lines)
        if self.on_batch is not None:
            self.on_batch(len(lines), shown)
        return len(lines)

    def _lines(self, source: LogSource, lines: list[str]) -> None:
        self.ingest(source.name, lines)

    def _status(self, status: SourceStatus) -> None:
        self.statuses[status.source] = status
        if self.on_status is not None:
            self.on_status(status)
