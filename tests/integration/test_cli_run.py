"""`warroom run` and `warroom commands` as a user runs them: real processes, the `fly`
stand-in on PATH, a real git repository, the incident database on disk."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fly import FakeFly, fly_on_path
from tests.support.paths import MINIMAL_PLAYBOOK, SHIPPED_PLAYBOOK
from tests.support.processes import pid_alive, warroom
from warroom import incident as inc
from warroom.incident import Event
from warroom.store import open_store

WARROOM = (sys.executable, "-m", "warroom")


@pytest.fixture
def fly(tmp_path: Path) -> FakeFly:
    return fly_on_path(tmp_path)


@pytest.fixture
def incident(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "incidents.db"
    declared = warroom("new", "--severity", "P1", "--title", "api down", db=db)
    assert declared.returncode == 0, declared.stderr
    return db, declared.stdout.strip()


def runs(db: Path, incident_id: str) -> list[tuple[Event, str | None]]:
    """The incident's command.run events, each with the output kept beside it."""

    async def read() -> list[tuple[Event, str | None]]:
        async with await open_store(db) as store:
            events = [e for e in await store.events(incident_id) if e.kind == inc.COMMAND_RUN]
            return [(e, await store.command_output(incident_id, e.seq)) for e in events]

    return asyncio.run(read())


def test_run_prints_the_output_exits_with_its_code_and_records_it(
    incident: tuple[Path, str], fly: FakeFly
) -> None:
    db, incident_id = incident

    done = warroom("run", incident_id, "releases-backend", "--as", "ann", db=db, env=fly.env)

    assert done.returncode == 0, done.stderr
    header = "VERSION STATUS DESCRIPTION USER DATE DOCKER IMAGE"
    assert done.stdout.splitlines()[0].split() == header.split()
    assert "releases-backend: exit 0 after " in done.stderr
    ((event, output),) = runs(db, incident_id)
    assert event.actor == "ann" and event.payload["name"] == "releases-backend"
    assert event.payload["argv"] == ["fly", "releases", "--app", "slurpy-backend", "--image"]
    assert event.payload["exit_code"] == 0 and event.payload["duration"] > 0
    assert event.payload["output_head"].startswith("VERSION")
    assert output == done.stdout.rstrip("\n")


def test_a_failing_command_passes_its_exit_code_on(
    incident: tuple[Path, str], fly: FakeFly
) -> None:
    db, incident_id = incident
    env = {**fly.env, "WARROOM_FAKEFLY_EXIT": "3"}

    done = warroom("run", incident_id, "backend-releases", db=db, env=env)

    assert done.returncode == 3
    assert "(last line: Error: failed as WARROOM_FAKEFLY_EXIT=3 asked)" in done.stderr
    ((event, _),) = runs(db, incident_id)
    assert (event.payload["outcome"], event.payload["exit_code"]) == ("exited", 3)


