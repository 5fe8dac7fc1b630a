"""Process groups of running log sources: spawn each in its own session, kill it as a group.

A source that spawned helpers (`fly` does) leaves nothing behind: it is always killed as a
group, SIGTERM then SIGKILL after a grace period. `kill_all_sources()` does the same
synchronously for every live group: the app calls it when a quit signal comes
(`warroom.ui.app`) and at exit (`warroom.cli.launch`). A helper that left the group with
`setsid` is not lost either: warroom is the child subreaper of what it starts (Linux), so
such a helper is reparented to warroom when its parent dies, and `kill_adopted()` ends it.

SIGHUP and SIGTERM are not left to Python's signal handlers, which only the main thread
runs, between bytecodes: a loop stuck in a C call never runs them. `watch_quit_signals()`
blocks both in every thread and takes them with `sigwait` in a thread of its own, which
asks the app to leave (`on_quit_signal`) and, should it not have left by the deadline,
kills every group and adopted child and ends the process itself. Children are started
with the signals unblocked again: a blocked mask survives fork and exec.
No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_LIVE_GROUPS: set[int] = set()
"""Process groups of running sources. Module-level on purpose: a signal handler or atexit
hook has no other way to reach them."""


PR_SET_CHILD_SUBREAPER = 36

QUIT_SIGNALS = frozenset({signal.SIGHUP, signal.SIGTERM})

LeaveRequest = Callable[[int], None]
"""Asks the app to leave the way `q` does, told which signal came; called from the
watchdog thread, so it must only hand the request to the app's loop."""

_leaving: tuple[LeaveRequest, float] | None = None
"""How to ask the running app to leave, and the seconds it then has before the watchdog
ends the process regardless."""
_watchdog: threading.Thread | None = None


def on_quit_signal(leave: LeaveRequest, *, grace: float) -> None:
    """Have the watchdog ask `leave` first on a quit signal and give it `grace` seconds."""
    global _leaving
    _leaving = (leave, grace)


def watch_quit_signals() -> None:
    """Block SIGHUP and SIGTERM in this thread, and so in every thread started from it
    after, and take them in a watchdog thread. Call it before any other thread starts: a
    thread that has them unblocked could receive them instead. Idempotent.
    """
    global _watchdog
    signal.pthread_sigmask(signal.SIG_BLOCK, QUIT_SIGNALS)
    if _watchdog is None:
        _watchdog = threading.Thread(target=_watch, name="quit-watchdog", daemon=True)
        _watchdog.start()


def _watch() -> None:
    signum = signal.sigwait(QUIT_SIGNALS)
    # Should the loop spin holding the GIL, this thread gets it back sooner.
    sys.setswitchinterval(0.001)
    if _leaving is not None:
        leave, grace = _leaving
        with contextlib.suppress(Exception):  # a loop already closed: leave from here
            leave(signum)
        # A clean exit ends the process while this thread sleeps (it is a daemon); a stuck
        # loop, or a shutdown hanging on a terminal that is gone, does not: every event is
        # committed the moment it happens, so leaving from here loses nothing.
        time.sleep(grace)
    kill_all_sources_now()
    os._exit(128 + signum)


_subreaper: bool | None = None
"""Whether `become_subreaper` took effect; None before it was asked."""


def become_subreaper() -> bool:
    """Have orphaned descendants reparented to this process instead of init (Linux only).
    `spawn_group` asks it before the first group starts. Idempotent.

    Returns whether it took effect.
    """
    global _subreaper
    if _subreaper is None:
        try:
            # Imported here: ctypes would cost every start ~2.5 ms before its first frame.
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            _subreaper = int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1)) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


ADOPTION_WAIT_SECONDS = 0.5
"""How long `kill_adopted` waits for killed children to finish dying: a helper is
reparented here only once its parent has, and on a loaded machine a SIGKILLed process can
take far longer than a few milliseconds to get the CPU time its exit needs."""
ADOPTION_SETTLE_SECONDS = 0.03
"""How long no child must be listed before `kill_adopted` believes it."""


