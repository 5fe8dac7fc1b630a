from __future__ import annotations

import asyncio
import itertools
import os
import select
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest

from tests.support.capture import SharedArchive, TerminalCapture
from tests.support.processes import pid_alive
from warroom import procgroups
from warroom.logs.archive import Capture
from warroom.logs.source import RestartPolicy, SourceState, SourceStatus
from warroom.logs.tail import LogTail
from warroom.playbook import LogSource

FAST = RestartPolicy(initial=0.05, maximum=0.2, healthy_after=60, kill_grace=0.5)


def script(tmp_path: Path, name: str, body: str) -> tuple[str, ...]:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return (sys.executable, str(path))


class Watch:
    """Collects statuses and counts lines; `until` awaits a condition, never sleeps."""

    def __init__(self) -> None:
        self.statuses: list[SourceStatus] = []
        self.lines = 0
        self._changed = asyncio.Event()

    def on_batch(self, added: int, shown: int) -> None:
        self.lines += added
        self._changed.set()

    def on_status(self, status: SourceStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    async def until(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        async def wait() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)

    def saw(self, state: SourceState) -> bool:
        return any(s.state == state for s in self.statuses)


Row = tuple[datetime, str, str]
"""What the tail archives: (logged_at, source, raw line)."""


def state_of(tail: LogTail, name: str) -> SourceState:
    """The source's state now (a call, so a check before an await says nothing of after)."""
    return tail.statuses[name].state


def make_tail(watch: Watch, *sources: LogSource, capture: Capture | None = None) -> LogTail:
    return LogTail(
        sources,
        on_batch=watch.on_batch,
        on_status=watch.on_status,
        policy=FAST,
        capture=capture,
    )


async def test_fakefly_streams_into_buffer() -> None:
    watch = Watch()
    cmd = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "slurpy-backend")
    tail = make_tail(watch, LogSource("backend", (*cmd, "--rate", "2000")))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 300)
        assert state_of(tail, "backend") == SourceState.STREAMING
        assert all(r.time is not None for r in tail.buffer.records())
        first = tail.buffer.get(0)
        assert first is not None and "\x1b" not in first.raw  # colours stripped at ingest
    finally:
        await tail.stop()
    assert state_of(tail, "backend") == SourceState.STOPPED


async def test_json_source(tmp_path: Path) -> None:
    watch = Watch()
    cmd = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "a", "--json")
    tail = make_tail(watch, LogSource("a", (*cmd, "--rate", "1000"), format="json"))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 20)
        records = list(tail.buffer.records())
        assert all(r.time is not None and r.instance for r in records)
        assert {r.level for r in records} <= {"info", "warn", "error"}
    finally:
        await tail.stop()


async def test_exit_zero_is_stream_lost_and_restarts(tmp_path: Path) -> None:
    cmd = script(tmp_path, "once", 'print("2026-01-01T00:00:00Z app[1] iad [info]hello")')
    watch = Watch()
    tail = make_tail(watch, LogSource("once", cmd))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 3)  # three runs, three lines
        lost = [s for s in watch.statuses if s.state == SourceState.RECONNECTING]
        assert lost and lost[0].exit_code == 0
        assert "reconnecting in" in lost[0].describe()
    finally:
        await tail.stop()


async def test_exit_one_shows_code_and_stderr_and_backs_off(tmp_path: Path) -> None:
    cmd = script(
        tmp_path,
        "fail",
        """
        import sys
        print("Error: not authenticated\\nrun fly auth login", file=sys.stderr)
        sys.exit(1)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("fail", cmd))
    tail.start()
    try:
        await watch.until(
            lambda: len([s for s in watch.statuses if s.state == SourceState.RECONNECTING]) >= 3
        )
    finally:
        await tail.stop()
    lost = [s for s in watch.statuses if s.state == SourceState.RECONNECTING]
    assert lost[0].exit_code == 1 and lost[0].last_stderr == "run fly auth login"
    assert "exit 1: run fly auth login" in lost[0].describe()
    retries = [s.retry_at for s in lost if s.retry_at is not None]
    assert len(retries) == len(lost)  # each reconnect says when
    delays = [(later - earlier) for earlier, later in itertools.pairwise(retries)]
    assert all(d.total_seconds() > 0 for d in delays)
    # 0.05, 0.1, 0.2: each wait doubles.
    assert retries[2] - retries[1] > retries[1] - retries[0]


async def test_stalled_source_goes_stale_and_is_restarted(tmp_path: Path) -> None:
    cmd = script(
        tmp_path,
        "stall",
        """
        import time
        print("2026-01-01T00:00:00Z app[1] iad [info]then silence", flush=True)
        time.sleep(600)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("stall", cmd, stale_after=timedelta(seconds=0.4)))
    tail.start()
    try:
        await watch.until(lambda: watch.saw(SourceState.STALE) and len(tail.buffer) >= 2)
        stale = next(s for s in watch.statuses if s.state == SourceState.STALE)
        assert stale.stale_since is not None
        assert stale.describe().startswith("stale since ")
    finally:
        await tail.stop()


async def test_missing_program_is_not_found() -> None:
    watch = Watch()
    tail = make_tail(watch, LogSource("fly", ("warroom-no-such-fly", "logs")))
    tail.start()
    try:
        await watch.until(lambda: watch.saw(SourceState.NOT_FOUND))
    finally:
        await tail.stop()
    status = next(s for s in watch.statuses if s.state == SourceState.NOT_FOUND)
    assert "'warroom-no-such-fly' is not on PATH" in status.describe()