def test_shell_syntax_in_a_value_stays_one_argument(
    incident: tuple[Path, str], fly: FakeFly, tmp_path: Path
) -> None:
    db, incident_id = incident
    hostile = "registry.fly.io/b:v1; touch pwned"

    done = warroom(
        "run",
        incident_id,
        "rollback-backend",
        "--confirm",
        "slurpy-backend",
        "--set",
        f"image-ref={hostile}",
        db=db,
        env=fly.env,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert f"Searching for image '{hostile}' remotely..." in done.stdout
    assert fly.called() == [f"deploy --app slurpy-backend --image {hostile}"]
    assert not list(tmp_path.rglob("pwned"))
    ((event, _),) = runs(db, incident_id)
    assert event.payload["argv"][-1] == hostile


@pytest.mark.parametrize(
    ("confirm", "why"),
    [
        ([], "(none was given)"),
        (["--confirm", "slurpy-frontend"], "('slurpy-frontend' is not 'slurpy-backend')"),
    ],
)
def test_a_destructive_command_without_the_right_confirm_runs_nothing(
    incident: tuple[Path, str], fly: FakeFly, confirm: list[str], why: str
) -> None:
    db, incident_id = incident
    args = ["run", incident_id, "rollback-backend", "--set", "image-ref=registry.fly.io/b:v1"]

    done = warroom(*args, *confirm, db=db, env=fly.env)

    assert done.returncode == 2
    assert "confirm it with the app name 'slurpy-backend'" in done.stderr and why in done.stderr
    assert fly.called() == [] and runs(db, incident_id) == []


def test_read_only_refuses_destructive_commands_and_records_nothing(
    incident: tuple[Path, str], fly: FakeFly
) -> None:
    db, incident_id = incident

    refused = warroom(
        "run",
        incident_id,
        "restart-backend",
        "--confirm",
        "restart-backend",
        "--read-only",
        db=db,
        env=fly.env,
    )
    reading = warroom("--read-only", "run", incident_id, "releases-backend", db=db, env=fly.env)
    writing = warroom("note", incident_id, "hello", "--read-only", db=db)

    assert refused.returncode == 2 and "destructive and this warroom is read-only" in refused.stderr
    assert fly.called() == ["releases --app slurpy-backend --image"]
    assert reading.returncode == 0 and "Not recorded: this warroom is read-only." in reading.stderr
    assert writing.returncode == 2 and "--read-only: warroom note writes" in writing.stderr
    assert runs(db, incident_id) == []


def test_an_unfilled_placeholder_runs_nothing(incident: tuple[Path, str], fly: FakeFly) -> None:
    db, incident_id = incident

    done = warroom(
        "run", incident_id, "rollback-mcp", "--confirm", "slurpy-mcp", db=db, env=fly.env
    )

    assert done.returncode == 2
    assert "needs a value for <image-ref> (--set image-ref=...)" in done.stderr
    assert fly.called() == []


def test_a_missing_fly_is_a_sentence_and_is_recorded(incident: tuple[Path, str]) -> None:
    db, incident_id = incident

    done = warroom("run", incident_id, "releases-mcp", db=db, env={"PATH": "/nonexistent"})

    assert done.returncode == 127
    assert "releases-mcp: 'fly' is not on PATH, so nothing ran" in done.stderr
    assert "Traceback" not in done.stderr
    ((event, output),) = runs(db, incident_id)
    assert event.payload["outcome"] == "not found" and event.payload["exit_code"] is None
    assert output == ""


def test_hostile_output_is_printed_literally(tmp_path: Path, incident: tuple[Path, str]) -> None:
    db, incident_id = incident
    script = tmp_path / "hostile.py"
    script.write_text(
        "import sys\n"
        r"sys.stdout.write('\x1b]52;c;aGk=\x07 \x1b[2J [bold red]markup[/] \x9b31m\n')"
        "\n"
        r"sys.stderr.write('\x1b]0;pwned title\x07 err\n')"
        "\n"
    )
    playbook = tmp_path / "playbook.toml"
    playbook.write_text(
        MINIMAL_PLAYBOOK.read_text() + f'\n[[quick_check]]\nname = "hostile"\nlabel = "Hostile"\n'
        f"command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}]\n"
    )

    done = warroom("run", incident_id, "hostile", db=db, env={"WARROOM_PLAYBOOK": str(playbook)})

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "␛]52;c;aGk=␇ ␛[2J [bold red]markup[/] <U+009B>31m",
        "␛]0;pwned title␇ err",
    ]
    assert "\x1b" not in done.stdout + done.stderr and "\x9b" not in done.stdout


