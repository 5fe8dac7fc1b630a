"""`warroom db copy` and `--db postgresql://…` as a user runs them: real processes, a real
SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import fresh_database
from tests.support.processes import warroom
from tests.support.times import NEAR_MIDNIGHT as T0
from warroom import incident as inc
from warroom.store import open_store


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    async with fresh_database() as target:
        yield target


async def recorded_incidents(path: Path) -> list[str]:
    """Two incidents in a SQLite file, with every kind of thing a copy must carry."""
    async with await open_store(path) as store:
        first = await store.declare(title="db down ✓", severity="P1", actor="ann", at=T0)
        incident = first.incident_id
        await store.append(incident, inc.NOTE_ADDED, {"text": "héllo\n\x1b[2J"}, actor="bob")
        run = inc.command_run(
            "status",
            ["fly", "status"],
            outcome="exited",
            exit_code=0,
            summary="exit 0",
            duration=0.1,
            output_head="ok",
            output_tail="",
            output_chars=9,
        )
        await store.append_command_run(incident, run.payload, "ok\x00\nall ␛ good", actor="cy")
        rows = [(T0 + timedelta(seconds=n), ("api", "db")[n % 2], f"line {n}") for n in range(40)]
        await store.archive_log_lines(incident, [*rows, (T0, "api", "two\nlines")])
        await store.append(incident, inc.RESOLVED, {}, actor="ann", at=T0 + timedelta(hours=1))
        second = await store.declare(title="second", severity="P3", actor="dan", at=T0)
        await store.append(second.incident_id, inc.RESOLVED, {}, actor="dan")
        return [incident, second.incident_id]


def exported(db: Path | str, incident_id: str) -> Any:
    result = warroom("export", incident_id, "--format", "json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_copy_sqlite_to_postgresql_to_sqlite_is_lossless_and_idempotent(
    postgres: str, tmp_path: Path
) -> None:
    laptop, plane = tmp_path / "laptop.db", tmp_path / "plane.db"
    ids = await recorded_incidents(laptop)

    there = warroom("db", "copy", str(laptop), postgres)
    assert there.returncode == 0, there.stderr
    assert there.stdout.splitlines()[0] == (
        f"copied {ids[0]}: 4 events, 41 log lines, 1 command outputs"
    )
    again = warroom("db", "copy", str(laptop), postgres)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [f"already there {incident}" for incident in ids]
    back = warroom("db", "copy", postgres, str(plane))
    assert back.returncode == 0, back.stderr

    for incident in ids:
        original = exported(laptop, incident)
        assert exported(postgres, incident) == original
        assert exported(plane, incident) == original
    _, secret = postgres.removeprefix("postgresql://").split("@")[0].split(":")
    assert secret not in there.stderr + back.stderr


async def test_an_id_taken_by_another_incident_is_reported_not_overwritten(
    postgres: str, tmp_path: Path
) -> None:
    laptop = tmp_path / "laptop.db"
    ids = await recorded_incidents(laptop)
    async with await open_store(postgres) as team:
        theirs = await team.declare(title="theirs", severity="P2", actor="eve", at=T0)
    assert theirs.incident_id == ids[0]

    result = warroom("db", "copy", str(laptop), postgres)

    assert result.returncode == 1
    assert f"ids {ids[0]}:" in result.stderr and "not copied" in result.stderr
    assert result.stdout.splitlines() == [
        f"copied {ids[1]}: 2 events, 0 log lines, 0 command outputs"
    ]
    async with await open_store(postgres) as team:
        assert await team.events(ids[0]) == [theirs]


async def test_two_processes_share_an_incident_through_db_postgresql(postgres: str) -> None:
    declared = warroom("new", "--severity", "P1", "--title", "checkout down", "--db", postgres)
    assert declared.returncode == 0, declared.stderr
    incident = declared.stdout.strip()
    noted = warroom("note", incident, "from", "another", "host", env={"WARROOM_DB": postgres})
    assert noted.returncode == 0, noted.stderr
    listed = warroom("list", "--json", "--db", postgres)
    assert [row["id"] for row in json.loads(listed.stdout)] == [incident]
    async with await open_store(postgres) as store:
        events = await store.events(incident)
    assert [(e.kind, e.payload.get("text")) for e in events][-1] == (
        inc.NOTE_ADDED,
        "from another host",
    )


def test_a_wrong_password_on_the_command_line_is_never_printed(
    postgres: str, tmp_path: Path
) -> None:
    secret = "Sup3r-Secret-Wrong"
    user_info, host = postgres.removeprefix("postgresql://").split("@", 1)
    wrong = f"postgresql://{user_info.split(':')[0]}:{secret}@{host}"
    for argv in (
        ["list"],
        ["new", "--severity", "P1", "--title", "x"],
        ["db", "copy", wrong, str(tmp_path / "x.db")],
    ):
        result = warroom(*argv, "--db", wrong)
        assert result.returncode == 1, (argv, result.stderr)
        assert secret not in result.stderr + result.stdout
        assert "password authentication failed" in result.stderr
