"""One terminal on an incident, without a screen, as its own process: an `IncidentSession`
and a `LogTail` whose source follows a shared log file, the way every terminal's `fly logs`
sees the same stream. The process the pairing tests start several of.

    python -m tests.support.capture_peer DB INCIDENT_ID LOG_FILE LEASE_SECONDS

Prints `lines N` as it reads lines and `capturing` / `standby` as it takes or loses the
capture lease; SIGTERM stops it as quitting does (`stopped` once the archive is flushed).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import textwrap
from datetime import timedelta

from tests.support.playbooks import quiet_playbook
from warroom.incident import utc_now
from warroom.logs.tail import LogTail
from warroom.playbook import LogSource
from warroom.session.incident_session import IncidentSession
from warroom.store import open_store

FOLLOW_FILE = textwrap.dedent(
    """
    import os, sys, time
    parent = os.getppid()
    with open(sys.argv[1]) as log:
        while os.getppid() == parent:  # the terminal is gone (crashed): so is its tail
            line = log.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.02)
    """
)
"""A log source that prints a file from its start, then what is appended to it."""


async def main(db: str, incident_id: str, log_file: str, lease_seconds: float) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with await open_store(db) as store:
        session = IncidentSession(
            store=store,
            incident_id=incident_id,
            playbook=quiet_playbook(),
            actor="peer",
            clock=utc_now,
            on_state=lambda state: None,
            on_refused=lambda kind, error: print(f"refused {kind}: {error}", flush=True),
        )
        source = LogSource("backend", (sys.executable, "-c", FOLLOW_FILE, log_file))
        tail = LogTail(
            [source], capture=session.log_capture(lease=timedelta(seconds=lease_seconds))
        )
        await session.load()
        tail.start()
        said: tuple[int, bool] | None = None
        while not stop.is_set():
            assert tail.archiver is not None
            now = (len(tail.buffer), tail.archiver.capturing)
            if now[0] != (said or (0, False))[0]:
                print(f"lines {now[0]}", flush=True)
            if said is None or now[1] != said[1]:
                print("capturing" if now[1] else "standby", flush=True)
            said = now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.02)
        await tail.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
