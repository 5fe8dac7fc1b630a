"""Reading flyctl's releases and machines for the rollback and the placeholder picker,
and deciding how an interactive command gets a terminal: pure, no process started."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.commands import Runnable, find
from warroom.commands.fleet import (
    age,
    deployable,
    feed_argv,
    fly_program,
    parse_machines,
    parse_releases,
    preselected,
    rollbacks,
    running,
)
from warroom.commands.interactive import plan_launch, terminal_result
from warroom.commands.runner import Outcome
from warroom.demo.world import demo_playbook
from warroom.playbook import load_playbook

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def release(version: int, created: datetime, status: str = "complete") -> dict[str, object]:
    return {
        "Version": version,
        "Status": status,
        "Description": "Release",
        "User": {"Email": "ops@example.com"},
        "CreatedAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ImageRef": f"registry.fly.io/app:v{version}",
    }


def test_releases_are_read_newest_first_and_the_running_one_is_the_newest_complete() -> None:
    text = json.dumps(
        [
            release(5, START + timedelta(minutes=5), status="failed"),
            release(3, START - timedelta(days=2)),
            release(4, START - timedelta(minutes=1)),
            {"Version": 9, "Status": "complete", "CreatedAt": "not a date", "ImageRef": "x"},
            {"Version": 8, "Status": "complete", "CreatedAt": "2026-01-01T00:00:00Z"},
        ]
    )

    releases = deployable(parse_releases(text))

    # Unreadable times and missing image refs are nothing to roll back to.
    assert [r.version for r in releases] == [5, 4, 3]
    assert [r.version for r in parse_releases(text)] == [5, 3, 4, 9, 8]
    assert releases[0].user == "ops@example.com"
    current = running(releases)
    assert current is not None and current.version == 4


def test_preselected_is_the_newest_before_the_start_that_is_not_running() -> None:
    listed = [
        release(6, START + timedelta(minutes=3)),
        release(5, START - timedelta(minutes=1)),
        release(4, START - timedelta(days=2)),
    ]
    releases = deployable(parse_releases(json.dumps(listed)))
    chosen = preselected(releases, START)
    assert chosen is not None and chosen.version == 5

    # The bad release made just before the start is the one running: the one before it.
    chosen = preselected(releases[1:], START)
    assert chosen is not None and chosen.version == 4
    assert preselected(releases[:1], START) is None


def test_a_notice_flyctl_printed_on_stderr_around_the_json_is_left_aside() -> None:
    text = (
        "A new release of flyctl is available: 0.3.1 -> 0.3.2\n"
        + json.dumps([release(4, START)], indent=2)
        + "\nRun 'fly version update' to upgrade.\n"
    )
    assert [r.version for r in parse_releases(text)] == [4]


def test_unreadable_answers_say_so_in_a_sentence() -> None:
    for text in ("<html>", '{"a": 1}', "[1, 2]"):
        try:
            parse_releases(text)
        except ValueError as error:
            assert str(error).startswith("flyctl's releases are not")
        else:
            raise AssertionError(text)


def test_machines_are_read_by_id() -> None:
    text = json.dumps(
        [
            {"id": "e286de4b", "name": "app-0", "state": "started", "region": "iad"},
            {"name": "no id"},
        ]
    )
    assert [(m.id, m.state, m.region) for m in parse_machines(text)] == [
        ("e286de4b", "started", "iad")
    ]


def test_ages() -> None:
    assert age(START - timedelta(seconds=5), START) == "5s ago"
    assert age(START - timedelta(minutes=90), START) == "1h ago"
    assert age(START - timedelta(days=9), START) == "9d ago"


def test_feeds_run_the_same_fly_as_the_command() -> None:
    restart = Runnable(
        "restart-machine", ("fly", "machine", "restart", "<machine-id>", "-a", "api"), "step"
    )
    assert feed_argv(restart, "machine-id") == ("fly", "machine", "list", "--json", "--app", "api")
    assert feed_argv(restart, "new-key") is None
    demo = demo_playbook(load_playbook(SHIPPED_PLAYBOOK), "http://127.0.0.1:1")
    deploy = find(demo, "rollback-backend")
    program = fly_program(deploy.argv)
    assert program is not None and program[1:] == ("-m", "warroom.demo.fakefly")
    assert feed_argv(deploy, "image-ref") == (
        *program,
        *("releases", "--json", "--image", "--app", "slurpy-backend"),
    )
    assert fly_program(("warroom", "check")) is None


def test_every_app_the_playbook_deploys_images_to_has_a_rollback() -> None:
    found = rollbacks(load_playbook(SHIPPED_PLAYBOOK))

    assert [r.app for r in found] == ["slurpy-frontend", "slurpy-backend", "slurpy-mcp"]
    assert found[1].runnable.name == "rollback-backend"
    assert found[1].releases_argv == (
        *("fly", "releases", "--json", "--image", "--app", "slurpy-backend"),
    )


def test_interactive_commands_open_a_tmux_window_inside_tmux_else_take_the_terminal() -> None:
    argv = ("fly", "ssh", "console", "--app", "slurpy-backend")

    inside = plan_launch("shell-backend", argv, {"TMUX": "/tmp/tmux-1/default,42,0"})
    outside = plan_launch("shell-backend", argv, {"TERM": "xterm"})

    assert inside.how == "tmux"
    assert inside.argv == ("tmux", "new-window", "-n", "shell-backend", "--", *argv)
    assert (outside.how, outside.argv) == ("suspend", argv)


def test_an_interactive_run_is_recorded_with_its_code_and_duration_and_no_output() -> None:
    argv = ("fly", "ssh", "console")
    ran = terminal_result("shell-backend", argv, 3, 12.5)
    missing = terminal_result("shell-backend", argv, None, 0.0, "'fly' is not on PATH")

    assert (ran.outcome, ran.exit_code, ran.duration, ran.output) == (Outcome.EXITED, 3, 12.5, "")
    assert "exit 3" in ran.summary
    assert (missing.outcome, missing.summary) == (Outcome.NOT_FOUND, "'fly' is not on PATH")


def test_the_shipped_shell_commands_are_interactive() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)
    assert find(playbook, "shell-backend").interactive
    steps = [
        s for r in playbook.runbooks for s in r.diagnosis if s.command[1:3] == ("ssh", "console")
    ]
    assert steps and all(s.interactive for s in steps)
