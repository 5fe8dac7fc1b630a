"""The health pane in a tiny harness app, polling local servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from rich.segment import Segment
from textual.app import App
from textual.color import Color
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tests.support.health import FakeHealthServer, response, summary_json
from tests.support.war_room import WidgetHost, until
from warroom.health.monitor import HealthMonitor, HealthSample
from warroom.playbook import Provider, Service
from warroom.ui.widgets.health_pane import HealthDetailScreen, HealthPane
from warroom.ui.widgets.health_row import format_age, sparkline

pytestmark = pytest.mark.timeout(30)


def harness(monitor: HealthMonitor) -> WidgetHost:
    return WidgetHost(HealthPane(monitor=monitor))


class Waiter:
    """Collects posted messages; `wait_for` resolves when one matches."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._waiting: list[tuple[Callable[[Message], bool], asyncio.Future[Message]]] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)
        for predicate, future in list(self._waiting):
            if not future.done() and predicate(message):
                future.set_result(message)

    async def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 5) -> Message:
        for message in self.messages:
            if predicate(message):
                return message
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiting.append((predicate, future))
        return await asyncio.wait_for(future, timeout)


def changed_to(target: str, state: str) -> Callable[[Message], bool]:
    return lambda m: (
        isinstance(m, HealthPane.TargetChanged)
        and m.sample.target == target
        and m.sample.state == state
    )


def screen_lines(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def fast_service(health_server: FakeHealthServer, name: str, path: str) -> Service:
    return Service(
        name=name,
        url=health_server.url(path),
        interval=timedelta(seconds=0.05),
        timeout=timedelta(seconds=1),
        failures_to_down=1,
        successes_to_up=1,
    )


async def test_target_going_down_shows_down_and_posts_target_changed(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/backend"] = response(200, '{"ok": true}')
    health_server.routes["/frontend"] = response(200, "ok")
    monitor = HealthMonitor(
        [
            fast_service(health_server, "backend", "/backend"),
            fast_service(health_server, "frontend", "/frontend"),
        ]
    )
    waiter = Waiter()
    app = harness(monitor)
    async with app.run_test(size=(80, 22), message_hook=waiter) as pilot:
        first = await waiter.wait_for(changed_to("backend", "up"))
        assert isinstance(first, HealthPane.TargetChanged) and first.previous == "unknown"
        health_server.routes["/backend"] = response(503, "overloaded")
        changed = await waiter.wait_for(changed_to("backend", "down"))
        assert isinstance(changed, HealthPane.TargetChanged)
        assert changed.event().payload == {
            "target": "backend",
            "from": "up",
            "to": "down",
            "status": 503,
            "reason": "HTTP 503",
        }
        summary = await waiter.wait_for(
            lambda m: isinstance(m, HealthPane.SummaryChanged) and m.down == 1
        )
        assert isinstance(summary, HealthPane.SummaryChanged)
        assert (summary.total, summary.text) == (2, "1/2 down")
        await pilot.pause()
        row = app.query_one(HealthPane)._rows["backend"]
        # The word and the symbol, not only a colour.
        assert row.line(80).plain.startswith("✗ down     backend")
        assert row.has_class("-down")
        assert any("✗ down" in line and "backend" in line for line in screen_lines(app))
        assert app.query_one(HealthPane).summary_text == "1/2 down"


async def test_detail_view_shows_body_literally(health_server: FakeHealthServer) -> None:
    health_server.routes["/h"] = response(200, "[bold]loud[/bold] \x1b]52;c;aGVsbG8=\x07 end")
    monitor = HealthMonitor([fast_service(health_server, "api", "/h")])
    waiter = Waiter()
    app = harness(monitor)
    async with app.run_test(size=(100, 30), message_hook=waiter) as pilot:
        await waiter.wait_for(changed_to("api", "up"))
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, HealthDetailScreen)
        body = app.screen.query_one("#health-detail-body", Static)
        text = str(body.content)
        assert "[bold]loud[/bold] ␛]52;c;aGVsbG8=␇ end" in text
        assert "\x1b" not in text
        shown = "\n".join(screen_lines(app))
        assert "[bold]loud[/bold]" in shown and "␛]52;c;" in shown
        assert "HTTP/1.1 200" in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HealthDetailScreen)


