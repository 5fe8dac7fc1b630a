"""The capture of a flood, end to end: a real `fakefly` process floods lines through the real
tail into an incident in a real SQLite file."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.playbooks import quiet_playbook
from tests.support.waiting import eventually
from warroom.incident.events import utc_now
from warroom.logs.tail import LogTail
from warroom.playbook import LogSource
from warroom.session.incident_session import IncidentSession
from warroom.store import EventStore, open_store

FLOOD = 400_000
"""Lines flooded: more than the old capture's 64 queued chunks (~170,000 lines) could hold
while its writer, one row per line, fell behind (it archived about a fifth)."""

FAKEFLY = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "slurpy-backend")


async def open_session(store: EventStore) -> IncidentSession:
    declared = await store.declare(title="api down", severity="P1", actor="ann")
    session = IncidentSession(
        store=store,
        incident_id=declared.incident_id,
        playbook=quiet_playbook(),
        actor="ann",
        clock=utc_now,
        on_state=lambda state: None,
        on_refused=lambda kind, error: None,
    )
    await session.load()
    return session


async def test_a_flood_is_archived_line_for_line(tmp_path: Path) -> None:
    async with await open_store(tmp_path / "incidents.db") as store:
        session = await open_session(store)
        source = LogSource("backend", (*FAKEFLY, "--flood", "--count", str(FLOOD)))
        tail = LogTail([source], capture=session.log_capture())
        archiver = tail.archiver
        assert archiver is not None
        tail.start()
        try:
            await eventually(
                lambda: archiver.archived + archiver.dropped >= FLOOD or archiver.error,
                what="the flood archived (or given up)",
                tries=3000,
            )
        finally:
            await tail.stop()
        assert (archiver.error, archiver.dropped, archiver.archived) == ("", 0, FLOOD)
        archived = await store.log_lines(session.incident_id, limit=FLOOD)
        assert len(archived) == FLOOD == tail.buffer.next_seq
        shown = [record.raw for record in tail.buffer.records()]
        assert [line for _, _, line in archived[-len(shown) :]] == shown


async def test_a_long_line_is_archived_whole_and_shown_cut(tmp_path: Path) -> None:
    long = "2026-01-01T00:00:00Z app[1] iad [info]" + "x" * 20_000
    program = tmp_path / "long.py"
    program.write_text(f"print({long!r})\nprint('after')\n")
    async with await open_store(tmp_path / "incidents.db") as store:
        session = await open_session(store)
        tail = LogTail(
            [LogSource("app", (sys.executable, str(program)))], capture=session.log_capture()
        )
        archiver = tail.archiver
        assert archiver is not None
        tail.start()
        try:
            await eventually(lambda: archiver.archived >= 2, what="both lines archived")
        finally:
            await tail.stop()
        assert [line for _, _, line in await store.log_lines(session.incident_id)] == [
            long,
            "after",
        ]
        shown = [record.raw for record in tail.buffer.records()]
        assert shown[0] == f"{long[:10_000]} … [cut 10,038 chars]"  # the screen's copy
        assert shown[1] == "after"
