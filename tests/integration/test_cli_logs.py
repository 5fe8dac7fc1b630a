"""`warroom logs`: the captured archive searched from a shell, as a user runs it (real
processes on a real SQLite file)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from tests.support.processes import warroom
from tests.support.times import T0
from warroom.logchunks import LogChunk
from warroom.store import open_store

HOSTILE = "\x1b]0;pwned\x07 [bold]timeout[/bold] \x1b[31mred"


def archived(db: Path) -> str:
    """An incident whose archive holds 20 blocks of 500 lines from api and db in turn:
    line 7 of each an error saying timeout, block 13's line 8 a hostile one."""

    async def fill() -> str:
        async with await open_store(db) as store:
            incident_id = (await store.declare(title="t", severity="P1", actor="a")).incident_id
            for n in range(20):
                at = T0 + timedelta(seconds=n)
                stamp = f"{at:%Y-%m-%dT%H:%M:%SZ} app[0a1b] ams"
                lines = [f"{stamp} [info]block {n} line {i} GET / 200" for i in range(500)]
                lines[7] = f"{stamp} [error]block {n} upstream timeout"
                if n == 13:
                    lines[8] = f"{stamp} [info]{HOSTILE}"
                chunk = LogChunk(("api", "db")[n % 2], lines, [(at, 500)])
                await store.archive_log_chunks(incident_id, [chunk])
            return incident_id

    return asyncio.run(fill())


def test_logs_prints_every_match_in_the_archive_with_time_and_source(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = archived(db)
    result = warroom("logs", incident_id, "timeout level:error src:db", db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    stamp = "2025-03-01T12:00:01Z"
    assert lines[0] == f"{stamp}  db  {stamp} app[0a1b] ams [error]block 1 upstream timeout"
    assert result.stderr == "10 matching lines\n"


def test_logs_shows_hostile_lines_literally(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = archived(db)
    result = warroom("logs", incident_id, "bold", db=db)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[bold]timeout[/bold]" in result.stdout
    assert "pwned" in result.stdout and "red" in result.stdout
    as_json = json.loads(warroom("logs", incident_id, "bold", "--json", db=db).stdout)
    assert as_json["total"] == 1
    assert as_json["lines"][0]["line"].endswith(HOSTILE)  # JSON carries the line exactly


def test_logs_limit_says_how_many_more_matched(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = archived(db)
    result = warroom("logs", incident_id, "upstream", "--limit", "3", "--json", db=db)
    found = json.loads(result.stdout)
    assert found["total"] == 20
    assert [(row["source"], row["logged_at"]) for row in found["lines"]] == [
        ("api", "2025-03-01T12:00:00+00:00"),
        ("db", "2025-03-01T12:00:01+00:00"),
        ("api", "2025-03-01T12:00:02+00:00"),
    ]
    text = warroom("logs", incident_id, "upstream", "--limit", "3", db=db)
    assert text.stderr == "20 matching lines (3 shown; --limit to see more)\n"
    # an exclusion that starts the query goes after `--`
    excluded = warroom("logs", incident_id, "--", "-line", env={"WARROOM_DB": str(db)})
    assert excluded.returncode == 0, excluded.stderr
    assert excluded.stderr == "21 matching lines\n"  # the errors and the hostile line


def test_a_bad_pattern_or_an_unknown_id_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    incident_id = archived(db)
    for query in ("time(out", "(a)\\1", "level:loud"):
        result = warroom("logs", incident_id, query, db=db)
        assert result.returncode == 2, query
        assert result.stdout == ""
        assert result.stderr.startswith("Bad search: ") and result.stderr.count("\n") == 1, query
    unknown = warroom("logs", "INC-20990101-001", db=db)
    assert unknown.returncode == 2
    assert unknown.stderr == f"There is no incident INC-20990101-001 in {db}.\n"