def kill_adopted(wait: float = ADOPTION_WAIT_SECONDS) -> None:
    """SIGKILL every child of this process still running: descendants reparented here after
    their parent died (source leaders are dead by then), until none is left or `wait` s
    have passed. Synchronous.

    It reads this process's own child lists, not all of /proc: it may run from a thread
    while the event loop spins holding the GIL, where every system call waits its turn.
    """
    deadline = time.monotonic() + wait
    # A child still dying counts as running: its own children are reparented here only
    # when it is done. And one empty listing is not trusted: a child reaped that moment
    # can be gone from it before what it leaves is listed here (seen under load).
    empty_since: float | None = None
    while time.monotonic() < deadline:
        children = _live_children()
        for pid in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if children:
            empty_since = None
        elif empty_since is None:
            empty_since = time.monotonic()
        elif time.monotonic() - empty_since >= ADOPTION_SETTLE_SECONDS:
            return
        time.sleep(0.005)


def _live_children() -> list[int]:
    """Children of this process (any thread's) that are not zombies awaiting their reaper."""
    pids: list[int] = []
    for listing in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            pids.extend(int(pid) for pid in listing.read_text().split())
    live = []
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            if Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
                live.append(pid)
    return live


def kill_all_sources_now() -> None:
    """SIGKILL every source group and every adopted child at once: the way out when the
    event loop is stuck and there is no time for SIGTERM's grace."""
    for pgid in list(_LIVE_GROUPS):
        _signal_group(pgid, signal.SIGKILL)
    kill_adopted()


def _processes() -> list[tuple[int, int, int]]:
    """(pid, ppid, process group) of every live process, from /proc ([] where there is none)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state, ppid, pgrp, ...
            state, ppid, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue
        if state != "Z":
            found.append((int(stat.parent.name), int(ppid), int(pgrp)))
    return found


def kill_all_sources(grace: float = 0.3) -> None:
    """Kill every running source's process group: SIGTERM, then SIGKILL after `grace` s;
    then whatever those groups left reparented here.

    Synchronous and safe from a signal handler, a watchdog thread or atexit.
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
    kill_adopted()


async def spawn_group(command: Sequence[str], *, limit: int) -> asyncio.subprocess.Process:
    """Start `command` in a new session (its pid is the group id), stdout and stderr piped,
    and count its group as live until `kill_group` has killed it.

    Raises what `asyncio.create_subprocess_exec` raises (`FileNotFoundError`, `OSError`).
    """
    become_subreaper()  # whatever leaves the group is adopted, to be killed on quit
    proc = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
        limit=limit,
        preexec_fn=_source_setup if os.name == "posix" else None,
    )
    _LIVE_GROUPS.add(proc.pid)
    return proc


async def kill_group(proc: asyncio.subprocess.Process, grace: float) -> int:
    """SIGTERM `proc`'s group, SIGKILL it after `grace` s; return the leader's exit code."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        code = await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        code = await proc.wait()
    # Members that outlived the leader (or ignored SIGTERM) go too.
    _signal_group(proc.pid, signal.SIGKILL)
    await _until_group_gone(proc.pid, timeout=2.0)
    _LIVE_GROUPS.discard(proc.pid)
    return code


def unblock_quit_signals() -> None:  # pragma: no cover - runs in the child before exec
    """`preexec_fn` for every process warroom starts: neither `subprocess` nor asyncio
    resets the signal mask, and a child with SIGTERM blocked cannot be stopped by it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, QUIT_SIGNALS)


def _source_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    unblock_quit_signals()
    # Belt and braces for SIGKILL of warroom itself, where no handler can run.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _group_has_live_members(pgid: int) -> bool:
    """Whether any process of the group still runs; zombies (dead, not yet reaped) don't."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    if not Path("/proc").is_dir():
        return True
    return any(group == pgid for _pid, _ppid, group in _processes())


async def _until_group_gone(pgid: int, timeout: float) -> None:
    """SIGKILL is delivered asynchronously: wait (bounded) until no member still runs.

    Each check reads every `/proc/*/stat`, so it runs in a thread: the event loop keeps
    handling keys and other sources meanwhile.
    """
    deadline = time.monotonic() + timeout
    while await asyncio.to_thread(_group_has_live_members, pgid):
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(0.02)
