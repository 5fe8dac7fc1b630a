"""Answers no endpoint should send, sent by a real server on 127.0.0.1: polling goes on."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from tests.support.health import FakeHealthServer, response
from warroom.health.monitor import HealthMonitor, HealthSample
from warroom.playbook import BodyCheck, Provider, Service

pytestmark = pytest.mark.timeout(20)

NESTED = b"[" * 100_000 + b"]" * 100_000
"""200 KB of nesting: json.loads recurses per level and raises RecursionError."""


def quick_service(url: str, name: str, **options: object) -> Service:
    return Service(
        name=name,
        url=url,
        body=BodyCheck(path=".ok", equals=True),
        timeout=timedelta(seconds=1),
        interval=timedelta(seconds=0.05),
        failures_to_down=1,
        successes_to_up=1,
        **options,  # type: ignore[arg-type]  # Service's own fields, passed through
    )


@pytest.mark.parametrize(
    "body", [NESTED, b'{"ok": ' * 70 + b"true" + b"}" * 70], ids=["brackets", "objects"]
)
async def test_nested_json_makes_one_target_unreadable_and_the_rest_go_on(
    health_server: FakeHealthServer, body: bytes
) -> None:
    health_server.routes["/nested"] = response(200, body)
    health_server.routes["/fine"] = response(200, '{"ok": true}')
    health_server.routes["/page/api/v2/summary.json"] = response(200, body)
    nested = quick_service(health_server.url("/nested"), "nested")
    fine = quick_service(health_server.url("/fine"), "fine")
    page = Provider(name="page", page=health_server.url("/page"), interval=timedelta(seconds=0.05))
    seen: list[HealthSample] = []
    enough = asyncio.Event()

    def on_sample(sample: HealthSample) -> None:
        seen.append(sample)
        if all(sum(s.target == name for s in seen) >= 3 for name in ("nested", "fine", "page")):
            enough.set()

    monitor = HealthMonitor([nested, fine, page])
    task = asyncio.create_task(monitor.run(on_sample))
    try:
        await asyncio.wait_for(enough.wait(), 10)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    last = {sample.target: sample for sample in seen}
    assert last["fine"].state == "up"
    assert last["nested"].state == "down"
    assert "nested deeper than 64 levels" in last["nested"].reason
    assert last["page"].state == "unknown"
    assert "nested deeper than 64 levels" in last["page"].reason


async def test_a_stall_of_warroom_itself_is_not_a_timeout_of_the_endpoint(
    health_server: FakeHealthServer,
) -> None:
    health_server.routes["/api/v2/summary.json"] = response(
        200, '{"status": {"indicator": "none", "description": "All good"}}'
    )
    provider = Provider(name="page", page=health_server.url(""), timeout=timedelta(seconds=0.3))
    async with HealthMonitor([provider]) as monitor:
        polling = asyncio.create_task(monitor.poll(provider))
        await asyncio.sleep(0.05)  # the request is out and answered, waiting in the socket
        time.sleep(1.0)  # the loop is stuck well past the timeout, as under a heavy filter
        sample = await polling
    assert (sample.observed, sample.state) == ("up", "up"), sample.reason
