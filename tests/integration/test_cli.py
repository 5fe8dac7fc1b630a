"""The command line, run as a user runs it: a real process, real files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.paths import BAD_PLAYBOOKS, REPO, SHIPPED_PLAYBOOK
from tests.support.processes import warroom
from warroom.incident import RENAMED, Event, derive
from warroom.incident.clocks import ResponseClock, clocks
from warroom.playbook import load_playbook
from warroom.store import open_store


def test_help_lists_every_command() -> None:
    result = warroom("--help")
    assert result.returncode == 0
    for name in ("demo", "new", "open", "note", "rename", "ack", "list", "check", "validate"):
        assert name in result.stdout


def test_every_subcommand_has_help_with_the_common_options() -> None:
    for name in ("demo", "new", "open", "note", "rename", "ack", "list", "check", "status-text"):
        result = warroom(name, "--help")
        assert result.returncode == 0, name
        for option in ("--db", "--playbook", "--as"):
            assert option in result.stdout, (name, option)


def test_new_prints_an_id_and_list_shows_it(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    first = warroom("new", "--severity", "P1", "--title", "Backend returning 503s", db=db)
    second = warroom("new", "--severity", "p2", "--title", "Slow chat", db=db)
    assert first.returncode == 0, first.stderr
    first_id, second_id = first.stdout.strip(), second.stdout.strip()
    assert re.fullmatch(r"INC-\d{8}-001", first_id)
    assert second_id == first_id[:-3] + "002"

    listed = json.loads(warroom("list", "--json", db=db).stdout)
    assert [row["id"] for row in listed] == [second_id, first_id]
    assert listed[0]["severity"] == "P2" and listed[1]["title"] == "Backend returning 503s"


def test_note_dash_appends_one_note_per_line_of_stdin_quickly(tmp_path: Path) -> None:
    import asyncio
    import time

    from warroom.incident import NOTE_ADDED
    from warroom.store import open_store

    db = tmp_path / "incidents.db"
    incident_id = warroom("new", "--severity", "P2", "--title", "Bot feed", db=db).stdout.strip()
    lines = [f"finding {n}" for n in range(10_000)]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "note", incident_id, "-", "--db", str(db), "--as", "bot"],
        input="\n".join(lines[:5_000]) + "\n\n  \n" + "\n".join(lines[5_000:]) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK)},
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10, f"10,000 notes took {elapsed:.1f} s"

    async def read() -> list[str]:
        async with await open_store(db) as store:
            events = await store.events(incident_id)
        return [str(e.payload["text"]) for e in events if e.kind == NOTE_ADDED]

    assert asyncio.run(read()) == lines  # blank lines are no notes


def test_note_is_appended_and_recorded_with_the_actor(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = warroom("new", "--severity", "P0", "--title", "Site down", db=db).stdout.strip()
    result = warroom("note", incident_id, "rolled", "back", "to", "v41", "--as", "alice", db=db)
    assert result.returncode == 0, result.stderr

    from warroom.incident import NOTE_ADDED
    from warroom.store import open_store

    async def read() -> list[Event]:
        async with await open_store(db) as store:
            return await store.events(incident_id)

    import asyncio

    notes = [e for e in asyncio.run(read()) if e.kind == NOTE_ADDED]
    assert [(n.payload["text"], n.actor) for n in notes] == [("rolled back to v41", "alice")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "--severity", "P7", "--title", "x"), "Unknown severity 'P7'"),
        (("new", "--severity", "P1", "--title", "   "), "title"),
        (("note", "INC-20000101-001", "hello"), "There is no incident INC-20000101-001"),
        (("open", "INC-20000101-001"), "There is no incident INC-20000101-001"),
        (("rename", "INC-20000101-001", "x"), "There is no incident INC-20000101-001"),
        (("rename", "INC-20000101-001", "  "), "The new title must say what is wrong"),
        (("ack", "INC-20000101-001"), "There is no incident INC-20000101-001"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    # A database that exists: only `new` (or the war room's declare form) makes one.
    assert (
        warroom("new", "--severity", "P2", "--title", "y", db=tmp_path / "incidents.db").returncode
        == 0
    )
    result = warroom(*args, db=tmp_path / "incidents.db")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_database_directory_is_bad_input(tmp_path: Path) -> None:
    result = warroom("list", db=tmp_path / "nowhere" / "incidents.db")
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_db_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    created = warroom("new", "--severity", "P3", "--title", "typo", env={"WARROOM_DB": str(db)})
    assert created.returncode == 0, created.stderr
    assert db.exists()


def test_validate_shipped_playbook() -> None:
    result = warroom("validate", str(SHIPPED_PLAYBOOK))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_validate_reports_path_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SHIPPED_PLAYBOOK.read_text().replace('interval = "10s"', 'interval = "ten"', 1))
    result = warroom("validate", str(bad))
    assert result.returncode == 2
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if '"ten"' in text)
    assert result.stderr.startswith(f"{bad}:{line}:")
    assert "Traceback" not in result.stderr


def test_a_bad_playbook_stops_every_command_before_anything_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[settings\n")
    result = warroom(
        "new",
        "--severity",
        "P1",
        "--title",
        "x",
        db=tmp_path / "i.db",
        env={"WARROOM_PLAYBOOK": str(bad)},
    )
    assert result.returncode == 2 and result.stderr.startswith(f"{bad}:1:")
    assert not (tmp_path / "i.db").exists()


def test_list_shows_hostile_titles_plainly(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    title = "[/oops] \x1b]0;pwned\x07 [bold]loud[/bold]"
    assert warroom("new", "--severity", "P1", "--title", title, db=db).returncode == 0
    listed = warroom("list", db=db)
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout
    assert "[/oops]" in listed.stdout and "[bold]loud[/bold]" in listed.stdout


def test_validate_reports_a_huge_duration_at_its_line_without_a_traceback() -> None:
    path = BAD_PLAYBOOKS / "huge_duration.toml"

    result = subprocess.run(
        [sys.executable, "-m", "warroom", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{path}:19: severity[2].response_time: "), result.stderr
    assert "too long" in result.stderr and "Traceback" not in result.stderr


def test_a_stray_argument_is_refused_with_its_commands_usage() -> None:
    result = warroom("list", "--bogus")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: warroom list")
    assert "warroom list: error: unrecognized arguments: --bogus" in result.stderr


def events_in(db: Path, incident_id: str) -> list[Event]:
    async def read() -> list[Event]:
        async with await open_store(db) as store:
            return await store.events(incident_id)

    return asyncio.run(read())


def test_rename_moves_list_and_every_description(tmp_path: Path) -> None:
    fills = ("--set", "impact=x", "--set", "resolution=y", "--set", "prevention=z")
    db = tmp_path / "incidents.db"
    incident_id = warroom("new", "--severity", "P1", "--title", "Login fails", db=db).stdout.strip()
    result = warroom("rename", incident_id, "Sign-ins", "fail  for SSO", "--as", "ana", db=db)
    assert result.returncode == 0, result.stderr
    listed = json.loads(warroom("list", "--json", db=db).stdout)
    assert [row["title"] for row in listed] == ["Sign-ins fail for SSO"]
    assert "Sign-ins fail for SSO" in warroom("list", db=db).stdout
    text = warroom("status-text", incident_id, "--template", "investigating", db=db).stdout
    assert "We're investigating reports of Sign-ins fail for SSO.\n" in text
    early = warroom("status-text", incident_id, "--template", "email", *fills, db=db)
    assert early.returncode == 0 and early.stdout.startswith("Subject: [Resolved]")
    assert (
        early.stderr
        == f"Warning: {incident_id} is still open: this text says the incident is resolved.\n"
    )
    # The same title again records nothing: "Renamed" twice would say nothing changed.
    assert warroom("rename", incident_id, "Sign-ins fail for SSO", db=db).returncode == 0
    renames = [e for e in events_in(db, incident_id) if e.kind == RENAMED]
    assert [(e.payload["title"], e.actor) for e in renames] == [("Sign-ins fail for SSO", "ana")]


def test_a_bots_note_right_after_declaring_is_no_response_an_ack_is(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = warroom("new", "--severity", "P0", "--title", "Site down", db=db).stdout.strip()
    note = warroom("note", incident_id, "deploy-bot:", "rollback", "started", "--as", "bot", db=db)
    assert note.returncode == 0, note.stderr
    playbook = load_playbook(SHIPPED_PLAYBOOK)

    def response() -> ResponseClock:
        state = derive(events_in(db, incident_id), playbook)
        clock = clocks(state, playbook, state.declared_at + timedelta(minutes=1)).response
        assert clock is not None
        return clock

    assert (response().met, response().responded_at) == (None, None)
    ack = warroom("ack", incident_id, "--as", "ana", db=db)
    assert ack.returncode == 0, ack.stderr
    assert (response().met, response().responded_by) == (True, "ana")