async def test_quarter_screen_stays_readable(health_server: FakeHealthServer) -> None:
    health_server.routes["/a"] = response(503, "no")
    health_server.routes["/fly/api/v2/summary.json"] = response(
        200, summary_json("minor", broken="Machines API")
    )
    targets: list[Service | Provider] = [
        fast_service(health_server, "frontend", "/a"),
        Provider(name="Fly.io", page=health_server.url("/fly"), interval=timedelta(seconds=0.05)),
    ]
    waiter = Waiter()
    app = harness(HealthMonitor(targets))
    async with app.run_test(size=(48, 10), message_hook=waiter) as pilot:
        await waiter.wait_for(changed_to("frontend", "down"))
        await waiter.wait_for(changed_to("Fly.io", "degraded"))
        await pilot.pause()
        lines = screen_lines(app)
        assert lines[0].startswith("✗ down     frontend") and "HTTP 503" in lines[0], lines
        # Each target on exactly one line, with its age; the reason keeps some room (no
        # latency or sparkline when narrow).
        assert lines[1].startswith("! degraded Fly.io") and "minor: comp" in lines[1], lines
        assert all(" · " in line and "s ago" in line for line in lines[:2]), lines
        assert "▁" not in "".join(lines)


async def test_full_region_shows_sparkline(health_server: FakeHealthServer) -> None:
    health_server.routes["/a"] = response(200, "ok")
    waiter = Waiter()
    app = harness(HealthMonitor([fast_service(health_server, "frontend", "/a")]))
    async with app.run_test(size=(80, 22), message_hook=waiter) as pilot:
        await waiter.wait_for(changed_to("frontend", "up"))
        await pilot.pause()
        line = screen_lines(app)[0]
        assert line.startswith("✓ up       frontend") and "HTTP 200" in line
        assert any(block in line for block in "▁▂▃▄▅▆▇█"), line


class BrokenMonitor(HealthMonitor):
    async def run(self, on_sample: Callable[[HealthSample], None]) -> None:
        raise RuntimeError("boom [bold]")


async def test_worker_failure_does_not_take_the_app_down() -> None:
    app = harness(BrokenMonitor([Service(name="x", url="http://127.0.0.1:1/")]))
    async with app.run_test(size=(80, 22)) as pilot:
        pane = app.query_one(HealthPane)
        assert pane.worker is not None
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert pane.border_subtitle == "polling stopped (error)"


def test_sparkline_and_age() -> None:
    assert sparkline([0.1, 0.2, None, 0.3], 12) == "▁▄✗█"
    assert sparkline([0.1] * 20, 12) == "▁" * 12
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert format_age(now - timedelta(seconds=42), now) == "42s"
    assert format_age(now - timedelta(minutes=5, seconds=3), now) == "5m"
    assert format_age(now - timedelta(hours=3), now) == "3h"


class StoppingMonitor(HealthMonitor):
    """Polls once, then fails the way a bug in polling would: the pane must not look live."""

    async def run(self, on_sample: Callable[[HealthSample], None]) -> None:
        for sample in await self.poll_once():
            on_sample(sample)
        raise RuntimeError("poller crashed \x1b[31m")


