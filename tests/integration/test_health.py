"""Health polling against real HTTP servers on 127.0.0.1, and the pure judging functions.

`FakeHealthServer` is a raw asyncio HTTP/1.1 server so that it can misbehave the ways a
production endpoint does: never answer, drip a body, loop redirects, send 100 MB. The pane
and `warroom check` tests import it from here.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from warroom.health.monitor import (
    MAX_BODY,
    FlapTracker,
    HealthMonitor,
    HealthSample,
    judge_provider,
    judge_service,
    summary,
)
from warroom.playbook import BodyCheck, Provider, Service

pytestmark = pytest.mark.timeout(20)

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]


def response(
    status: int, body: bytes | str = b"", *, headers: dict[str, str] | None = None
) -> bytes:
    """Raw bytes of a complete HTTP/1.1 response."""
    data = body.encode() if isinstance(body, str) else body
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(data)}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def summary_json(indicator: str, *, incidents: tuple[str, ...] = (), broken: str = "") -> str:
    components = [{"name": "API", "status": "operational"}]
    if broken:
        components.append({"name": broken, "status": "partial_outage"})
    return json.dumps(
        {
            "page": {"name": "P"},
            "status": {"indicator": indicator, "description": f"indicator {indicator}"},
            "components": components,
            "incidents": [{"name": n, "status": "investigating"} for n in incidents],
        }
    )


@dataclass
class FakeHealthServer:
    """Routes: path -> fixed response bytes, or an async handler writing to the socket."""

    routes: dict[str, bytes | Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    port: int = 0
    _server: asyncio.Server | None = None
    _hung: list[asyncio.StreamWriter] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._hung:
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                path = request.split(b" ", 2)[1].decode()
                self.hits[path] = self.hits.get(path, 0) + 1
                route = self.routes.get(path, response(404, "no such route"))
                if isinstance(route, bytes):
                    writer.write(route)
                    await writer.drain()
                else:
                    self._hung.append(writer)
                    await route(writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # loop shutdown with a hung connection; asyncio 3.11 logs a cancelled handler
        finally:
            writer.close()


async def never_answer(writer: asyncio.StreamWriter) -> None:
    await asyncio.Future()  # accept the request and then say nothing, ever


async def drip(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def huge(writer: asyncio.StreamWriter) -> None:
    """Announce 100 MB and keep sending until the client hangs up."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")
    chunk = b'{"status": "ok", "pad": "' + b"x" * 65536
    for _ in range(1600):
        writer.write(chunk)
        await writer.drain()


def delayed(delay: float, raw: bytes) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        writer.write(raw)
        await writer.drain()

    return handler


@pytest.fixture
async def server() -> AsyncIterator[FakeHealthServer]:
    fake = FakeHealthServer()
    await fake.start()
    yield fake
    await fake.stop()


def svc(url: str, **options: object) -> Service:
    defaults: dict[str, object] = {
        "timeout": timedelta(seconds=1),
        "failures_to_down": 1,
        "successes_to_up": 1,
    }
    return Service(name=options.pop("name", "svc"), url=url, **{**defaults, **options})  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def poll(target: Service | Provider) -> HealthSample:
    async with HealthMonitor([target]) as monitor:
        (sample,) = await monitor.poll_once()
    return sample


# --- pure judging ------------------------------------------------------------------------

STATUS_OK = BodyCheck(path="status", equals="ok")


@pytest.mark.parametrize(
    ("check", "status", "body", "latency", "state", "reason_part"),
    [
        (None, 200, b"", 0.1, "up", "HTTP 200"),
        (None, 503, b"", 0.1, "down", "HTTP 503"),
        (None, 302, b"", 0.1, "down", "HTTP 302"),
        (STATUS_OK, 200, b'{"status": "ok"}', 0.1, "up", '.status == "ok"'),
        (STATUS_OK, 200, b'{"status": "error"}', 0.1, "down", '.status is "error"'),
        (STATUS_OK, 200, b"<html>oops</html>", 0.1, "down", "not JSON"),
        (STATUS_OK, 200, b'{"state": "ok"}', 0.1, "down", "no .status"),
        (STATUS_OK, 200, b'{"status": "ok"}', 3.0, "degraded", "slow: 3.0s > 2.0s"),
        (BodyCheck("ok", True), 200, b'{"ok": true}', 0.1, "up", ".ok == true"),
        (BodyCheck("ok", True), 200, b'{"ok": 1}', 0.1, "down", ".ok is 1"),
        (BodyCheck("ok", True), 200, b'{"ok": "true"}', 0.1, "down", '.ok is "true"'),
        (BodyCheck("db.up", 1), 200, b'{"db": {"up": 1.0}}', 0.1, "up", ".db.up == 1"),
        (BodyCheck("checks.0.s", "ok"), 200, b'{"checks": [{"s": "ok"}]}', 0.1, "up", "HTTP 200"),
    ],
)
def test_judge_service(
    check: BodyCheck | None,
    status: int,
    body: bytes,
    latency: float,
    state: str,
    reason_part: str,
) -> None:
    service = Service(name="s", url="http://x", body=check)
    got_state, reason = judge_service(service, status, body, latency)
    assert (got_state, reason_part in reason) == (state, True), reason