async def test_hostile_lines_are_kept_and_bounded(tmp_path: Path) -> None:
    cmd = script(
        tmp_path,
        "hostile",
        r"""
        import sys, time
        out = sys.stdout.buffer
        out.write(b"osc52 \x1b]52;c;aGk=\x07 clear \x1b[2J [bold]markup[/]\n")
        out.write(b"nul \x00 bad utf8 \xff\xfe end\n")
        out.write(b"x" * 1_000_000 + b"\n")
        out.flush()
        time.sleep(600)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("h", cmd))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 3)
    finally:
        await tail.stop()
    lines = [r.raw for r in tail.buffer.records()]
    assert lines[0] == "osc52 \x1b]52;c;aGk=\x07 clear \x1b[2J [bold]markup[/]"
    assert lines[1] == "nul \x00 bad utf8 \ufffd\ufffd end"
    assert len(lines[2]) < 10_100 and lines[2].endswith("[cut 990,000 chars]")


async def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    cmd = script(
        tmp_path,
        "family",
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a stubborn leader needs SIGKILL
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pids)!r}, "w").write(f"{{os.getpid()}} {{child.pid}}")
        print("2026-01-01T00:00:00Z app[1] iad [info]up", flush=True)
        time.sleep(600)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("fam", cmd))
    tail.start()
    await watch.until(lambda: len(tail.buffer) >= 1)
    leader, child = map(int, pids.read_text().split())
    await tail.stop()
    assert not pid_alive(leader) and not pid_alive(child)


async def test_archive_receives_batches_with_times(tmp_path: Path) -> None:
    shared = SharedArchive()
    calls = 0

    async def count() -> None:
        nonlocal calls
        calls += 1

    capture = TerminalCapture(shared, "ann", renew_seconds=60, writing=count)

    cmd = script(
        tmp_path,
        "burst",
        """
        import sys, time
        for i in range(3000):
            print(f"2026-01-01T00:00:{i % 60:02d}Z app[1] iad [info]n={i}")
            if i % 50 == 0:
                print("  continuation")
        sys.stdout.flush()
        time.sleep(600)
        """,
    )
    watch = Watch()
    # The tail itself never caps what it archives: the store's rolling cap does.
    tail = make_tail(watch, LogSource("burst", cmd), capture=capture)
    tail.start()
    await watch.until(lambda: len(tail.buffer) >= 3060)
    await tail.stop()
    # Every line, in order, and batched: one call per line would be 3,060. How the pipe
    # splits the output into reads varies (34 to 63 calls seen), so only the order of
    # magnitude counts.
    rows = shared.rows
    assert len(rows) == 3060 and calls <= 250
    assert tail.archiver is not None and tail.archiver.dropped == 0
    assert tail.archiver.archived == 3060
    assert [r[2] for r in rows] == [r.raw for r in tail.buffer.records()]
    assert rows[-1][2].endswith("[info]n=2999")
    assert rows[1][2] == "  continuation" and rows[1][0] == rows[0][0]


@pytest.mark.parametrize("fmt", ["plain"])
async def test_restart_kills_and_respawns(tmp_path: Path, fmt: Literal["plain", "json"]) -> None:
    pids = tmp_path / "pids"
    cmd = script(
        tmp_path,
        "up",
        f"""
        import os, time
        open({str(pids)!r}, "a").write(f"{{os.getpid()}}\\n")
        print("2026-01-01T00:00:00Z app[1] iad [info]up", flush=True)
        time.sleep(600)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("up", cmd, format=fmt))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 1)
        tail.restart("up")
        await watch.until(lambda: len(tail.buffer) >= 2)
        first, second = (int(p) for p in pids.read_text().split())
        assert first != second and not pid_alive(first) and pid_alive(second)
    finally:
        await tail.stop()


async def test_waiting_for_a_killed_group_leaves_the_event_loop_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    answered: list[bool] = []
    real = procgroups._group_has_live_members

    def scan(pgid: int) -> bool:
        # Returns True only if the event loop runs a callback while the scan is running,
        # which it cannot when the scan itself runs on the loop.
        ran = threading.Event()
        loop.call_soon_threadsafe(ran.set)
        answered.append(ran.wait(timeout=3))
        return real(pgid)

    monkeypatch.setattr(procgroups, "_group_has_live_members", scan)
    proc = await procgroups.spawn_group(
        (sys.executable, "-c", "import time; time.sleep(600)"), limit=65536
    )
    await procgroups.kill_group(proc, grace=0.5)
    assert answered and all(answered)
    assert not pid_alive(proc.pid)


async def test_kill_all_sources_kills_every_live_group(tmp_path: Path) -> None:
    # What the app's SIGHUP/SIGTERM handler and atexit hook call, synchronously.
    pids = tmp_path / "pids"
    cmd = script(
        tmp_path,
        "pair",
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a stubborn leader needs SIGKILL
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pids)!r}, "a").write(f"{{os.getpid()}} {{child.pid}}\\n")
        print("2026-01-01T00:00:00Z app[1] iad [info]up", flush=True)
        time.sleep(600)
        """,
    )
    watch = Watch()
    tail = make_tail(watch, LogSource("a", cmd), LogSource("b", cmd))
    tail.start()
    try:
        await watch.until(lambda: len(tail.buffer) >= 2)
        members = [int(p) for p in pids.read_text().split()]
        assert len(members) == 4 and all(pid_alive(p) for p in members)
        # A pidfd becomes readable when its process has exited (SIGKILL lands async).
        pidfds = [os.pidfd_open(p) for p in members]
        try:
            procgroups.kill_all_sources()
            running = set(pidfds)
            while running:
                exited, _, _ = select.select(list(running), [], [], 10)
                assert exited, "still running 10 s after kill_all_sources"
                running.difference_update(exited)
        finally:
            for fd in pidfds:
                os.close(fd)
    finally:
        await tail.stop()
