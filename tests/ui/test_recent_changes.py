"""The recent changes panel (`D`) through Pilot: the fly stand-in on PATH and a real git
repository; releases made after the incident began highlighted; `r` refreshes and the time
of the refresh is shown; a missing `fly` is a sentence, not a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.support.fly import fly_on_path
from tests.support.git_repo import git_repository
from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, until, war_room_app, war_room_screen
from warroom.playbook import Playbook
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.recent_changes import AFTER, RecentChangesScreen

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def with_repository(repository: str) -> Playbook:
    playbook = quiet_playbook()
    settings = playbook.settings._replace(repository=repository)
    return playbook._replace(settings=settings)


def panel_text(app: WarRoomApp) -> str:
    return str(app.screen.query_one("#changes-body", Static).render())


def refreshed(app: WarRoomApp) -> bool:
    screen = app.screen
    return isinstance(screen, RecentChangesScreen) and screen.refreshed_at is not None


async def test_releases_and_commits_with_the_releases_since_the_incident_marked(
    store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fly = fly_on_path(tmp_path)
    for name, value in fly.env.items():
        monkeypatch.setenv(name, value)
    # The stand-in's newest release is a minute before its epoch; the others days before.
    monkeypatch.setenv("WARROOM_DEMO_EPOCH", str(NOW.timestamp()))
    git_repository(tmp_path / "app", ["Add the chat endpoint", "Pool database connections"])
    incident_id = await declare(store, at=NOW - timedelta(minutes=10))
    now = [NOW]
    playbook = with_repository(str(tmp_path / "app"))
    app = war_room_app(store, incident_id, playbook=playbook, clock=lambda: now[0])
    async with app.run_test(size=(150, 50)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("D")
        await until(pilot, lambda: refreshed(app), what="changes read")
        text = panel_text(app)
        for app_name in ("slurpy-frontend", "slurpy-backend", "slurpy-mcp"):
            assert f"{app_name}  fly releases" in text
        rows = [line for line in text.splitlines() if line.startswith("  v")]
        marked = [row for row in rows if AFTER in row]
        assert len(marked) == 3  # each app's newest release, one per app
        assert all(row.startswith("  v4 ") and "1 min ago" in row for row in marked)
        assert "Pool database connections" in text and "Add the chat endpoint" in text
        subtitle = str(app.screen.query_one(VerticalScroll).border_subtitle)
        assert subtitle.startswith("refreshed 12:00:00 UTC")

        calls = len(fly.called())
        screen = app.screen
        assert isinstance(screen, RecentChangesScreen)
        now[0] = NOW + timedelta(minutes=1)
        await pilot.press("r")
        await until(
            pilot,
            lambda: screen.refreshed_at == NOW + timedelta(minutes=1),
            what="refreshed",
        )
        assert len(fly.called()) == calls + 3
        assert "refreshed 12:01:00 UTC" in str(screen.query_one(VerticalScroll).border_subtitle)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RecentChangesScreen), what="closed")


async def test_without_fly_the_panel_says_so(
    store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither fly nor git
    app = war_room_app(store, await declare(store), playbook=quiet_playbook())
    async with app.run_test(size=(150, 50)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("D")
        await until(pilot, lambda: refreshed(app), what="changes read")
        text = panel_text(app)
        assert "Releases of slurpy-backend not shown: 'fly' is not on PATH, so nothing ran." in text
        assert 'No repository set: add repository = "PATH" to [settings].' in text