def test_judge_service_custom_status_range_and_truncated_body() -> None:
    service = Service(name="s", url="http://x", expected_status=(200, 204), body=STATUS_OK)
    assert judge_service(service, 204, b'{"status":"ok"}', 0.1)[0] == "up"
    assert judge_service(service, 205, b'{"status":"ok"}', 0.1)[0] == "down"
    state, reason = judge_service(service, 200, b'{"status":"ok"', 0.1, truncated=True)
    assert state == "down" and "1 MiB" in reason


def test_lying_body_reason_is_one_visible_line() -> None:
    body = json.dumps({"status": "fine\n\x1b[31mreally"}).encode()
    state, reason = judge_service(Service(name="s", url="u", body=STATUS_OK), 200, body, 0.1)
    assert state == "down"
    assert "\n" not in reason and "\x1b" not in reason and "really" in reason


@pytest.mark.parametrize(
    ("status", "body", "state", "reason_part"),
    [
        (200, summary_json("none"), "up", "indicator none"),
        (200, summary_json("minor", broken="Auth"), "degraded", "Auth: partial outage"),
        (200, summary_json("major", incidents=("API down",)), "down", "API down (investigating)"),
        (200, summary_json("critical"), "down", "critical"),
        (404, "not found", "unknown", "HTTP 404"),
        (200, "<html>Status</html>", "unknown", "not JSON"),
        (200, "{bad json", "unknown", "not JSON"),
        (200, '{"status": "ok"}', "unknown", "unexpected shape"),
        (200, '{"status": {"indicator": "fine"}}', "unknown", "unexpected shape"),
        (200, "[1, 2]", "unknown", "unexpected shape"),
        (500, summary_json("none"), "unknown", "HTTP 500"),
    ],
)
def test_judge_provider(status: int, body: str, state: str, reason_part: str) -> None:
    got_state, reason = judge_provider(status, body.encode())
    assert got_state == state
    assert reason_part in reason, reason


# --- anti-flap ---------------------------------------------------------------------------

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def run_tracker(tracker: FlapTracker, observed: list[str]) -> list[str]:
    return [tracker.update(o, 0.1, T0 + timedelta(seconds=i)) for i, o in enumerate(observed)]  # type: ignore[arg-type]


def test_flap_tracker_needs_consecutive_failures_and_successes() -> None:
    tracker = FlapTracker(failures_to_down=2, successes_to_up=2)
    shown = run_tracker(tracker, ["up", "down", "up", "down", "down", "up", "down", "up", "up"])
    assert shown == ["up", "up", "up", "up", "down", "down", "down", "down", "up"]
    assert tracker.since == T0 + timedelta(seconds=8)


def test_flap_tracker_shows_first_result_as_it_is() -> None:
    assert run_tracker(FlapTracker(failures_to_down=3), ["down"]) == ["down"]
    assert run_tracker(FlapTracker(successes_to_up=3), ["degraded", "up"]) == ["degraded", "up"]


def test_flap_tracker_latency_history_is_bounded() -> None:
    tracker = FlapTracker(history=5)
    run_tracker(tracker, ["up"] * 50)
    assert len(tracker.latencies) == 5


def test_summary_text() -> None:
    assert summary(["down", "up", "down"]) == (2, 3, "2/3 down")
    assert summary(["up", "unknown", "down", "degraded"]) == (
        1,
        4,
        "1/4 down, 1 degraded, 1 unknown",
    )
    assert summary(["up", "degraded"]) == (0, 2, "1/2 degraded")
    assert summary(["up"]) == (0, 1, "1/1 up")