async def test_when_polling_stops_the_pane_says_so_and_every_row_is_stale(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/a"] = response(200, "ok")
    waiter = Waiter()
    app = harness(StoppingMonitor([fast_service(health_server, "frontend", "/a")]))
    async with app.run_test(size=(100, 22), message_hook=waiter) as pilot:
        pane = app.query_one(HealthPane)
        await waiter.wait_for(changed_to("frontend", "up"))
        stopped = await waiter.wait_for(
            lambda m: isinstance(m, HealthPane.SummaryChanged) and m.text == "polling stopped"
        )
        assert isinstance(stopped, HealthPane.SummaryChanged)
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "⚠ Health polling stopped: poller crashed ␛[31m." in shown
        row = next(line for line in screen_lines(app) if "frontend" in line)
        assert row.startswith("~ up?") and "stale, not polled: HTTP 200" in row
        assert "\x1b" not in shown and pane.has_class("-stopped")


async def test_the_detail_gives_the_answers_time_in_the_display_zone(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/h"] = response(200, "ok")
    waiter = Waiter()
    pane = HealthPane(
        monitor=HealthMonitor([fast_service(health_server, "api", "/h")]),
        timezone="Asia/Kathmandu",
    )
    app = WidgetHost(pane)
    async with app.run_test(size=(100, 30), message_hook=waiter) as pilot:
        await waiter.wait_for(changed_to("api", "up"))
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, HealthDetailScreen)
        title = str(app.screen.query_one(VerticalScroll).border_title)
        assert title.endswith("+0545") and " UTC" not in title


T0 = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


class Clock:
    """The monitor's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_a_row_whose_answers_stopped_is_stale_while_polling_goes_on(
    health_server: FakeHealthServer,
) -> None:
    stopped_answering = asyncio.Event()

    async def hang(writer: asyncio.StreamWriter) -> None:
        stopped_answering.set()
        await asyncio.Future()

    health_server.routes["/a"] = response(200, "ok")
    clock = Clock(T0)
    # Polled every 50 ms, each poll allowed 5 s: stale once 10 s pass without an answer.
    service = fast_service(health_server, "api", "/a")._replace(timeout=timedelta(seconds=5))
    waiter = Waiter()
    app = harness(HealthMonitor([service], clock=clock))
    async with app.run_test(size=(100, 10), message_hook=waiter) as pilot:
        pane = app.query_one(HealthPane)
        row = pane._rows["api"]
        await waiter.wait_for(changed_to("api", "up"))
        health_server.routes["/a"] = hang
        await asyncio.wait_for(stopped_answering.wait(), 5)

        def shown() -> str:
            return next(line for line in screen_lines(app) if " api " in line)

        clock.now = T0 + timedelta(seconds=8)
        await until(pilot, lambda: "8s ago" in shown(), what="the answer's age counts")
        assert shown().startswith("✓ up") and " 8s · 8s ago  HTTP 200" in shown()
        assert not row.stale and pane.summary_text == "1/1 up"

        clock.now = T0 + timedelta(seconds=75)
        await until(pilot, lambda: "1m ago" in shown(), what="the answer's age counts on")
        line = shown()
        assert line.startswith("~ up?") and " 1m · 1m ago  stale, polls overdue: HTTP 200" in line
        # Only this row: the poller is still running, so the pane is not "stopped".
        assert pane.worker is not None and pane.worker.is_running
        assert not pane.has_class("-stopped") and pane.summary_text == "1/1 up, 1 stale"


def luminance(segment: Segment) -> float:
    assert segment.style is not None and segment.style.color is not None
    return Color.from_rich_color(segment.style.color).brightness


async def test_without_colour_a_down_row_is_the_most_prominent(
    health_server: FakeHealthServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    health_server.routes["/ok"] = response(200, "fine")
    health_server.routes["/bad"] = response(503, "overloaded")
    targets = [
        fast_service(health_server, "api", "/ok"),  # first, so highlighted: bold as well
        fast_service(health_server, "db", "/bad"),
    ]
    waiter = Waiter()
    app = harness(HealthMonitor(targets))
    async with app.run_test(size=(100, 10), message_hook=waiter) as pilot:
        assert app.no_color
        await waiter.wait_for(changed_to("api", "up"))
        await waiter.wait_for(changed_to("db", "down"))
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        up, down = ([s for s in strip if s.text.strip()] for strip in strips[:2])
        assert up[0].text.startswith("✓ up") and down[0].text.startswith("✗ down")
        assert down[0].style is not None and down[0].style.reverse and down[0].style.bold
        assert up[0].style is not None and not up[0].style.reverse
        assert not any(s.style is not None and s.style.dim for s in down)
        # Muted text is muted: the up row's reason is no brighter than the down row's.
        assert up[-1].text.strip() == "HTTP 200" and down[-1].text.strip() == "HTTP 503"
        assert luminance(up[-1]) < luminance(down[-1])
