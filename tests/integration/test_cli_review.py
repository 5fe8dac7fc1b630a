"""`warroom review` on the command line: help, and bad input as one sentence with exit 2."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.processes import warroom
from tests.support.review import recorded_incident, write_incident


def test_review_has_help_with_the_common_options() -> None:
    result = warroom("review", "--help")
    assert result.returncode == 0
    assert "read-only" in result.stdout and "replay" in result.stdout
    for option in ("--db", "--playbook", "--as"):
        assert option in result.stdout
    assert "review" in warroom("--help").stdout


def test_review_of_an_unknown_incident_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    asyncio.run(write_incident(db, recorded_incident()))
    before = db.stat().st_mtime_ns
    result = warroom("review", "INC-20000101-001", db=db)
    assert result.returncode == 2
    assert result.stderr.strip() == f"There is no incident INC-20000101-001 in {db}."
    assert db.stat().st_mtime_ns == before


def test_review_without_a_database_makes_none(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    result = warroom("review", "INC-20000101-001", db=db)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not db.exists()
