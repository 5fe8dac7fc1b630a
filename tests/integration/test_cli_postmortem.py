"""`warroom postmortem`, `action`, `actions`, `export` and `import` as a user runs them: real
processes on real SQLite files."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jsonschema

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.processes import warroom
from warroom.incident import events as ev
from warroom.incident.export import schema_path
from warroom.store import open_store
from warroom.store.sqlite_schema import SCHEMA_VERSION

MISSING = "INC-20990101-001"


def declare(db: Path, title: str = "Backend 503s") -> str:
    result = warroom("new", "--severity", "P1", "--title", title, db=db)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def with_stdin(*args: str, text: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args, "--db", str(db)],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK)},
    )


def record_a_whole_incident(db: Path, incident_id: str) -> None:
    """What the war room would have recorded: logs captured, a command run, the resolution."""

    async def write() -> None:
        async with await open_store(db) as store:
            declared = (await store.events(incident_id))[0].at
            rows = [(declared + timedelta(seconds=n), "backend", f"line {n}") for n in range(30)]
            await store.archive_log_lines(incident_id, rows)
            pin = ev.log_pinned("backend", "line 3", rows[3][0])
            await store.append(incident_id, pin.kind, pin.payload, actor="ann", at=pin.at)
            run = ev.command_run(
                "status",
                ["fly", "status"],
                outcome="exited",
                exit_code=0,
                summary="exit 0",
                duration=0.5,
                output_head="ok",
                output_tail="",
                output_chars=3,
            )
            await store.append_command_run(incident_id, run.payload, "ok\n", actor="ann")
            for new in (ev.acknowledged(), ev.resolved()):
                await store.append(incident_id, new.kind, new.payload, actor="ann")

    asyncio.run(write())


def test_sections_written_from_the_shell_reach_the_exported_post_mortem(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = declare(db)
    written = warroom("postmortem", incident_id, "--set", "root_cause=A bad migration", db=db)
    assert written.returncode == 0, written.stderr
    piped = with_stdin(
        "postmortem",
        incident_id,
        "--set",
        "went_well=-",
        text="- Alert fired\n- Fast rollback\n",
        db=db,
    )
    assert piped.returncode == 0, piped.stderr
    out = tmp_path / "pm.md"
    exported = warroom("export", incident_id, "--format", "markdown", "-o", str(out), db=db)
    assert exported.returncode == 0, exported.stderr
    assert str(out) in exported.stderr and exported.stdout == ""
    text = out.read_text()
    assert "## Root Cause\nA bad migration\n" in text
    assert "## What Went Well\n- Alert fired\n- Fast rollback\n" in text
    draft = warroom("postmortem", incident_id, db=db).stdout  # the same draft, on stdout
    assert draft.split("## Metrics")[0] == text.split("## Metrics")[0]


def test_action_items_are_added_assigned_done_and_listed_overdue_first(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    first, second = declare(db, "One"), declare(db, "Two")
    assert (
        warroom("action", first, "add", "Add", "an", "alert", "--owner", "bob", db=db).returncode
        == 0
    )
    late = warroom("action", second, "add", "Pin the image", "--due", "2020-01-02 09:00", db=db)
    assert late.returncode == 0, late.stderr
    assert warroom("action", first, "add", "Write the runbook", db=db).returncode == 0
    assert warroom("action", first, "assign", "2", "--owner", "cat", db=db).returncode == 0
    assert warroom("action", first, "done", "1", db=db).returncode == 0

    listed = json.loads(warroom("actions", "--json", db=db).stdout)
    assert [(row["incident"], row["key"], row["overdue"], row["done"]) for row in listed] == [
        (second, "1", True, False),
        (first, "2", False, False),
        (first, "1", False, True),
    ]
    assert listed[0]["due"] == "2020-01-02T09:00:00+00:00"  # typed in the display zone, UTC
    assert listed[1]["owner"] == "cat"
    still_open = json.loads(warroom("actions", "--open", "--json", db=db).stdout)
    assert [row["key"] for row in still_open] == ["1", "2"]
    table = warroom("actions", db=db).stdout.splitlines()
    assert "overdue" in table[1] and "Pin the image" in table[1]

    unknown = warroom("action", first, "done", "9", db=db)
    assert unknown.returncode == 2 and "no action item '9'" in unknown.stderr


def test_export_import_export_gives_the_same_json_which_validates(tmp_path: Path) -> None:
    source, target = tmp_path / "laptop.db", tmp_path / "plane.db"
    incident_id = declare(source)
    warroom("note", incident_id, "Rolled back", db=source)
    warroom("action", incident_id, "add", "Add an alert", db=source)
    record_a_whole_incident(source, incident_id)
    first = tmp_path / "first.json"
    result = warroom("export", incident_id, "--format", "json", "-o", str(first), db=source)
    assert result.returncode == 0, result.stderr
    imported = warroom("import", str(first), db=target)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == incident_id
    again = warroom("export", incident_id, "--format", "json", db=target)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.read_text()
    document = json.loads(again.stdout)
    jsonschema.validate(document, json.loads(schema_path().read_text()))
    assert document["logs"]["summary"]["lines"] == 30
    assert document["command_outputs"] == {"5": "ok\n"}  # declared, note, item, pin, run
    assert [item["key"] for item in document["action_items"]][:2] == ["1", "p1"]

    twice = warroom("import", str(first), db=target)
    assert twice.returncode == 2 and "already has an incident" in twice.stderr


def test_an_incident_with_only_its_declaration_exports_both_ways(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = declare(db)
    markdown = warroom("export", incident_id, db=db)
    assert markdown.returncode == 0 and "## Lessons Learned" in markdown.stdout
    raw = warroom("export", incident_id, "--format", "json", db=db)
    assert raw.returncode == 0, raw.stderr
    jsonschema.validate(json.loads(raw.stdout), json.loads(schema_path().read_text()))


def test_bad_input_exits_2_with_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = declare(db)
    for args in (
        ("export", MISSING),
        ("export", MISSING, "--format", "json"),
        ("postmortem", MISSING),
        ("postmortem", MISSING, "--set", "lessons=x"),
        ("action", MISSING, "add", "x"),
        ("action", MISSING, "done", "1"),
    ):
        result = warroom(*args, db=db)
        assert result.returncode == 2, args
        assert result.stderr.strip() == f"There is no incident {MISSING} in {db}.", args
    bad_field = warroom("postmortem", incident_id, "--set", "blame=bob", db=db)
    assert bad_field.returncode == 2 and "no post-mortem section 'blame'" in bad_field.stderr
    bad_due = warroom("action", incident_id, "add", "x", "--due", "someday", db=db)
    assert bad_due.returncode == 2 and bad_due.stderr.startswith("--due:")
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    refused = warroom("import", str(not_json), db=tmp_path / "other.db")
    assert refused.returncode == 2 and "is not JSON" in refused.stderr
    assert not (tmp_path / "other.db").exists()
    for args in (
        ("action", incident_id, "add", "x"),
        ("postmortem", incident_id, "--set", "lessons=x"),
    ):
        read_only = warroom(*args, "--read-only", db=db)
        assert read_only.returncode == 2 and "--read-only" in read_only.stderr, args


def test_a_database_from_a_newer_warroom_exits_2_saying_so(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = declare(db)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    for args in (
        ("export", incident_id),
        ("postmortem", incident_id),
        ("action", incident_id, "add", "x"),
        ("actions",),
    ):
        result = warroom(*args, db=db)
        assert result.returncode == 2, args
        assert (
            "written by a newer warroom" in result.stderr and len(result.stderr.splitlines()) == 1
        )