def test_judging_imports_neither_httpx_nor_textual() -> None:
    code = (
        "import sys, warroom.health.judging; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'textual'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- against real servers ------------------------------------------------------------------


async def test_healthy_service_with_body_check(server: FakeHealthServer) -> None:
    server.routes["/health"] = response(200, '{"status": "ok"}')
    sample = await poll(svc(server.url("/health"), body=STATUS_OK))
    assert (sample.state, sample.status) == ("up", 200)
    assert sample.latency is not None and 0 < sample.latency < 1
    assert sample.at.tzinfo is UTC
    assert "200" in sample.detail.splitlines()[0] and '{"status": "ok"}' in sample.detail


@pytest.mark.parametrize(
    ("route", "check", "state", "reason_part"),
    [
        (response(503, "overloaded"), None, "down", "HTTP 503"),
        (response(200, '{"status": "degraded"}'), STATUS_OK, "down", '.status is "degraded"'),
        (response(200, "<html>hi</html>"), STATUS_OK, "down", "not JSON"),
        (delayed(0.3, response(200, '{"status": "ok"}')), STATUS_OK, "degraded", "slow"),
    ],
)
async def test_bad_answers(
    server: FakeHealthServer,
    route: bytes | Handler,
    check: BodyCheck | None,
    state: str,
    reason_part: str,
) -> None:
    server.routes["/h"] = route
    sample = await poll(svc(server.url("/h"), body=check, slow=timedelta(seconds=0.1)))
    assert sample.state == state
    assert reason_part in sample.reason, sample.reason


async def test_server_that_never_answers_times_out(server: FakeHealthServer) -> None:
    server.routes["/hang"] = never_answer
    started = asyncio.get_running_loop().time()
    sample = await poll(svc(server.url("/hang"), timeout=timedelta(seconds=0.3)))
    assert asyncio.get_running_loop().time() - started < 1.5
    assert (sample.state, sample.status) == ("down", None)
    assert sample.reason == "timeout after 0.3s: no answer"


async def test_slow_drip_body_is_cut_by_overall_deadline(server: FakeHealthServer) -> None:
    # Each byte arrives well within httpx's per-read timeout; only an overall deadline helps.
    server.routes["/drip"] = drip
    started = asyncio.get_running_loop().time()
    sample = await poll(svc(server.url("/drip"), timeout=timedelta(seconds=0.4)))
    assert asyncio.get_running_loop().time() - started < 1.5
    assert sample.state == "down"
    assert "slow drip" in sample.reason


async def test_huge_body_is_read_only_up_to_the_cap(server: FakeHealthServer) -> None:
    server.routes["/huge"] = huge
    started = asyncio.get_running_loop().time()
    sample = await poll(svc(server.url("/huge"), body=STATUS_OK, timeout=timedelta(seconds=5)))
    assert asyncio.get_running_loop().time() - started < 3
    assert sample.state == "down" and "over 1 MiB" in sample.reason
    assert len(sample.detail) < 10_000


async def test_huge_body_without_body_check_is_judged_by_status(server: FakeHealthServer) -> None:
    server.routes["/huge"] = huge
    sample = await poll(svc(server.url("/huge"), timeout=timedelta(seconds=5)))
    assert sample.state == "up"
    assert f"first {2048} bytes" in sample.detail and MAX_BODY == 1024 * 1024


async def test_redirect_loop(server: FakeHealthServer) -> None:
    server.routes["/a"] = response(302, headers={"Location": "/b"})
    server.routes["/b"] = response(302, headers={"Location": "/a"})
    sample = await poll(svc(server.url("/a")))
    assert (sample.state, sample.reason) == ("down", "redirect loop (too many redirects)")
    assert server.hits["/a"] + server.hits["/b"] <= 12


async def test_redirect_followed_once(server: FakeHealthServer) -> None:
    server.routes["/old"] = response(301, headers={"Location": "/new"})
    server.routes["/new"] = response(200, '{"status": "ok"}')
    sample = await poll(svc(server.url("/old"), body=STATUS_OK))
    assert sample.state == "up" and "redirected from" in sample.detail


async def test_connection_refused() -> None:
    sample = await poll(svc(f"http://127.0.0.1:{free_port()}/health"))
    assert (sample.state, sample.reason) == ("down", "connection refused")


async def test_dns_failure() -> None:
    sample = await poll(svc("http://warroom-test.invalid/health"))
    assert (sample.state, sample.reason) == ("down", "DNS lookup failed")


async def test_tls_error() -> None:
    # A server that answers a TLS ClientHello with plain text fails the handshake, as a
    # misconfigured TLS terminator does.
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    tcp = await asyncio.start_server(plain, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        sample = await poll(svc(f"https://127.0.0.1:{port}/h"))
    finally:
        tcp.close()
    assert sample.state == "down"
    assert sample.reason.startswith("TLS error"), sample.reason


async def test_provider_pages(server: FakeHealthServer) -> None:
    server.routes["/ok/api/v2/summary.json"] = response(200, summary_json("none"))
    server.routes["/bad/api/v2/summary.json"] = response(
        200, summary_json("major", incidents=("Elevated errors",))
    )
    server.routes["/html/api/v2/summary.json"] = response(200, "<html>status</html>")
    providers = [
        Provider(name="ok", page=server.url("/ok/")),
        Provider(name="bad", page=server.url("/bad")),
        Provider(name="html", page=server.url("/html")),
        Provider(name="missing", page=server.url("/missing")),
        Provider(name="refused", page=f"http://127.0.0.1:{free_port()}"),
    ]
    async with HealthMonitor(providers) as monitor:
        samples = await monitor.poll_once()
    states = {s.target: (s.kind, s.state) for s in samples}
    assert states == {
        "ok": ("provider", "up"),
        "bad": ("provider", "down"),
        "html": ("provider", "unknown"),
        "missing": ("provider", "unknown"),
        "refused": ("provider", "unknown"),
    }
    assert "Elevated errors" in samples[1].reason


async def test_poll_once_is_concurrent(server: FakeHealthServer) -> None:
    for i in range(10):
        server.routes[f"/s{i}"] = delayed(0.2, response(200, "ok"))
    targets = [svc(server.url(f"/s{i}"), name=f"s{i}") for i in range(10)]
    started = asyncio.get_running_loop().time()
    async with HealthMonitor(targets) as monitor:
        samples = await monitor.poll_once()
    assert asyncio.get_running_loop().time() - started < 1.0  # sequential would be 2 s
    assert [s.target for s in samples] == [f"s{i}" for i in range(10)]
    assert all(s.state == "up" for s in samples)


async def test_anti_flap_over_http(server: FakeHealthServer) -> None:
    server.routes["/h"] = response(200, "ok")
    service = svc(server.url("/h"), failures_to_down=2, successes_to_up=2)
    async with HealthMonitor([service]) as monitor:
        first = await monitor.poll(service)
        server.routes["/h"] = response(500, "boom")
        held = await monitor.poll(service)
        down = await monitor.poll(service)
    assert (first.state, first.previous, first.changed) == ("up", "unknown", True)
    assert (held.state, held.observed, held.changed) == ("up", "down", False)
    assert "1 of 2 failures" in held.reason
    assert (down.state, down.previous, down.changed) == ("down", "up", True)
    assert len(down.history) == 3 and down.history[-1] is not None


async def test_run_polls_each_target_on_its_own_interval(server: FakeHealthServer) -> None:
    # The hung endpoint must not hold back the fast one: it keeps being polled meanwhile.
    server.routes["/fast"] = response(200, "ok")
    server.routes["/hang"] = never_answer
    fast = svc(server.url("/fast"), name="fast", interval=timedelta(seconds=0.02))
    hung = svc(server.url("/hang"), name="hung", timeout=timedelta(seconds=5))
    seen: list[HealthSample] = []
    enough = asyncio.Event()

    def on_sample(sample: HealthSample) -> None:
        seen.append(sample)
        if sum(s.target == "fast" for s in seen) >= 5:
            enough.set()

    client = httpx.AsyncClient()
    monitor = HealthMonitor([fast, hung], client=client)
    task = asyncio.create_task(monitor.run(on_sample))
    await asyncio.wait_for(enough.wait(), 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not client.is_closed  # a shared client belongs to the caller
    await client.aclose()
    assert all(s.target == "fast" for s in seen)


async def test_control_characters_in_body_are_visible_in_detail(server: FakeHealthServer) -> None:
    server.routes["/h"] = response(200, "[bold]x\x1b]52;c;aGk=\x07", headers={"X-A": "b"})
    sample = await poll(svc(server.url("/h")))
    assert "\x1b" not in sample.detail and "\x07" not in sample.detail
    assert "[bold]x␛]52;c;aGk=␇" in sample.detail
    assert "x-a: b" in sample.detail.lower()
