"""The log pane inside the war room: pins land on the timeline, lines are captured."""

from __future__ import annotations

import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.war_room import declare, state_of, until, war_room_app
from warroom import incident as kinds
from warroom.playbook import LogSource, load_playbook
from warroom.store import EventStore
from warroom.ui.widgets.log_pane import LogPane

LINES = [
    "2026-11-29T02:41:05Z app[148e21ea7e5389] iad [info]GET /api/chat 200 12ms",
    "2026-11-29T02:41:07Z app[48e42d6f7573e8] iad [error]Could not connect to database",
]


def log_source(tmp_path: Path) -> LogSource:
    script = tmp_path / "fly_logs.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.stdout.write("".join(line + "\\n" for line in {LINES!r}))
            sys.stdout.flush()
            time.sleep(600)
            """
        )
    )
    return LogSource("backend", (sys.executable, str(script)))


async def test_pinned_line_is_on_the_timeline_at_its_own_time(
    store: EventStore, tmp_path: Path
) -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)._replace(
        services=(),
        providers=(),
        log_sources=(log_source(tmp_path),),
    )
    incident_id = await declare(store, title="db down", actor="a")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.screen.query_one(LogPane)
        await until(pilot, lambda: len(pane.tail.buffer) == 2, what="lines read")
        await pilot.press("2", "space", "end", "p")
        await until(
            pilot,
            lambda: any(e.kind == kinds.LOG_PINNED for e in state_of(app).timeline),
            what="pin on the timeline",
        )
        entry = next(e for e in state_of(app).timeline if e.kind == kinds.LOG_PINNED)
        assert entry.at == datetime(2026, 11, 29, 2, 41, 7, tzinfo=UTC)
        assert "Could not connect to database" in entry.text and "backend" in entry.text
        # Capture: every line read while the incident is open is kept with it.
        await until(pilot, lambda: pane.tail.archiver is not None, what="archiver")
    archived = await store.log_lines(incident_id)
    assert [raw for _, _, raw in archived] == LINES


async def test_reopening_a_resolved_incident_leaves_its_captured_logs_alone(
    store: EventStore, tmp_path: Path
) -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)._replace(
        services=(),
        providers=(),
        log_sources=(log_source(tmp_path),),
    )
    incident_id = await declare(store, title="db down", actor="a")
    await store.append(incident_id, kinds.RESOLVED, {}, actor="a")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.screen.query_one(LogPane)
        await until(pilot, lambda: len(pane.tail.buffer) == 2, what="lines read")
    assert await store.log_lines(incident_id) == []


async def test_capture_keeps_the_newest_lines_up_to_the_playbooks_cap(
    store: EventStore, tmp_path: Path
) -> None:
    shipped = load_playbook(SHIPPED_PLAYBOOK)
    playbook = shipped._replace(
        services=(),
        providers=(),
        log_sources=(log_source(tmp_path),),
        settings=shipped.settings._replace(capture_max_lines=1),
    )
    incident_id = await declare(store, title="db down", actor="a")
    app = war_room_app(store, incident_id, playbook=playbook)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.screen.query_one(LogPane)
        await until(pilot, lambda: len(pane.tail.buffer) == 2, what="lines read")
    assert [raw for _, _, raw in await store.log_lines(incident_id)] == LINES[-1:]
