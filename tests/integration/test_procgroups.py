"""What warroom starts can be stopped: the quit signals it blocks for its watchdog are
unblocked again in every child (a blocked mask survives fork and exec), and whatever left
its source's group is killed once it is reparented to warroom."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO
from tests.support.processes import pid_alive
from warroom import procgroups
from warroom.clipboard import _quiet_tool

QUIT_SIGNALS = {signal.SIGHUP, signal.SIGTERM}
PRINT_BLOCKED = "print(next(l for l in open('/proc/self/status') if l.startswith('SigBlk')))"


def blocked_in(status_line: str) -> set[int]:
    """Signal numbers in a `SigBlk:` line of /proc/PID/status."""
    mask = int(status_line.split()[1], 16)
    return {number for number in range(1, 65) if mask & (1 << (number - 1))}


@pytest.fixture
def quit_signals_blocked() -> Iterator[None]:
    """This thread as warroom's threads are: SIGHUP and SIGTERM blocked."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, QUIT_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@pytest.mark.usefixtures("quit_signals_blocked")
async def test_a_source_starts_with_the_quit_signals_unblocked() -> None:
    proc = await procgroups.spawn_group((sys.executable, "-c", PRINT_BLOCKED), limit=65536)
    out, _ = await proc.communicate()
    assert not blocked_in(out.decode()) & QUIT_SIGNALS
    await procgroups.kill_group(proc, grace=0.5)


@pytest.mark.usefixtures("quit_signals_blocked")
def test_a_clipboard_tool_starts_with_the_quit_signals_unblocked(tmp_path: Path) -> None:
    seen = tmp_path / "mask"
    write_mask = PRINT_BLOCKED.replace("print(", f"open({str(seen)!r}, 'w').write(")
    copy, _paste = _quiet_tool([sys.executable, "-c", write_mask], ["true"], timeout=10)
    copy("text")
    assert not blocked_in(seen.read_text()) & QUIT_SIGNALS


SUBREAPER_BEFORE_AND_AFTER_A_SPAWN = """
import asyncio, ctypes, sys
from warroom import procgroups

def subreaper() -> int:
    flag = ctypes.c_int(-1)
    ctypes.CDLL(None).prctl(37, ctypes.byref(flag))  # PR_GET_CHILD_SUBREAPER
    return flag.value

async def spawn() -> None:
    proc = await procgroups.spawn_group(("true",), limit=65536)
    await proc.wait()

print(subreaper())
asyncio.run(spawn())
print(subreaper())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
def test_starting_a_source_makes_warroom_the_adopter_of_its_orphans() -> None:
    """Not at import or at the app's start (ctypes costs the first frame ~2.5 ms): before
    the first group is started, which is early enough for all it leaves behind."""
    run = subprocess.run(
        [sys.executable, "-c", SUBREAPER_BEFORE_AND_AFTER_A_SPAWN],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert run.stdout.split() == ["0", "1"]


CHAIN = """
import os, subprocess, sys, time
pids, depth, code = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if os.getsid(0) != os.getpid():
    os.setsid()  # out of its parent's group: only adoption by warroom can reach it
if depth:
    subprocess.Popen([sys.executable, "-c", code, pids, str(depth - 1), code])
with open(pids, "a") as out:
    out.write(f"{os.getpid()}\\n")
time.sleep(600)
"""

KILLER = """
import asyncio, sys
from pathlib import Path
from warroom import procgroups

pids, depth, chain = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

async def start() -> None:
    command = [sys.executable, "-c", chain, str(pids), str(depth), chain]
    await procgroups.spawn_group(command, limit=1024)
    while not pids.exists() or len(pids.read_text().split()) <= depth:
        await asyncio.sleep(0.01)
    procgroups.kill_all_sources_now()  # as the quit watchdog does, the loop still running

procgroups.become_subreaper()
asyncio.run(start())
"""


def test_every_adopted_descendant_is_killed_however_deep(tmp_path: Path) -> None:
    # Each level is reparented here only once the one above it has finished dying, so
    # the killing must go on until no child is left, not for a fixed number of rounds.
    depth = 14
    pids = tmp_path / "pids"
    subprocess.run(
        [sys.executable, "-c", KILLER, str(pids), str(depth), CHAIN],
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    started = [int(pid) for pid in pids.read_text().split()]
    survivors = [pid for pid in started if pid_alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert len(started) == depth + 1 and survivors == []
