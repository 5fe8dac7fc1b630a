"""SVG snapshots of the war room in every shipped theme, at 80×24 and 160×48, with what an
outage shows: every health state (up, degraded, down, maintenance, stale, not yet polled),
log lines of every level, and a modal over it all.

Nothing polls or tails: the health pane is handed samples and the log pane lines, as the
monitor and the tail hand them over, at a fixed clock, so a snapshot changes only when what
the screen shows changes. Update deliberately with
`pytest tests/ui/test_theme_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.war_room import declare, until, war_room_app, war_room_screen
from tests.ui.test_snapshots import DECLARED, NOW, SnapCompare, focus_settled
from warroom.health.judging import HealthSample, Kind, State
from warroom.playbook import Playbook, load_playbook
from warroom.playbook.themes import Looks, load_themes
from warroom.resources import themes_dir
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.health_pane import HealthPane
from warroom.ui.widgets.log_pane import LogPane

THEMES = ("dark", "light", "high-contrast", "monochrome")

HEALTH: dict[str, tuple[State, int | None, float | None, str, float]] = {
    # target: state, HTTP status, latency, reason, seconds since the answer
    "frontend": ("up", 200, 0.042, "HTTP 200", 2),
    "backend": ("down", 503, 0.310, "HTTP 503 from /health", 3),
    "mcp": ("degraded", 200, 2.4, "slow: 2.4s > 2s", 4),
    "Fly.io": ("up", 200, 0.120, "All Systems Operational", 400),  # stale: no answer since
    "Supabase": ("maintenance", 200, 0.2, "Scheduled maintenance", 5),
    "Clerk": ("degraded", 200, 0.15, "Partial outage: sessions", 6),
}
"""OpenAI gets no sample: it shows as not yet polled."""
TROUBLE = [target for target, (state, *_rest) in HEALTH.items() if state != "up"]

LOG_LINES = {
    "backend": [
        "2026-11-29T03:06:58Z app[1] ord [info] GET /api/health 200 12ms",
        "2026-11-29T03:07:01Z app[1] ord [warn] pool exhausted, waiting 800ms",
        "2026-11-29T03:07:03Z app[1] ord [error] upstream timeout after 30s",
        "2026-11-29T03:07:04Z app[1] ord [debug] retrying request 7f3a",
    ],
    "frontend": [
        "2026-11-29T03:07:05Z app[1] ord [info] GET / 200 38ms",
        "2026-11-29T03:07:06Z app[1] ord [error] fetch /api/chat failed: 503",
    ],
}


def outage_playbook() -> Playbook:
    """The shipped targets and sources, never polled or spawned here; no runbooks, whose
    suggestions come on a timer."""
    return load_playbook(SHIPPED_PLAYBOOK)._replace(runbooks=())


@pytest.fixture(autouse=True)
def in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Nothing polled, tailed, announced or followed: the panes are fed below instead, and
    # the store is opened outside snap_compare's loop, where a read still in flight when
    # that loop ends would leave aiosqlite's thread answering a closed loop (it dies, and
    # closing the store hangs).
    monkeypatch.setattr(WarRoomScreen, "_start_watching", lambda self: None)


@pytest.fixture
def declared(tmp_path: Path) -> Iterator[tuple[EventStore, str]]:
    store = asyncio.run(open_store(tmp_path / "incidents.db"))
    incident_id = asyncio.run(declare(store, at=DECLARED))
    yield store, incident_id
    asyncio.run(store.close())


def app_in(theme: str, store: EventStore, incident_id: str) -> WarRoomApp:
    looks = Looks(load_themes([themes_dir()]), theme)
    return war_room_app(
        store, incident_id, playbook=outage_playbook(), clock=lambda: NOW, looks=looks
    )


async def outage_shown(pilot: Pilot[None]) -> None:
    """The health samples and log lines handed over, and drawn."""
    # The war room is pushed once the app has started, not in its start-up.
    await until(pilot, lambda: bool(pilot.app.screen.query(HealthPane)), what="the war room")
    screen = pilot.app.screen
    health = screen.query_one(HealthPane)
    kinds: dict[str, Kind] = {t.name: "service" for t in health.monitor.targets}
    kinds.update({p.name: "provider" for p in outage_playbook().providers})
    for target, (state, status, latency, reason, age) in HEALTH.items():
        at = NOW - timedelta(seconds=age)
        history = (0.05, 0.06, 0.05, 0.09, 0.2, latency)
        since = at - timedelta(minutes=3)
        sample = HealthSample(
            target, kinds[target], at, state, status, latency, reason, since=since, history=history
        )
        health._on_sample(sample)
    logs = screen.query_one(LogPane)
    for source, lines in LOG_LINES.items():
        added = logs.tail.buffer.extend(source, lines)
        logs._on_batch(added, added)
    await until(pilot, lambda: len(health.latest) == len(HEALTH), what="health drawn")
    room = war_room_screen(pilot.app)

    def recorded() -> bool:
        # A first answer other than up is a change the war room records, on the timeline.
        return room.state is not None and len(room.state.timeline) == 1 + len(TROUBLE)

    await until(pilot, recorded, what="the health changes on the timeline")
    total = sum(len(lines) for lines in LOG_LINES.values())
    await until(pilot, lambda: logs.view.virtual_size.height == total, what="log lines drawn")
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_theme_at_160x48_with_a_modal(
    snap_compare: SnapCompare, declared: tuple[EventStore, str], theme: str
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await outage_shown(pilot)
        await focus_settled(pilot, "2")
        await pilot.press("R")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="modal")
        await pilot.pause()

    app = app_in(theme, *declared)
    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_theme_at_80x24_health(
    snap_compare: SnapCompare, declared: tuple[EventStore, str], theme: str
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await outage_shown(pilot)
        await focus_settled(pilot, "1")

    app = app_in(theme, *declared)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
