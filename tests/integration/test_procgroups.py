"""What warroom starts can be stopped: the quit signals it blocks for its watchdog are
unblocked again in every child (a blocked mask survives fork and exec)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
