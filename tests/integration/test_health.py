"""Health polling against real HTTP servers on 127.0.0.1 (`tests.support.health` has the
health_server, conftest's `health_server` starts one); the pure judging is in
tests/unit/test_health_judging.py."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, timedelta
from typing import Any

import httpx
import pytest

from tests.support.health import (
    STATUS_OK,
    FakeHealthServer,
    Handler,
    delayed,
    drip,
    huge,
    never_answer,
    response,
    summary_json,
)
from warroom.health.monitor import MAX_BODY, HealthMonitor, HealthSample
from warroom.playbook import BodyCheck, Provider, Service

pytestmark = pytest.mark.timeout(20)


def svc(url: str, *, name: str = "svc", **options: Any) -> Service:
    """A service with a 1 s timeout and no anti-flap, unless `options` (Service's fields) say."""
    quick = Service(
        name=name,
        url=url,
        timeout=timedelta(seconds=1),
        failures_to_down=1,
        successes_to_up=1,
    )
    return quick._replace(**options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def poll(target: Service | Provider) -> HealthSample:
    async with HealthMonitor([target]) as monitor:
        (sample,) = await monitor.poll_once()
    return sample


# --- against real servers ------------------------------------------------------------------


async def test_healthy_service_with_body_check(health_server: FakeHealthServer) -> None:
    health_server.routes["/health"] = response(200, '{"status": "ok"}')
    sample = await poll(svc(health_server.url("/health"), body=STATUS_OK))
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
    health_server: FakeHealthServer,
    route: bytes | Handler,
    check: BodyCheck | None,
    state: str,
    reason_part: str,
) -> None:
    health_server.routes["/h"] = route
    sample = await poll(svc(health_server.url("/h"), body=check, slow=timedelta(seconds=0.1)))
    assert sample.state == state
    assert reason_part in sample.reason, sample.reason


async def test_server_that_never_answers_times_out(health_server: FakeHealthServer) -> None:
    health_server.routes["/hang"] = never_answer
    started = asyncio.get_running_loop().time()
    sample = await poll(svc(health_server.url("/hang"), timeout=timedelta(seconds=0.3)))
    assert asyncio.get_running_loop().time() - started < 1.5
    assert (sample.state, sample.status) == ("down", None)
    assert sample.reason == "timeout after 0.3s: no answer"


async def test_slow_drip_body_is_cut_by_overall_deadline(health_server: FakeHealthServer) -> None:
    # Each byte arrives well within httpx's per-read timeout; only an overall deadline helps.
    health_server.routes["/drip"] = drip
    started = asyncio.get_running_loop().time()
    sample = await poll(svc(health_server.url("/drip"), timeout=timedelta(seconds=0.4)))
    assert asyncio.get_running_loop().time() - started < 1.5
    assert sample.state == "down"
    assert "slow drip" in sample.reason


async def test_huge_body_is_read_only_up_to_the_cap(health_server: FakeHealthServer) -> None:
    health_server.routes["/huge"] = huge
    started = asyncio.get_running_loop().time()
    sample = await poll(
        svc(health_server.url("/huge"), body=STATUS_OK, timeout=timedelta(seconds=5))
    )
    assert asyncio.get_running_loop().time() - started < 3
    assert sample.state == "down" and "over 1 MiB" in sample.reason
    assert len(sample.detail) < 10_000


async def test_huge_body_without_body_check_is_judged_by_status(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/huge"] = huge
    sample = await poll(svc(health_server.url("/huge"), timeout=timedelta(seconds=5)))
    assert sample.state == "up"
    assert f"first {2048} bytes" in sample.detail and MAX_BODY == 1024 * 1024


async def test_redirect_loop(health_server: FakeHealthServer) -> None:
    health_server.routes["/a"] = response(302, headers={"Location": "/b"})
    health_server.routes["/b"] = response(302, headers={"Location": "/a"})
    sample = await poll(svc(health_server.url("/a")))
    assert (sample.state, sample.reason) == ("down", "redirect loop (too many redirects)")
    assert health_server.hits["/a"] + health_server.hits["/b"] <= 12


async def test_redirect_followed_once(health_server: FakeHealthServer) -> None:
    health_server.routes["/old"] = response(301, headers={"Location": "/new"})
    health_server.routes["/new"] = response(200, '{"status": "ok"}')
    sample = await poll(svc(health_server.url("/old"), body=STATUS_OK))
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


async def test_provider_pages(health_server: FakeHealthServer) -> None:
    health_server.routes["/ok/api/v2/summary.json"] = response(200, summary_json("none"))
    health_server.routes["/bad/api/v2/summary.json"] = response(
        200, summary_json("major", incidents=("Elevated errors",))
    )
    health_server.routes["/html/api/v2/summary.json"] = response(200, "<html>status</html>")
    providers = [
        Provider(name="ok", page=health_server.url("/ok/")),
        Provider(name="bad", page=health_server.url("/bad")),
        Provider(name="html", page=health_server.url("/html")),
        Provider(name="missing", page=health_server.url("/missing")),
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


async def test_a_page_that_says_none_is_judged_by_what_it_lists(
    health_server: FakeHealthServer,
) -> None:
    pages = {
        "outage": summary_json("none", components={"Database": "major_outage"}),
        "incident": summary_json("none", incidents=("Elevated errors",)),
        "maintenance": summary_json("none", maintenances={"Postgres upgrade": "in_progress"}),
        "planned": summary_json("none", maintenances={"Next week": "scheduled"}),
    }
    for name, page in pages.items():
        health_server.routes[f"/{name}/api/v2/summary.json"] = response(200, page)
    providers = [Provider(name=name, page=health_server.url(f"/{name}")) for name in pages]
    async with HealthMonitor(providers) as monitor:
        samples = {s.target: s for s in await monitor.poll_once()}
    assert {name: s.state for name, s in samples.items()} == {
        "outage": "down",
        "incident": "degraded",
        "maintenance": "maintenance",
        "planned": "up",
    }
    assert samples["outage"].reason == "indicator none but component Database: major_outage"
    assert samples["incident"].reason == (
        "indicator none but incident Elevated errors (investigating)"
    )
    assert samples["maintenance"].reason == (
        "indicator none but maintenance Postgres upgrade (in_progress)"
    )


async def test_poll_once_is_concurrent(health_server: FakeHealthServer) -> None:
    for i in range(10):
        health_server.routes[f"/s{i}"] = delayed(0.2, response(200, "ok"))
    targets = [svc(health_server.url(f"/s{i}"), name=f"s{i}") for i in range(10)]
    started = asyncio.get_running_loop().time()
    async with HealthMonitor(targets) as monitor:
        samples = await monitor.poll_once()
    assert asyncio.get_running_loop().time() - started < 1.0  # sequential would be 2 s
    assert [s.target for s in samples] == [f"s{i}" for i in range(10)]
    assert all(s.state == "up" for s in samples)


async def test_anti_flap_over_http(health_server: FakeHealthServer) -> None:
    health_server.routes["/h"] = response(200, "ok")
    service = svc(health_server.url("/h"), failures_to_down=2, successes_to_up=2)
    async with HealthMonitor([service]) as monitor:
        first = await monitor.poll(service)
        health_server.routes["/h"] = response(500, "boom")
        held = await monitor.poll(service)
        down = await monitor.poll(service)
    assert (first.state, first.previous, first.changed) == ("up", "unknown", True)
    assert (held.state, held.observed, held.changed) == ("up", "down", False)
    assert "1 of 2 failures" in held.reason
    assert (down.state, down.previous, down.changed) == ("down", "up", True)
    assert len(down.history) == 3 and down.history[-1] is not None


async def test_run_polls_each_target_on_its_own_interval(health_server: FakeHealthServer) -> None:
    # The hung endpoint must not hold back the fast one: it keeps being polled meanwhile.
    health_server.routes["/fast"] = response(200, "ok")
    health_server.routes["/hang"] = never_answer
    fast = svc(health_server.url("/fast"), name="fast", interval=timedelta(seconds=0.02))
    hung = svc(health_server.url("/hang"), name="hung", timeout=timedelta(seconds=5))
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


async def test_control_characters_in_body_are_visible_in_detail(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/h"] = response(200, "[bold]x\x1b]52;c;aGk=\x07", headers={"X-A": "b"})
    sample = await poll(svc(health_server.url("/h")))
    assert "\x1b" not in sample.detail and "\x07" not in sample.detail
    assert "[bold]x␛]52;c;aGk=␇" in sample.detail
    assert "x-a: b" in sample.detail.lower()
