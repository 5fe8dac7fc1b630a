"""`warroom review` in Pilot: every write key refused with the reason and nothing written,
replay showing the incident as it stood at a chosen time, and no network or process at all.

The incident is recorded in a real SQLite file (`tests.support.review`), opened read-only as
the command opens it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widget import Widget

from tests.support.review import (
    RecordingListener,
    at,
    log_text,
    offline_playbook,
    recorded_incident,
    review_app,
    write_incident,
)
from tests.support.war_room import state_of, until, war_room_app, war_room_screen
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.screens.war_room_review import SCREEN_WRITES, WIDGET_WRITES
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.health_row import HealthRow
from warroom.ui.widgets.log_pane import LogPane
from warroom.ui.widgets.timeline import TimelinePane

SIZE = (160, 50)

READS: dict[type[Widget], set[str]] = {
    WarRoomScreen: {
        "show_region",
        "show_title",
        "replay_step",
        "replay_jump",
        "replay_goto",
        "replay_live",
    },
    TimelinePane: {"choose_filter", "toggle_notes_only", "move", "page", "first", "last"},
    ChecklistPane: set(),
    LogPane: {
        "edit_filter",
        "toggle_follow",
        "toggle_case",
        "cycle_level",
        "cycle_source",
        "cycle_preset",
        "goto_time",
        "toggle_mark",
        "next_mark",
        "export",
        "close_inputs",
    },
}
"""The keys that only look (or write a file the reviewer asked for, the log export)."""
REVIEW_WRITES = {"postmortem"}
"""The one write review allows: the post-mortem's sections (`war_room_postmortem`)."""


def bindings_of(kind: type[Widget]) -> list[Binding]:
    """warroom's own bindings on `kind` (Textual's are focus moves and scrolling)."""
    found: list[Binding] = []
    for cls in kind.__mro__:
        if not cls.__module__.startswith("warroom."):
            continue
        found += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


def action_name(binding: Binding) -> str:
    return binding.action.split("(")[0]


@pytest.fixture
def listener() -> Iterator[RecordingListener]:
    with RecordingListener() as recording:
        yield recording


