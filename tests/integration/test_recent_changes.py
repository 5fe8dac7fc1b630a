"""Recent changes as `warroom.commands.changes` reads them: the fly stand-in on PATH
answering `fly releases --json`, a real git repository, and a missing `fly`, a failing one
or no repository each said in a sentence."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.fly import fly_on_path
from tests.support.git_repo import git_repository
from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.commands import changes, fleet
from warroom.demo.world import demo_playbook
from warroom.playbook import load_playbook


def test_the_fly_apps_are_those_the_playbook_names() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})

    assert changes.fly_apps(playbook) == ("slurpy-frontend", "slurpy-backend", "slurpy-mcp")
    assert changes.fly_program(playbook) == ("fly",)
    assert changes.repository_path(playbook) is None
    with_repo = playbook._replace(settings=playbook.settings._replace(repository="../app"))
    assert changes.repository_path(with_repo) == SHIPPED_PLAYBOOK.parent / "../app"


async def test_releases_come_from_fly_releases_json_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fly = fly_on_path(tmp_path)
    for name, value in fly.env.items():
        monkeypatch.setenv(name, value)

    found = await changes.app_releases("slurpy-backend")

    assert found.problem == ""
    assert [r.version for r in found.releases] == [4, 3, 2, 1]
    assert {r.status for r in found.releases} == {"complete"}
    assert found.releases[0].user and found.releases[0].created is not None
    assert fly.called() == ["releases --json --app slurpy-backend"]


async def test_a_failing_fly_and_a_missing_one_are_sentences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fly = fly_on_path(tmp_path)
    for name, value in fly.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WARROOM_FAKEFLY_EXIT", "1")

    failed = await changes.app_releases("slurpy-backend")

    assert failed.releases == ()
    assert failed.problem.startswith(
        "Releases of slurpy-backend not shown: `fly releases` failed: exit 1 after "
    )

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    missing = await changes.app_releases("slurpy-backend")

    assert missing.problem == (
        "Releases of slurpy-backend not shown: 'fly' is not on PATH, so nothing ran."
    )


async def test_commits_come_from_git_log_in_the_repository(tmp_path: Path) -> None:
    repo = git_repository(tmp_path / "app", [f"change {n}" for n in range(12)])

    found = await changes.commits(repo)

    assert found.problem == ""
    assert len(found.lines) == 10
    assert found.lines[0].endswith(" change 11") and found.lines[-1].endswith(" change 2")


async def test_a_folder_that_is_no_repository_is_a_sentence(tmp_path: Path) -> None:
    found = await changes.commits(tmp_path)

    assert found.lines == ()
    assert found.problem.startswith("Recent commits not shown: `git log` failed: exit 128")
    assert "not a git repository" in found.problem


def test_release_json_around_a_warning_is_read_and_garbage_is_refused() -> None:
    output = 'WARN a newer flyctl is available\n[{"Version": 7, "Status": "failed"}]'

    assert [(r.version, r.status) for r in fleet.parse_releases(output)] == [(7, "failed")]
    with pytest.raises(ValueError, match="not JSON"):
        fleet.parse_releases("Error: not authorized")


async def test_the_demo_answers_through_its_fly_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fly: the demo playbook runs its stand-in
    demo = demo_playbook(load_playbook(SHIPPED_PLAYBOOK, env={}), "http://127.0.0.1:9")
    program = changes.fly_program(demo)

    found = await changes.app_releases("slurpy-backend", program=program)

    assert program == (sys.executable, "-m", "warroom.demo.fakefly")
    assert changes.fly_apps(demo) == ("slurpy-frontend", "slurpy-backend", "slurpy-mcp")
    assert found.problem == "" and found.releases[0].version == 4
