"""The war room's runbooks through Pilot, on a real SQLite file: the browser (`b`, search,
a runbook's steps, the palette's "Runbook: TITLE", a step asked to run), and suggestions
from a real HTTP server answering 503 and from a real process printing database errors."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from typing import Any

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.support.health import FakeHealthServer, response
from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, shows, until, war_room_app, war_room_screen
from warroom.playbook import LogSource, Playbook, Service
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.messages import RunRequested
from warroom.ui.screens.keys import KeysScreen
from warroom.ui.screens.runbooks import RunbookBrowser
from warroom.ui.widgets.suggestion_line import SuggestionLine


async def loaded(pilot: Pilot[None], app: WarRoomApp) -> None:
    await until(pilot, lambda: war_room_screen(app).state is not None, what="incident loaded")


async def browser_opened(pilot: Pilot[None], app: WarRoomApp) -> None:
    """`b` once the incident is loaded, until the browser is on top."""
    await loaded(pilot, app)
    await pilot.press("b")
    await until(pilot, shows(app, RunbookBrowser), what="browser")


def listed(app: WarRoomApp) -> list[str]:
    options = app.screen.query_one("#rb-list", OptionList)
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


def detail_text(app: WarRoomApp) -> str:
    detail = app.screen.query_one("#rb-detail", OptionList)
    return "\n".join(str(detail.get_option_at_index(i).prompt) for i in range(detail.option_count))


async def test_b_opens_the_browser_and_typing_searches_the_runbooks_text(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(140, 44)) as pilot:
        await browser_opened(pilot, app)
        assert listed(app) == [
            "site-down",
            "database-connection",
            "high-error-rate",
            "slow-responses",
            "out-of-memory",
            "auth-broken",
        ]
        text = detail_text(app)
        assert "Symptoms\n • Users see error page" in text
        assert "$ fly machine restart '<machine-id>' --app slurpy-frontend" in text
        assert "Solution 2: Roll back deployment — If there was a recent deploy" in text

        await pilot.press("question_mark")  # the key help lists the browser's keys
        await until(pilot, shows(app, KeysScreen), what="key help")
        help_screen = app.screen
        assert isinstance(help_screen, KeysScreen) and help_screen.groups[0].title == "Runbooks"
        await pilot.press("question_mark")
        await until(pilot, shows(app, RunbookBrowser), what="help closed")

        await pilot.press(*"pooler")  # a word in a solution's note, typed from the list
        assert app.screen.query_one("#rb-search", Input).value == "pooler"
        await until(pilot, lambda: listed(app) == ["database-connection"], what="filtered")
        assert "Connection pool exhausted — Too many connections" in detail_text(app)
        assert "In Supabase: Settings > Database > Connection Pooler" in detail_text(app)

        await pilot.press("escape")  # clears the search
        await until(pilot, lambda: len(listed(app)) == 6, what="search cleared")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RunbookBrowser), what="closed")


async def test_the_browser_opens_again_as_it_was_asked_not_as_it_was_left(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(140, 44)) as pilot:
        await browser_opened(pilot, app)
        first = app.screen
        await pilot.press(*"pooler")
        await until(pilot, lambda: listed(app) == ["database-connection"], what="filtered")
        assert isinstance(first, RunbookBrowser)
        first.dismiss(None)  # as a step chosen to run closes it, the search still typed
        await until(pilot, lambda: not isinstance(app.screen, RunbookBrowser), what="closed")

        await pilot.press("b")
        await until(pilot, shows(app, RunbookBrowser), what="browser again")
        assert app.screen is first
        assert app.screen.query_one("#rb-search", Input).value == ""
        assert len(listed(app)) == 6 and "Users see error page" in detail_text(app)
        options = app.screen.query_one("#rb-list", OptionList)
        assert app.screen.focused is options and options.highlighted == 0

        # Opened again on the same runbooks: the list is kept, the choice starts over.
        kept = options.get_option_at_index(0)
        await pilot.press("down", "down")
        assert options.highlighted == 2
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RunbookBrowser), what="closed")
        await pilot.press("b")
        await until(pilot, shows(app, RunbookBrowser), what="browser a third time")
        assert options.get_option_at_index(0) is kept and options.highlighted == 0
        assert "Users see error page" in detail_text(app)


async def test_the_palette_opens_a_runbook_and_enter_on_a_step_asks_to_run_it(
    store: EventStore,
) -> None:
    asked: list[RunRequested] = []

    def hook(message: Message) -> None:
        if isinstance(message, RunRequested):
            asked.append(message)

    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(140, 44), message_hook=hook) as pilot:
        await loaded(pilot, app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Runbook: Out of memory" in titles
        assert "Copy status: investigating" in titles  # the comms commands stay
        await pilot.press("ctrl+p")
        await pilot.press(*"Runbook: Out of memory")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, shows(app, RunbookBrowser), what="browser")
        options = app.screen.query_one("#rb-list", OptionList)
        assert options.highlighted is not None
        assert options.get_option_at_index(options.highlighted).id == "out-of-memory"

        await pilot.press("right")  # into the steps: title, symptoms, then the first step
        detail = app.screen.query_one("#rb-detail", OptionList)
        assert app.screen.focused is detail
        await pilot.press("down", "down", "down")
        assert detail.highlighted is not None
        assert "Check memory usage" in str(detail.get_option_at_index(detail.highlighted).prompt)
        await pilot.press("enter")
        await until(pilot, lambda: asked, what="run requested")
        await until(pilot, lambda: not isinstance(app.screen, RunbookBrowser), what="closed")
    step = next(s for s in app.playbook.runbooks[4].diagnosis if s.label == "Check memory usage")
    assert (asked[0].name, asked[0].argv) == ("Check memory usage", step.command)
    assert asked[0].source == "runbook:out-of-memory"


def watched(*, services: tuple[Service, ...] = (), sources: tuple[LogSource, ...] = ()) -> Playbook:
    return quiet_playbook()._replace(services=services, log_sources=sources)


def suggestion_text(app: WarRoomApp) -> str:
    line = war_room_screen(app).query_one(SuggestionLine)
    return str(line.render()) if line.display else ""


async def test_a_service_answering_503_suggests_site_down_with_its_reason(
    store: EventStore, health_server: FakeHealthServer
) -> None:
    health_server.routes["/health"] = response(503, "upstream gone")
    backend = Service(
        "backend",
        health_server.url("/health"),
        interval=timedelta(milliseconds=100),
        failures_to_down=1,
    )
    app = war_room_app(store, await declare(store), playbook=watched(services=(backend,)))
    async with app.run_test(size=(140, 44)) as pilot:
        await loaded(pilot, app)
        assert suggestion_text(app) == ""
        await until(pilot, lambda: "Site is down" in suggestion_text(app), what="suggested")
        assert re.search(r": backend down \d+ s \(HTTP 503\) · b to browse$", suggestion_text(app))
        await pilot.press("b")
        await until(pilot, shows(app, RunbookBrowser), what="browser")
        assert listed(app)[0] == "site-down"
        assert "Suggested: backend down" in detail_text(app)


PSYCOPG = "\n".join(
    ["2026-03-01T12:00:00Z app[1] ams [info]GET /api/chat 200"] * 10
    + ["2026-03-01T12:00:01Z app[1] ams [error]psycopg.OperationalError: connection refused"] * 30
)


async def test_database_errors_from_a_real_process_suggest_database_connection(
    store: EventStore,
) -> None:
    script = f"import sys, time\nprint({PSYCOPG!r}, flush=True)\ntime.sleep(60)\n"
    source = LogSource("backend", (sys.executable, "-c", script), service="backend")
    app = war_room_app(store, await declare(store), playbook=watched(sources=(source,)))
    async with app.run_test(size=(140, 44)) as pilot:
        await loaded(pilot, app)
        await until(pilot, lambda: "Database connection" in suggestion_text(app), what="db")
        screen: Any = war_room_screen(app)
        best = screen.suggestions[0]
        assert best.runbook.name == "database-connection"
        assert best.reason == "30 database errors/min"
        assert "Database connection failed: 30 database errors/min" in suggestion_text(app)
        assert "+1 more" in suggestion_text(app)  # 30 of 40 lines are errors, too
