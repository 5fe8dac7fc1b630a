"""One log source's process: run it (`fly logs`, any argv), keep it running, hand lines over.

No Textual here; `warroom.logs.tail.LogTail` ties the runners to the buffer.

- Each run is spawned in its own process group and killed as a group (`warroom.procgroups`).
- Stdout is read in big chunks and split, never `readline()`: a per-line await halves
  throughput (measured on 2 cores: `read()` + split + search 1.04 M lines/s, a `readline()`
  loop 0.51 M). The listener is told once per chunk, never once per line; a chunk is
  decoded, rid of its colours (`safetext.SgrStripper`) and split into lines once.
- Any exit is "stream lost", exit 0 included (flyctl exits 0 when its stream closes):
  restart after 1 s, doubling to 30 s, back to 1 s once a run lasted a healthy minute. A
  source silent for longer than its `stale_after` is killed and restarted by a watchdog.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any, NamedTuple

from warroom.playbook import LogSource
from warroom.procgroups import kill_group, spawn_group
from warroom.safetext import SgrStripper, decode, strip_sgr, visible

CHUNK_BYTES = 256 * 1024
"""Bytes read per chunk: big enough to amortise the await, small enough that parsing one
chunk (~2,500 lines, a few ms) never holds the event loop long."""
MAX_LINE_BYTES = 1024 * 1024
"""A 'line' longer than this without a newline is cut into pieces rather than held."""


class SourceState(StrEnum):
    """Where a source is in its life."""

    STARTING = "starting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    STALE = "stale"
    NOT_FOUND = "not found"
    STOPPED = "stopped"


class SourceStatus(NamedTuple):
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
            since = self.stale_since.astimezone(tz)
            text = f"stale since {since:%H:%M:%S} {since.tzname()}"
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


class RestartPolicy(NamedTuple):
    """Backoff between restarts; tests shrink it."""

    initial: float = 1.0
    maximum: float = 30.0
    healthy_after: float = 60.0
    """A run this long resets the delay to `initial`."""
    kill_grace: float = 2.0
    """Seconds between SIGTERM and SIGKILL."""


LinesCallback = Callable[[LogSource, list[str]], None]
StatusCallback = Callable[[SourceStatus], None]
Pace = Callable[[], Awaitable[None]]


class SourceRunner:
    """Keeps one source's process running and hands its stdout lines over, a chunk at a time."""

    def __init__(
        self,
        source: LogSource,
        *,
        on_lines: LinesCallback,
        on_status: StatusCallback,
        policy: RestartPolicy = RestartPolicy(),
        pace: Pace | None = None,
    ) -> None:
        """`pace` is awaited after each chunk before the next is read: the archive's
        back-pressure (`warroom.logs.archive.Archiver.room`), a key being answered
        (`warroom.logs.step_aside`)."""
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
        self._pace = pace
        self._colours = SgrStripper()
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

    async def stop(self, *, grace: float | None = None) -> None:
        """Kill the process group and end the loop; `grace` (default the policy's) is how
        long SIGTERM may take before SIGKILL."""
        self._stopping = True
        self._wake.set()
        if self._proc is not None:
            # SIGTERM, then SIGKILL: a leader that ignores SIGTERM must not keep us waiting.
            await self._kill(self._proc, grace)
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

    def _set(self, **changes: Any) -> None:
        self.status = self.status._replace(**changes)
        self._on_status(self.status)

    async def _run(self) -> None:
        delay = self.policy.initial
        while not self._stopping:
            started = time.monotonic()
            stale = False
            exit_code: int | None = None
            stderr = [""]
            try:
                proc = await spawn_group(self.source.command, limit=2 * CHUNK_BYTES)
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
                self.status = self.status._replace(exit_code=exit_code, last_stderr=stderr[0])
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
                self.status = self.status._replace(stale_since=None)
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
                        self._emit(partial)
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
                        self._emit(partial)
                        partial = b""
                    continue
                partial = data[cut + 1 :]
                self._emit(data[:cut])
                # Let keys and repaints in between chunks even when the pipe never runs dry.
                await asyncio.sleep(0)
                if self._pace is not None:
                    await self._pace()
        finally:
            err_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await err_task

    def _emit(self, data: bytes) -> None:
        # The whole chunk is decoded, cleaned and split once: per-line work here is what
        # the event loop spends a flood on.
        text = self._colours.plain(decode(data))
        if "\r" in text:
            text = text.replace("\r\n", "\n").removesuffix("\r")
        self._on_lines(self.source, text.split("\n"))

    async def _kill(self, proc: asyncio.subprocess.Process, grace: float | None = None) -> int:
        """SIGTERM the group, SIGKILL it after the grace period; return the exit code."""
        return await kill_group(proc, self.policy.kill_grace if grace is None else grace)


async def _last_line(stream: asyncio.StreamReader, out: list[str]) -> None:
    """Keep the last non-empty line of `stream` in `out[0]` (bounded, made safe)."""
    tail = b""
    while chunk := await stream.read(65536):
        tail = (tail + chunk)[-4096:]
        lines = [ln for ln in tail.splitlines() if ln.strip()]
        if lines:
            out[0] = visible(strip_sgr(decode(lines[-1])).strip(), limit=200)
