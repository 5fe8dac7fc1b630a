"""The simulated outage: a real HTTP server answering as the scenario says."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from warroom.demo import scenario
from warroom.demo.world import DemoWorld, demo_playbook
from warroom.playbook import load_playbook
from warroom.resources import bundled_playbook_path


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_services_follow_the_script() -> None:
    backend_down_at = next(e for e in scenario.EPISODES if e.target == "backend").start + 1
    with (
        DemoWorld(epoch=time.time()) as calm,
        DemoWorld(epoch=time.time() - backend_down_at) as outage,
    ):
        assert _get(f"{calm.base_url}/backend/health/healthz") == (200, {"ok": True})
        status, body = _get(f"{outage.base_url}/backend/health/healthz")
        assert status == 503 and body["ok"] is False
        assert _get(f"{calm.base_url}/frontend/api/health") == (200, {"status": "ok"})


def test_status_pages_are_statuspage_summaries() -> None:
    supabase = next(e for e in scenario.EPISODES if e.target == "supabase")
    with DemoWorld(epoch=time.time() - supabase.start - 1) as world:
        status, page = _get(f"{world.base_url}/status/supabase/api/v2/summary.json")
        assert status == 200
        assert page["status"]["indicator"] == "major"
        assert page["incidents"][0]["name"] == supabase.reason
        status, calm = _get(f"{world.base_url}/status/clerk/api/v2/summary.json")
        assert calm["status"]["indicator"] == "none" and calm["incidents"] == []
        assert _get(f"{world.base_url}/status/nowhere/api/v2/summary.json")[0] == 404


def test_demo_playbook_points_everything_at_the_simulator() -> None:
    playbook = demo_playbook(load_playbook(bundled_playbook_path()), "http://127.0.0.1:9")
    assert all(s.url.startswith("http://127.0.0.1:9/") for s in playbook.services)
    assert all(p.page.startswith("http://127.0.0.1:9/status/") for p in playbook.providers)
    assert not any(p.page.endswith("/unknown") for p in playbook.providers)
    for source in playbook.log_sources:
        assert source.command[1:3] == ("-m", "warroom.demo.fakefly")
    shipped = load_playbook(bundled_playbook_path())
    fly_commands = [c for c in playbook.emergency_commands if "--app" in c.command]
    assert fly_commands and all(
        c.command[1:3] == ("-m", "warroom.demo.fakefly") for c in fly_commands
    )
    steps = [*playbook.quick_checks, *(s for r in playbook.runbooks for s in r.diagnosis)]
    assert not any(step.command[:1] == ("fly",) for step in steps)
    rollback = next(c for c in playbook.emergency_commands if c.name == "rollback-backend")
    assert rollback.command[3:] == ("deploy", "--app", "slurpy-backend", "--image", "<image-ref>")
    assert rollback.confirm and [r.title for r in playbook.runbooks] == [
        r.title for r in shipped.runbooks
    ]
    # everything else (phases, templates) is the shipped playbook's
    assert playbook.phases == shipped.phases and playbook.templates == shipped.templates


async def test_the_demo_never_opens_an_existing_incident(tmp_path: Path) -> None:
    from warroom.cli.launch import declare_demo_incident
    from warroom.store import open_store

    async with await open_store(tmp_path / "real.db") as store:
        real = await store.declare(title="Real outage", severity="P0", actor="alice")
        demo_id = await declare_demo_incident(store, "bob")
        assert demo_id != real.incident_id
        assert (await store.incident(demo_id)).title.endswith("(demo outage)")


NOT_SERVING_YET = """
import sys
from warroom.demo.world import DemoWorld
world = DemoWorld()
print("http.server" in sys.modules, "warroom.demo.server" in sys.modules)
world.stop()
"""


def test_a_world_not_started_has_not_imported_its_server() -> None:
    """`warroom demo` starts its world once the first screen is out: made before, it must
    cost that screen nothing but a listening socket."""
    run = subprocess.run(
        [sys.executable, "-c", NOT_SERVING_YET], capture_output=True, text=True, check=True
    )
    assert run.stdout.split() == ["False", "False"]


def test_what_was_asked_before_the_world_started_is_answered_once_it_has() -> None:
    world = DemoWorld(epoch=time.time())
    slug = next(iter(scenario.PROVIDERS))
    try:
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(_get, f"{world.base_url}/status/{slug}/api/v2/summary.json")
            assert not asked.done()
            world.start()
            status, page = asked.result(timeout=10)
        assert status == 200 and page["page"]["id"] == slug
    finally:
        world.stop()


def test_a_world_never_started_stops_all_the_same() -> None:
    world = DemoWorld()
    world.stop()
    assert not Path(world.fleet_file).parent.exists()


def test_a_burst_of_polls_is_answered_at_once() -> None:
    # The health monitor polls every target at the same moment. With socketserver's listen
    # backlog of 5, connections beyond it had their SYN dropped and retried after 1 s.
    burst = 32
    with DemoWorld(epoch=time.time()) as world:
        host, port = world.base_url.removeprefix("http://").split(":")
        ready = threading.Barrier(burst)

        def poll() -> float:
            ready.wait()
            started = time.monotonic()
            with socket.create_connection((host, int(port)), timeout=5) as conn:
                conn.sendall(b"GET /backend/health/healthz HTTP/1.0\r\n\r\n")
                assert conn.recv(64).startswith(b"HTTP/1.0 200")
            return time.monotonic() - started

        with ThreadPoolExecutor(burst) as pool:
            slowest = max(pool.map(lambda _: poll(), range(burst)))
    assert slowest < 0.9, f"a poll waited {slowest:.2f} s: a connection was refused and retried"


def test_rolling_back_the_bad_release_ends_the_outage() -> None:
    """The outage is the backend's newest release: deploying the one before it (as the
    rollback does, through the fake `fly deploy` and its fleet file) makes the backend
    healthy, its machines' checks pass and its logs' error burst stop; nobody acting, the
    script plays on."""
    down_at = next(e for e in scenario.EPISODES if e.target == "backend").start + 1
    with DemoWorld(epoch=time.time() - down_at) as world:
        env = {"PATH": "", **world.environment()}

        def fly(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "warroom.demo.fakefly", *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=True,
            )
            return done.stdout

        def error_lines() -> int:
            logs = fly("logs", "--app", "slurpy-backend", "--no-tail", "--count", "200")
            return sum("OperationalError" in line for line in logs.splitlines())

        assert _get(f"{world.base_url}/backend/health/healthz")[0] == 503
        assert error_lines() > 0
        previous = json.loads(fly("releases", "--json", "--image", "--app", "slurpy-backend"))[1]

        fly("deploy", "--app", "slurpy-backend", "--image", previous["ImageRef"])

        assert _get(f"{world.base_url}/backend/health/healthz") == (200, {"ok": True})
        assert error_lines() == 0
        machines = json.loads(fly("machine", "list", "--json", "--app", "slurpy-backend"))
        assert {c["status"] for m in machines for c in m["checks"]} == {"passing"}
