"""Running one prepared argv: its own process group, output as it comes, timeout and cancel.

`CommandRun` spawns the argv (never through a shell) as its own process group through
`warroom.procgroups`, the way log sources are; hands each complete output line (stdout and
stderr, as they come) to a listener, already made safe; and ends however the command ends
without raising: a missing program, a non-zero exit, a timeout or a cancel each become a
`RunResult` with a sentence saying so. A timeout or a cancel kills the whole group (SIGTERM,
SIGKILL after a grace), and so does the end of the leader: nothing it started lingers.
"""

from __future__ import annotations

import asyncio
import codecs
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import NamedTuple

from warroom.procgroups import kill_group, spawn_group
from warroom.safetext import cut, masked, strip_sgr, visible

MAX_STORED_BYTES = 1024 * 1024
"""The whole output kept with a run, in UTF-8 bytes; what comes after is counted, not kept."""
HEAD_LINES = 20
TAIL_LINES = 20
"""Lines of output kept in the event itself (the timeline, the post-mortem)."""
MAX_LINE_CHARS = 2_000
"""Characters of one line kept in the head and tail."""
KILL_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL of a timed-out or cancelled group."""
DRAIN_SECONDS = 1.0
"""How long output is still read once the group is gone (a helper that left the group with
`setsid` may hold the pipe open; it must not hold the run open)."""
CHUNK_BYTES = 64 * 1024
EXIT_POLL_SECONDS = 0.05


class Outcome(StrEnum):
    EXITED = "exited"
    TIMED_OUT = "timed out"
    CANCELLED = "cancelled"
    NOT_FOUND = "not found"
    FAILED = "failed"
    """It could not be started for another reason (not executable, ...)."""


OutputListener = Callable[[Sequence[str]], None]
"""Told each batch of complete output lines, as they come. The lines are safe to show:
colour codes dropped, every other control or escape character made visible
(`safetext.visible`), secrets masked; still plain text, so show them as `rich.text.Text`,
never as markup."""


class RunResult(NamedTuple):
    """How one run went. `argv` is as run, secrets masked; so is all the output."""

    name: str
    argv: tuple[str, ...]
    outcome: Outcome
    exit_code: int | None
    """The leader's exit status when it exited (negative: killed by that signal)."""
    duration: float
    """Seconds from start to the end of the run."""
    output: str
    """Everything it printed, lines joined by newlines, cut at MAX_STORED_BYTES."""
    output_chars: int
    """Characters it printed in all (a newline counted for each line), even those cut from
    `output`."""
    head: str
    tail: str
    """Its first HEAD_LINES lines, and the last TAIL_LINES after those (may be "")."""
    summary: str
    """One sentence: "exit 0 after 1.2s", "'fly' is not on PATH", "timed out after 2m0s; …"."""

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.EXITED and self.exit_code == 0


