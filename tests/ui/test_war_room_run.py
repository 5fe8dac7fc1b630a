"""Running the playbook's commands from the war room, as a person does at the keys, against
the project's `fly` stand-in on PATH (real processes): a destructive command needs its app
name typed, output is shown as plain text, a cancel kills the whole group, a placeholder is
picked from what `fly machine list` printed, and every run lands on the timeline."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Log, OptionList

from tests.support.fly import FakeFly, fly_on_path
from tests.support.playbooks import quiet_playbook
from tests.support.processes import pid_alive
from tests.support.tmux import Tmux
from tests.support.waiting import eventually
from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.commands import Outcome
from warroom.demo import scenario
from warroom.demo.world import DemoWorld, demo_playbook
from warroom.playbook import load_playbook
from warroom.resources import bundled_playbook_path
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.messages import RunRequested
from warroom.ui.screens.prompts import ChoicePrompt
from warroom.ui.screens.run_forms import ConfirmRunScreen, PickScreen, RollbackScreen
from warroom.ui.screens.run_output import RunScreen
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.health_pane import HealthPane


@pytest.fixture
def fly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeFly:
    fake = fly_on_path(tmp_path)
    for name, value in fake.env.items():
        monkeypatch.setenv(name, value)
    return fake


async def loaded(pilot: Pilot[None], app: WarRoomApp) -> WarRoomScreen:
    await until(pilot, lambda: war_room_screen(app).state is not None, what="incident loaded")
    return war_room_screen(app)


async def choose_command(pilot: Pilot[None], app: WarRoomApp, name: str) -> None:
    await pilot.press("x")
    await until(pilot, shows(app, ChoicePrompt), what="command list")
    options = app.screen.query_one(OptionList)
    options.highlighted = [o.id for o in options.options].index(name)
    await pilot.press("enter")


async def run_screen(pilot: Pilot[None], app: WarRoomApp) -> RunScreen:
    await until(pilot, shows(app, RunScreen), what="the run's screen")
    screen = app.screen
    assert isinstance(screen, RunScreen)
    return screen


def runs_on_timeline(room: WarRoomScreen) -> list[str]:
    return [e.text for e in state_of(room).timeline if e.kind == kinds.COMMAND_RUN]


async def test_a_destructive_command_runs_only_with_its_app_name_typed_and_is_recorded(
    store: EventStore, fly: FakeFly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_FAKEFLY_HOSTILE", "1")
    fleet = tmp_path / "fleet.json"
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(120, 40)) as pilot:
        room = await loaded(pilot, app)
        await choose_command(pilot, app, "scale-out-backend")
        await until(pilot, shows(app, ConfirmRunScreen), what="confirm")
        argv = str(app.screen.query_one("#argv").render())
        assert argv.splitlines() == [
            "fly",
            "scale",
            "count",
            "5",
            "--app",
            "slurpy-backend",
            "--yes",
        ]
        await pilot.press(*"slurpy-frontend", "enter")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmRunScreen), what="refused")
        assert fly.called() == [] and not fleet.exists()  # nothing ran
        assert runs_on_timeline(room) == []

        await choose_command(pilot, app, "scale-out-backend")
        await until(pilot, shows(app, ConfirmRunScreen), what="confirm")
        await pilot.press(*"slurpy-backend", "enter")
        screen = await run_screen(pilot, app)
        await until(pilot, lambda: screen.result is not None, what="the run's end")
        await until(pilot, lambda: runs_on_timeline(room), what="the run on the timeline")
        lines = list(screen.query_one(Log).lines)
        assert any("+3 machines" in line for line in lines)
        hostile = next(line for line in lines if "not markup" in line)
        # Shown as written: markup stays text, no escape reaches the terminal.
        assert "[bold red]not markup[/bold red]" in hostile and "[link=x]y[/link]" in hostile
        assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
        assert "exit code 0" in str(screen.query_one("#status").render())
        await pilot.press("escape")
    assert fly.called() == ["scale count 5 --app slurpy-backend --yes"]
    events = await store.events(incident_id)
    run = next(e for e in events if e.kind == kinds.COMMAND_RUN)
    assert run.payload["argv"][-3:] == ["--app", "slurpy-backend", "--yes"]
    assert run.payload["exit_code"] == 0 and run.actor == "bob"


async def test_cancel_kills_the_run_and_everything_it_started(
    store: EventStore, fly: FakeFly, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_FAKEFLY_HANG", "stubborn")
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(120, 40)) as pilot:
        room = await loaded(pilot, app)
        await choose_command(pilot, app, "releases-backend")
        screen = await run_screen(pilot, app)
        await until(pilot, lambda: screen.query_one(Log).line_count > 2, what="output so far")
        await pilot.press("escape")  # still running: stays
        assert app.screen is screen
        await pilot.press("k")
        await until(pilot, lambda: screen.result is not None, what="the run's end", tries=1000)
        assert screen.result is not None and screen.result.outcome == Outcome.CANCELLED
        await until(pilot, lambda: runs_on_timeline(room), what="the run on the timeline")
    assert fly.started() and not any(pid_alive(pid) for pid in fly.started())


async def test_a_placeholder_is_picked_from_what_machine_list_printed(
    store: EventStore, fly: FakeFly
) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    argv = ("fly", "machine", "restart", "<machine-id>", "--app", "slurpy-frontend")
    async with app.run_test(size=(120, 40)) as pilot:
        room = await loaded(pilot, app)
        room.post_message(RunRequested("", argv, "Site is down: Restart one machine"))
        await until(pilot, shows(app, PickScreen), what="the picker")
        options = app.screen.query_one(OptionList)
        listed = [str(option.prompt).split()[0] for option in options.options]
        assert len(listed) == 2 and all(len(machine) == 14 for machine in listed)
        options.focus()
        options.highlighted = 1
        await pilot.press("enter")
        await until(pilot, shows(app, ConfirmRunScreen), what="confirm")
        await pilot.press(*"slurpy-frontend", "enter")
        screen = await run_screen(pilot, app)
        await until(pilot, lambda: screen.result is not None, what="the run's end")
        assert screen.result is not None and screen.result.ok
        await until(pilot, lambda: runs_on_timeline(room), what="the run on the timeline")
    assert fly.called() == [
        "machine list --json --app slurpy-frontend",
        f"machine restart {listed[1]} --app slurpy-frontend",
    ]
    run = next(e for e in await store.events(incident_id) if e.kind == kinds.COMMAND_RUN)
    assert run.payload["name"] == "Site is down: Restart one machine"


async def test_a_read_only_playbook_refuses_destructive_commands_saying_why(
    store: EventStore, fly: FakeFly
) -> None:
    shipped = quiet_playbook()
    playbook = shipped._replace(settings=shipped.settings._replace(read_only=True))
    incident_id = await declare(store)
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await choose_command(pilot, app, "restart-backend")
        await until(pilot, lambda: app._notifications, what="the refusal")
        said = [n.message for n in app._notifications]
        assert any("read-only" in message and "nothing was run" in message for message in said)
        assert not isinstance(app.screen, ConfirmRunScreen | RunScreen)
    assert fly.called() == []


async def test_typed_input_is_not_read_as_markup(store: EventStore, fly: FakeFly) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await choose_command(pilot, app, "rollback-backend")
        await until(pilot, shows(app, PickScreen), what="the picker")
        app.screen.query_one(Input).focus()
        await pilot.press(*"[b]x[/b]", "enter")
        await until(pilot, shows(app, ConfirmRunScreen), what="confirm")
        argv = str(app.screen.query_one("#argv").render()).splitlines()
        assert argv[-1] == "[b]x[/b]"
        await pilot.press("escape")
    assert fly.called() == ["releases --json --image --app slurpy-backend"]


async def test_rolling_back_the_demo_backend_ends_its_outage(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = next(e for e in scenario.EPISODES if e.target == "backend")
    with DemoWorld(epoch=time.time() - backend.start - 1) as world:
        for name, value in world.environment().items():
            monkeypatch.setenv(name, value)
        playbook = demo_playbook(load_playbook(bundled_playbook_path()), world.base_url)
        health = f"{world.base_url}/backend/health/healthz"
        assert answer(health)[0] == 503
        incident_id = await declare(store)
        app = war_room_app(store, incident_id, playbook=playbook)
        async with app.run_test(size=(160, 48)) as pilot:
            room = await loaded(pilot, app)
            palette = [c.title for c in app.get_system_commands(room)]
            assert {"Roll back slurpy-backend", "Run: rollback-backend"} <= set(palette)
            await choose_command(pilot, app, "rollback:slurpy-backend")
            await until(pilot, shows(app, RollbackScreen), what="releases")
            releases = app.screen
            assert isinstance(releases, RollbackScreen)
            shown = [str(o.prompt) for o in releases.query_one(OptionList).options]
            assert [line.split()[0] for line in shown] == ["v4", "v3", "v2", "v1"]
            assert "running" in shown[0] and "running" not in "".join(shown[1:])
            # The bad release is running; the newest one before the incident is v3.
            assert releases.query_one(OptionList).highlighted == 1
            previous = releases.releases[1].image
            await pilot.press("enter")
            await until(pilot, shows(app, ConfirmRunScreen), what="confirm")
            await pilot.press(*"slurpy-backend", "enter")
            screen = await run_screen(pilot, app)
            await until(pilot, lambda: screen.result is not None, what="the deploy's end")
            assert screen.result is not None and screen.result.ok
            await until(pilot, lambda: runs_on_timeline(room), what="the deploy on the timeline")
            assert answer(health) == (200, {"ok": True})
            monitor = room.query_one(HealthPane).monitor
            await until(
                pilot,
                lambda: "backend" in monitor.last and monitor.last["backend"].state == "up",
                what="the backend green in the health pane",
                tries=1500,
            )
    run = next(e for e in await store.events(incident_id) if e.kind == kinds.COMMAND_RUN)
    assert run.payload["name"] == "rollback-backend"
    assert run.payload["argv"][-4:] == ["--app", "slurpy-backend", "--image", previous]


def answer(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=5) as got:
            return got.status, json.load(got)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
async def test_inside_tmux_an_interactive_command_opens_in_a_new_window(
    store: EventStore, fly: FakeFly, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside tmux the war room suspends (`App.suspend`), which Pilot's headless driver
    cannot do: that branch is `plan_launch`'s, tested in tests/unit/test_fleet.py."""
    server = Tmux("warroom-run")
    try:
        # Started with the test's PATH, so the window finds the `fly` stand-in.
        server.run("new-session", "-d", "-s", "war", "-x", "80", "-y", "24")
        server.run("set-option", "-g", "remain-on-exit", "on")
        socket = server.run("display-message", "-p", "#{socket_path}").strip()
        monkeypatch.setenv("TMUX", f"{socket},{os.getpid()},0")
        incident_id = await declare(store)
        app = war_room_app(store, incident_id)
        async with app.run_test(size=(120, 40)) as pilot:
            room = await loaded(pilot, app)
            await choose_command(pilot, app, "shell-backend")
            await until(pilot, lambda: runs_on_timeline(room), what="the run on the timeline")
        windows = server.run("list-windows", "-a", "-F", "#{window_name}").split()
        assert "shell-backend" in windows
        await eventually(lambda: fly.called(), what="fly run by the window")
        assert fly.called() == ["ssh console --app slurpy-backend"]
    finally:
        server.kill()
    run = next(e for e in await store.events(incident_id) if e.kind == kinds.COMMAND_RUN)
    assert run.payload["argv"] == [
        *("tmux", "new-window", "-n", "shell-backend", "--"),
        *("fly", "ssh", "console", "--app", "slurpy-backend"),
    ]
    assert run.payload["exit_code"] == 0
