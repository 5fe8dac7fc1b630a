"""The database file as a hostile world treats it: deleted, replaced, missing, read-only."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.disk import full_at
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.playbooks import quiet_playbook
from tests.support.processes import warroom
from tests.support.war_room import declare
from warroom.incident import note_added, utc_now
from warroom.session.incident_session import IncidentSession
from warroom.store import StoreError, open_store


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_database_deleted_or_replaced_under_a_running_room_refuses_writes(
    tmp_path: Path, how: str
) -> None:
    path = tmp_path / "incidents.db"
    async with await open_store(path) as store:
        incident_id = await declare(store)
        refusals: list[str] = []
        session = IncidentSession(
            store=store,
            incident_id=incident_id,
            playbook=quiet_playbook(),
            actor="bob",
            clock=utc_now,
            on_state=lambda state: None,
            on_refused=lambda kind, error: refusals.append(str(error)),
        )
        await session.load()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if how == "replaced":
            async with await open_store(path) as impostor:
                await declare(impostor)
        assert await session.record(note_added("after the rm")) is None
        assert session.state is not None
        assert not any(e.text == "after the rm" for e in session.state.timeline)
        assert refusals and "was deleted or replaced while open" in refusals[0]
        with pytest.raises(StoreError, match="deleted or replaced"):
            await store.append(incident_id, "note.added", {"text": "x"}, actor="bob")


async def test_a_reader_opened_on_an_idle_database_sees_a_writer_that_starts_later(
    tmp_path: Path,
) -> None:
    path = tmp_path / "incidents.db"
    async with await open_store(path) as store:
        incident_id = await declare(store)
    assert not Path(f"{path}-wal").exists()  # idle: the last writer checkpointed and left
    async with (
        await open_store(path, create=False, read_only=True) as reader,
        await open_store(path, create=False) as writer,
    ):
        await writer.append(incident_id, "note.added", {"text": "later"}, actor="bob")
        # While the writer is open its commit is in the -wal, which the reader must read.
        texts = [event.payload.get("text") for event in await reader.events(incident_id)]
    assert "later" in texts


@pytest.mark.parametrize(
    "args",
    [
        ("note", "INC-20260101-001", "hello"),
        ("list",),
        ("status-text", "INC-20260101-001", "--template", "investigating"),
    ],
)
def test_reading_commands_never_create_a_database(tmp_path: Path, args: tuple[str, ...]) -> None:
    typo = tmp_path / "incidnets.db"
    result = warroom("--db", str(typo), *args)
    assert result.returncode == 2
    assert one_sentence(result) == f"There is no incident database at {typo}."
    assert list(tmp_path.iterdir()) == []


def test_without_db_a_reading_command_makes_no_data_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    result = warroom("list", env=env)
    assert result.returncode == 2 and "There is no incident database at" in result.stderr
    assert list(home.iterdir()) == []
    created = warroom("new", "--severity", "P2", "--title", "first", env=env)
    assert created.returncode == 0, created.stderr
    database = home / "data" / "warroom" / "incidents.db"
    assert one_sentence(created) == f"Created the incident database {database}."
    again = warroom("new", "--severity", "P2", "--title", "second", env=env)
    assert again.returncode == 0 and again.stderr == ""  # said once, the first time


def test_a_directory_for_a_database_is_one_sentence(tmp_path: Path) -> None:
    result = warroom("--db", str(tmp_path), "new", "--severity", "P1", "--title", "x")
    assert result.returncode == 1
    assert one_sentence(result) == f"{tmp_path} is a directory, not an incident database."
    assert "Event loop is closed" not in result.stderr


@pytest.mark.parametrize(
    ("limit", "refusal"),
    [
        (1024, "Cannot use the incident database"),  # not even its shared-memory index fits
        (64 * 1024, "Could not write to the incident database"),  # the note does not fit
    ],
)
@pytest.mark.parametrize("how", ["argument", "stdin"])
def test_a_full_disk_refuses_a_note_in_one_sentence(
    tmp_path: Path, limit: int, refusal: str, how: str
) -> None:
    db = tmp_path / "incidents.db"
    incident_id = warroom("--db", str(db), "new", "--severity", "P1", "--title", "x").stdout
    long_note = "the pool is exhausted " * 5000  # 110 KB: more than the disk has left
    note = [long_note] if how == "argument" else ["-"]
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "--db", str(db), "note", incident_id.strip(), *note],
        input=f"{long_note}\n" * 3,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK)},
        preexec_fn=full_at(limit),
    )
    assert result.returncode == 1
    sentence = one_sentence(result)
    assert sentence.startswith(f"{refusal} {db}") and "disk" in sentence
    # Nothing half-written: with room again the incident reads as before, without the note.
    assert asyncio.run(kinds_in(db, incident_id.strip())) == ["incident.declared"]


async def kinds_in(db: Path, incident_id: str) -> list[str]:
    async with await open_store(db) as store:
        return [event.kind for event in await store.events(incident_id)]


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def runs_as_nobody() -> bool:
    """Whether this Python and warroom's dependencies can be run by another user at all."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    probe = [*NOBODY, sys.executable, "-c", "import re2, textual, aiosqlite"]
    return subprocess.run(probe, capture_output=True, timeout=60).returncode == 0


@pytest.mark.skipif(
    not runs_as_nobody() and not os.environ.get("CI"),
    reason="needs root, setpriv and a Python that other users may run (CI has them)",
)
def test_a_read_only_database_refuses_a_note_in_one_sentence(tmp_path: Path) -> None:
    def as_nobody(db: Path, incident_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*NOBODY, sys.executable, "-m", "warroom", "--db", str(db), "note", incident_id, "hi"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK), "HOME": "/"},
        )

    # pytest's own folders are closed to other users: that is one sentence too.
    hidden = tmp_path / "incidents.db"
    incident_id = warroom("--db", str(hidden), "new", "--severity", "P1", "--title", "x").stdout
    closed = as_nobody(hidden, incident_id.strip())
    assert closed.returncode == 2
    assert one_sentence(closed).startswith(f"Cannot reach the database directory {tmp_path}")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)  # others may enter and read, not write
        db = Path(folder) / "incidents.db"
        shutil.copy(hidden, db)
        db.chmod(0o644)
        result = as_nobody(db, incident_id.strip())
        assert result.returncode == 1
        sentence = one_sentence(result)
        assert str(db) in sentence and "readonly" in sentence
        listed = subprocess.run(
            [*NOBODY, sys.executable, "-m", "warroom", "--db", str(db), "list"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HOME": "/"},
        )
        assert listed.returncode == 0, listed.stderr
        assert incident_id.strip() in listed.stdout
        # Read as it lies: no -wal or -shm made beside a file this user may not write.
        assert sorted(path.name for path in Path(folder).iterdir()) == ["incidents.db"]
