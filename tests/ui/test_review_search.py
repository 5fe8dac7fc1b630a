"""A filter in review searches the whole captured archive, not only the window of newest
lines the log pane holds, and follows replay: the matches up to the moment shown."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.support.review import (
    RecordingListener,
    at,
    log_text,
    recorded_incident,
    review_app,
)
from tests.support.war_room import until, war_room_screen
from warroom.logs.buffer import LogBuffer
from warroom.store import open_store
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.screens.war_room_review import ARCHIVE_LINES
from warroom.ui.widgets.log_pane import LogPane

SIZE = (160, 50)
EARLY = "2025-03-01T12:00:30Z app[1] ord [error] needle: the first sign"
FILLER_AT = "2025-03-01T12:01:00Z"
LATE = "2025-03-01T12:25:00Z app[1] ord [error] needle again"


def archive() -> list[tuple[datetime, str, str]]:
    """One early match, a window's worth of other lines after it, and one late match: the
    early one is outside the window of newest lines."""
    filler = [
        (at(1) + timedelta(milliseconds=n), "backend", f"{FILLER_AT} app[1] ord [info] filler {n}")
        for n in range(ARCHIVE_LINES)
    ]
    return [(at(0.5), "backend", EARLY), *filler, (at(25), "backend", LATE)]


async def test_a_filter_in_review_searches_the_whole_archive(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    log = recorded_incident()
    async with await open_store(db) as store:
        await store.import_incident(log.events, command_outputs={}, log_lines=archive())
    with RecordingListener() as listener:
        async with await open_store(db, create=False, read_only=True) as reader:
            app = review_app(reader, log.incident_id, listener, tmp_path)
            async with app.run_test(size=SIZE) as pilot:
                await until(
                    pilot,
                    lambda: isinstance(app.screen, WarRoomScreen) and app.screen.state is not None,
                    what="the incident loaded",
                )
                screen = war_room_screen(app)
                await until(
                    pilot, lambda: len(screen.archived) == ARCHIVE_LINES, what="the window read"
                )

                def buffer() -> LogBuffer:
                    return screen.query_one(LogPane).tail.buffer

                assert EARLY not in log_text(screen)  # older than the window

                await pilot.press("2", "slash", *"needle", "enter")
                await until(
                    pilot,
                    lambda: len(buffer()) == 2 and log_text(screen) == [EARLY, LATE],
                    what="both matches shown",
                )
                status = str(screen.query_one("#log-status").render())
                assert "whole archive" in status and "2 matching lines" in status

                await pilot.press("g", *"12:10", "enter")  # replay: before the late match
                await until(
                    pilot,
                    lambda: len(buffer()) == 1 and log_text(screen) == [EARLY],
                    what="matches until then",
                )

                await pilot.press("L", "2", "slash", "ctrl+u", "enter")  # no filter: the window
                await until(pilot, lambda: len(buffer()) == ARCHIVE_LINES, what="the window again")
                assert EARLY not in log_text(screen)