def test_a_timeout_kills_a_hanging_fly_and_is_recorded(
    tmp_path: Path, incident: tuple[Path, str], fly: FakeFly
) -> None:
    db, incident_id = incident
    playbook = tmp_path / "playbook.toml"
    playbook.write_text(
        MINIMAL_PLAYBOOK.read_text()
        + '\n[[quick_check]]\nname = "status"\nlabel = "Status"\ntimeout = "1s"\n'
        'command = ["fly", "status", "--app", "acme-api"]\n'
    )
    env = {**fly.env, "WARROOM_PLAYBOOK": str(playbook), "WARROOM_FAKEFLY_HANG": "stubborn"}

    done = warroom("run", incident_id, "status", db=db, env=env)

    assert done.returncode == 124
    assert "status: timed out after 1.0s; it and everything it started were killed" in done.stderr
    assert "Hostname = acme-api.fly.dev" in done.stdout  # printed before it hung
    ((event, _),) = runs(db, incident_id)
    assert event.payload["outcome"] == "timed out"


def test_output_streams_and_ctrl_c_cancels_the_run(
    incident: tuple[Path, str], fly: FakeFly, tmp_path: Path
) -> None:
    db, incident_id = incident
    env = {**os.environ, "WARROOM_PLAYBOOK": str(SHIPPED_PLAYBOOK), **fly.env}
    proc = subprocess.Popen(
        [*WARROOM, "run", incident_id, "restart-mcp", "--confirm", "restart-mcp", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "WARROOM_FAKEFLY_HANG": "stubborn"},
    )
    try:
        assert proc.stdout is not None
        # The stand-in has printed and now hangs: what it printed is already on our side.
        assert proc.stdout.readline().startswith("Restarting machine ")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    (fly_pid,) = fly.started()

    assert proc.returncode == 130, err
    assert "restart-mcp: cancelled after " in err and "Traceback" not in err
    assert not pid_alive(fly_pid)
    ((event, output),) = runs(db, incident_id)
    assert event.payload["outcome"] == "cancelled" and output is not None
    assert output.count("restarted successfully!") == 2


def test_git_log_runs_in_the_repository_it_is_started_in(
    tmp_path: Path, incident: tuple[Path, str]
) -> None:
    db, incident_id = incident
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    for message in ("first commit", "second: fix the pool"):
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], check=True)

    done = warroom("run", incident_id, "git-log", db=db, cwd=repo)

    assert done.returncode == 0, done.stderr
    assert [line.split(" ", 1)[1] for line in done.stdout.splitlines()] == [
        "second: fix the pool",
        "first commit",
    ]
    ((event, _),) = runs(db, incident_id)
    assert event.payload["argv"] == ["git", "log", "--oneline", "-10"]


def test_commands_lists_what_run_runs(tmp_path: Path) -> None:
    table = warroom("commands")
    listed = warroom("commands", "--json")

    assert table.returncode == 0 and listed.returncode == 0
    rollback = next(line for line in table.stdout.splitlines() if line.startswith("rollback-mcp"))
    assert "Quick rollback" in rollback and "yes: --confirm slurpy-mcp" in rollback
    assert "<image-ref>" in rollback
    entries = {entry["name"]: entry for entry in json.loads(listed.stdout)}
    assert entries["git-log"]["group"] == "Quick checks" and not entries["git-log"]["destructive"]
    assert entries["rollback-mcp"]["placeholders"] == ["image-ref"]
    assert entries["rollback-mcp"]["timeout_seconds"] == 600
    assert entries["restart-mcp"]["confirm_with"] == "restart-mcp"


def test_run_and_commands_have_help() -> None:
    for command in ("run", "commands"):
        shown = warroom(command, "--help")
        assert shown.returncode == 0 and "--read-only" in shown.stdout
    assert "--confirm APP" in warroom("run", "--help").stdout


def test_an_interactive_command_gets_the_terminal_and_is_recorded_without_output(
    incident: tuple[Path, str], fly: FakeFly
) -> None:
    db, incident_id = incident

    done = warroom("run", incident_id, "shell-backend", db=db, env=fly.env)

    assert done.returncode == 0, done.stderr
    # Its output went straight to the terminal (here the test's pipe), not through warroom.
    assert "Connecting to" in done.stdout and "(interactive)" in done.stderr
    [(event, output)] = runs(db, incident_id)
    assert event.payload["exit_code"] == 0 and event.payload["output_chars"] == 0
    assert not output