class CommandRun:
    """One run of an argv. `await run()` once; `cancel()` from anywhere in the loop."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        timeout: timedelta,
        on_output: OutputListener | None = None,
        secrets: Iterable[str] = (),
        kill_grace: float = KILL_GRACE,
    ) -> None:
        self.name = name
        self.secrets = tuple(secrets)
        self.argv = tuple(argv)
        self.timeout = timeout
        self._on_output = on_output
        self._kill_grace = kill_grace
        self._cancelled = asyncio.Event()
        self._output = _Output()
        self.pid: int | None = None
        """The leader's pid (= its process group id) once started."""

    def cancel(self) -> None:
        """End the run now: its whole process group is killed; the result says "cancelled"."""
        self._cancelled.set()

    async def run(self) -> RunResult:
        started = time.monotonic()
        try:
            proc = await spawn_group(self.argv, limit=2 * CHUNK_BYTES)
        except FileNotFoundError:
            program = self.argv[0] if self.argv else "(empty command)"
            where = "does not exist" if "/" in program else "is not on PATH"
            where += ", so nothing ran"
            return self._result(Outcome.NOT_FOUND, None, started, f"{program!r} {where}")
        except OSError as error:
            why = error.strerror or str(error)
            return self._result(Outcome.FAILED, None, started, f"cannot run it: {why}")
        self.pid = proc.pid
        assert proc.stdout is not None and proc.stderr is not None
        readers = [
            asyncio.create_task(self._read(proc.stdout)),
            asyncio.create_task(self._read(proc.stderr)),
        ]
        waiter = asyncio.create_task(_leader_exited(proc))
        stopper = asyncio.create_task(self._cancelled.wait())
        outcome = Outcome.TIMED_OUT
        try:
            done, _ = await asyncio.wait(
                {waiter, stopper},
                timeout=self.timeout.total_seconds(),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if waiter in done:
                outcome = Outcome.EXITED
            elif stopper in done:
                outcome = Outcome.CANCELLED
        finally:
            stopper.cancel()
            # Shielded: a run whose own task is cancelled still kills what it started.
            code = await asyncio.shield(kill_group(proc, self._kill_grace))
            waiter.cancel()
            await asyncio.wait(readers, timeout=DRAIN_SECONDS)
            for reader in readers:
                reader.cancel()
        return self._result(outcome, code, started, "")

    async def _read(self, stream: asyncio.StreamReader) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        partial = ""
        while chunk := await stream.read(CHUNK_BYTES):
            text = partial + decoder.decode(chunk)
            lines = text.replace("\r\n", "\n").split("\n")
            partial = lines.pop()
            if len(partial) >= MAX_STORED_BYTES:  # no newline in a megabyte: not held whole
                lines.append(partial)
                partial = ""
            self._emit(lines)
        rest = partial + decoder.decode(b"", final=True)
        if rest:
            self._emit([rest])

    def _emit(self, raw: list[str]) -> None:
        if not raw:
            return
        lines = [masked(visible(strip_sgr(line), limit=None), self.secrets) for line in raw]
        self._output.add(lines)
        if self._on_output is not None:
            self._on_output(lines)

    def _result(self, outcome: Outcome, code: int | None, started: float, why: str) -> RunResult:
        duration = time.monotonic() - started
        out = self._output
        return RunResult(
            name=self.name,
            argv=tuple(masked(arg, self.secrets) for arg in self.argv),
            outcome=outcome,
            exit_code=code if outcome == Outcome.EXITED else None,
            duration=duration,
            output=out.stored(),
            output_chars=out.chars,
            head="\n".join(cut(line, MAX_LINE_CHARS) for line in out.head),
            tail="\n".join(cut(line, MAX_LINE_CHARS) for line in out.tail),
            summary=masked(self._summary(outcome, code, duration, why), self.secrets),
        )

    def _summary(self, outcome: Outcome, code: int | None, duration: float, why: str) -> str:
        took = _seconds(duration)
        if outcome in (Outcome.NOT_FOUND, Outcome.FAILED):
            return why
        if outcome == Outcome.TIMED_OUT:
            limit = _seconds(self.timeout.total_seconds())
            return f"timed out after {limit}; it and everything it started were killed"
        if outcome == Outcome.CANCELLED:
            return f"cancelled after {took}; it and everything it started were killed"
        if code is not None and code < 0:
            return f"killed by signal {-code} after {took}"
        last = self._output.last_line()
        said = f" (last line: {cut(last, 200)})" if code and last else ""
        return f"exit {code} after {took}{said}"


async def _leader_exited(proc: asyncio.subprocess.Process) -> None:
    """Until the leader has exited. Not `proc.wait()`: that also waits for every pipe to
    close, which a helper the leader left running would put off for ever."""
    while proc.returncode is None:
        await asyncio.sleep(EXIT_POLL_SECONDS)


class _Output:
    """What a run printed: the head and tail kept apart, the whole capped for storage."""

    def __init__(self) -> None:
        self.head: list[str] = []
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.chars = 0
        self._kept: list[str] = []
        self._kept_bytes = 0
        self._cut_lines = 0

    def add(self, lines: list[str]) -> None:
        for line in lines:
            self.chars += len(line) + 1
            if len(self.head) < HEAD_LINES:
                self.head.append(line)
            else:
                self.tail.append(line)
            size = len(line.encode()) + 1
            if self._kept_bytes + size <= MAX_STORED_BYTES - _MARKER_ROOM:
                self._kept.append(line)
                self._kept_bytes += size
            else:
                self._cut_lines += 1

    def stored(self) -> str:
        text = "\n".join(self._kept)
        if self._cut_lines:
            text += f"\n… [cut {self._cut_lines:,} more lines: over 1 MiB of output]"
        return text

    def last_line(self) -> str:
        if self.tail:
            return self.tail[-1]
        return self.head[-1] if self.head else ""


_MARKER_ROOM = 100
"""Bytes kept free under MAX_STORED_BYTES for the line saying what was cut."""


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest}s"