@pytest.fixture
async def recorded(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "incidents.db"
    return db, await write_incident(db, recorded_incident())


@pytest.fixture
async def reader(recorded: tuple[Path, str]) -> AsyncIterator[EventStore]:
    async with await open_store(recorded[0], create=False, read_only=True) as store:
        yield store


async def opened(pilot: Pilot[Any], app: WarRoomApp) -> WarRoomScreen:
    await until(
        pilot,
        lambda: isinstance(app.screen, WarRoomScreen) and app.screen.state is not None,
        what="the incident loaded",
    )
    screen = war_room_screen(app)
    await until(pilot, lambda: len(screen.archived) == 31, what="the captured lines read")
    return screen


def notified_since(app: WarRoomApp, count: int) -> Callable[[], bool]:
    return lambda: len(app._notifications) > count


def health_line(screen: WarRoomScreen, target: str) -> str:
    row = next(r for r in screen.query(HealthRow) if r.target == target)
    return row.line(120).plain


def test_every_binding_is_either_refused_in_review_or_only_looks() -> None:
    for kind, reads in READS.items():
        screen = set(SCREEN_WRITES) | REVIEW_WRITES
        writes = screen if kind is WarRoomScreen else set(WIDGET_WRITES[kind])
        names = {action_name(b) for b in bindings_of(kind)}
        assert names == writes | reads, kind.__name__


async def test_review_refuses_every_write_key_and_writes_nothing(
    recorded: tuple[Path, str],
    reader: EventStore,
    listener: RecordingListener,
    tmp_path: Path,
) -> None:
    db, incident_id = recorded
    watcher = sqlite3.connect(db)
    version = watcher.execute("PRAGMA data_version").fetchone()
    mtime = db.stat().st_mtime_ns
    app = review_app(reader, incident_id, listener, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, app)
        keys: list[tuple[Widget, Binding]] = [
            (screen.query_one(HealthPane), b)
            for b in bindings_of(WarRoomScreen)
            if action_name(b) in SCREEN_WRITES
        ]
        for kind, writes in WIDGET_WRITES.items():
            pane: Widget = screen.query_one(kind)
            if isinstance(pane, LogPane):
                pane = pane.view  # focusing the pane itself would focus its filter input
            keys += [(pane, b) for b in bindings_of(kind) if action_name(b) in writes]
        assert len(keys) == len(SCREEN_WRITES) + sum(map(len, WIDGET_WRITES.values()))
        for focus, binding in keys:
            focus.focus()
            await pilot.pause()
            before = len(app._notifications)
            await pilot.press(binding.key)
            await until(pilot, notified_since(app, before), what=f"{binding.key} refused")
            said = list(app._notifications)[-1].message
            assert "review is read-only" in said, (binding.key, said)
            assert app.screen is screen, f"{binding.key} opened {type(app.screen).__name__}"
        assert len(await reader.events(incident_id)) == len(recorded_incident().events)
    assert watcher.execute("PRAGMA data_version").fetchone() == version
    assert db.stat().st_mtime_ns == mtime
    assert listener.connections == 0 and not (tmp_path / "spawned").exists()


async def test_replay_shows_the_incident_as_it_stood_at_the_chosen_time(
    recorded: tuple[Path, str],
    reader: EventStore,
    listener: RecordingListener,
    tmp_path: Path,
) -> None:
    app = review_app(reader, recorded[1], listener, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, app)
        assert not state_of(screen).is_open  # live: the end of the incident
        await pilot.press("g")
        await pilot.press(*"12:06", "enter")
        await until(pilot, lambda: screen.replay_at == at(6), what="replay at 12:06")
        state = state_of(screen)
        assert (state.severity, state.is_open) == ("P2", True)
        assert "alert-received" in state.ticked
        assert [entry.seq for entry in state.timeline] == [1, 2, 3]
        assert [entry.seq for entry in screen.query_one(TimelinePane).state.timeline] == [1, 2, 3]  # type: ignore[union-attr]
        assert "down" in health_line(screen, "backend")
        assert "no health change recorded" in health_line(screen, "frontend")
        assert log_text(screen)[-1].endswith("minute 6")
        bar = str(screen.query_one("ReplayBar").render())
        assert "REVIEW replay 2025-03-01 12:06:00 UTC" in bar and "●" in bar

        await pilot.press("full_stop")  # the next event: P1 at 12:10
        await until(pilot, lambda: screen.replay_at == at(10), what="the next event")
        assert state_of(screen).severity == "P1"
        await pilot.press("right_curly_bracket")  # +10 min
        await until(pilot, lambda: screen.replay_at == at(20), what="ten minutes on")
        assert "up" in health_line(screen, "backend")
        await pilot.press("less_than_sign")
        await until(pilot, lambda: screen.replay_at == at(19), what="a minute back")
        assert "down" in health_line(screen, "backend")
        assert log_text(screen)[-1].endswith("minute 19")

        await pilot.press("L")
        await until(pilot, lambda: screen.replay_at is None, what="back to live")
        assert not state_of(screen).is_open
        assert log_text(screen)[-1].endswith("minute 30")
    assert listener.connections == 0 and not (tmp_path / "spawned").exists()


async def test_review_polls_nothing_and_spawns_nothing(
    recorded: tuple[Path, str],
    reader: EventStore,
    listener: RecordingListener,
    tmp_path: Path,
) -> None:
    app = review_app(reader, recorded[1], listener, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot, app)
        assert screen.query_one(HealthPane).worker is None
        assert screen.query_one(LogPane).tail.runners == {}
        # Nothing to await for what must not happen: give a live room's first poll and
        # source start (0.15 s after loading) ample time to have shown up.
        await pilot.pause(1.0)
    assert listener.connections == 0
    assert not (tmp_path / "spawned").exists()


async def test_the_same_playbook_live_would_connect_and_spawn(
    store: EventStore, listener: RecordingListener, tmp_path: Path
) -> None:
    """The check above can fail: the live war room on that playbook does both."""
    incident_id = (await store.declare(title="Live", severity="P2", actor="ann")).incident_id
    playbook = offline_playbook(listener.port, tmp_path / "spawned")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: listener.connections > 0, what="a health poll")
        await until(pilot, lambda: (tmp_path / "spawned").exists(), what="the log source run")


async def test_review_of_a_running_incident_follows_new_events(
    tmp_path: Path, listener: RecordingListener
) -> None:
    db = tmp_path / "incidents.db"
    async with await open_store(db) as writer:
        incident_id = (await writer.declare(title="Live", severity="P2", actor="ann")).incident_id
        async with await open_store(db, create=False, read_only=True) as reader:
            app = review_app(reader, incident_id, listener, tmp_path)
            async with app.run_test(size=SIZE) as pilot:
                await until(
                    pilot,
                    lambda: isinstance(app.screen, WarRoomScreen) and app.screen.state is not None,
                    what="the incident loaded",
                )
                await writer.append(
                    incident_id, "severity.changed", {"from": "P2", "to": "P1"}, actor="ann"
                )
                await until(
                    pilot, lambda: state_of(app).severity == "P1", what="the change followed"
                )
