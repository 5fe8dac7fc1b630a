"""The simulated outage behind `warroom demo` and the tests: all local, no Fly account.

`DemoWorld` serves, on 127.0.0.1 and a free port, the three Slurpy services' health
endpoints, four Statuspage-style `summary.json` pages and the outside services publishing
talks to (`published`: a Statuspage-compatible API, a webhook, an Events API, and Slurpy's
own status page showing what was published), answering as `scenario` says for the seconds
elapsed since the world started and for the image the backend runs (the fleet file: rolling
the bad release back makes the backend healthy). `demo_playbook` turns the shipped playbook
into one that polls that server, publishes and pages through it, and runs
`warroom.demo.fakefly` wherever it runs `fly` (log sources, quick checks, runbook steps,
emergency commands), so the whole product runs on the real playbook's phases, runbooks and
templates; the world's
`environment` gives the stand-in a fleet file, so a deploy or a scale made in the demo is
there for the next command.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from warroom.demo import scenario
from warroom.demo.fakefly_fleet import STATE_VARIABLE, Fleet, bad_release_running
from warroom.demo.published import (
    DEMO_API_KEY,
    DEMO_COMPONENTS,
    DEMO_PAGE_ID,
    DEMO_ROUTING_KEY,
    EVENTS_PATH,
    STATUSPAGE_PREFIX,
    WEBHOOK_PATH,
    Publications,
)
from warroom.playbook import ChatTarget, PagingTarget, Playbook, StatusPageTarget, Step

EPOCH_VARIABLE = "WARROOM_DEMO_EPOCH"
"""Environment variable through which `fakefly` learns when the outage script started."""

SLOW_ANSWER_SECONDS = 2.5
DEMO_SERVICE_INTERVAL = timedelta(seconds=2)
DEMO_PROVIDER_INTERVAL = timedelta(seconds=5)

_PROVIDER_SLUGS = {name.lower(): slug for slug, name in scenario.PROVIDERS.items()}

_INDICATOR_DESCRIPTION = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
_COMPONENT_STATUS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
}


def service_answer(
    service: str, elapsed: float, *, bad_release: bool = True
) -> tuple[int, dict[str, Any], float]:
    """Status code, JSON body and delay in seconds of a service's health endpoint."""
    mood = scenario.service_mood(service, elapsed, bad_release=bad_release)
    # The frontend reports `.status` ("ok"), the others `.ok` (true), as playbook.toml judges them.
    if mood == "down":
        body: dict[str, Any] = {"ok": False, "error": "database unreachable"}
        if service == "frontend":
            body = {"status": "error", "error": "backend unavailable"}
        return 503, body, 0.0
    body = {"status": "ok"} if service == "frontend" else {"ok": True}
    return 200, body, SLOW_ANSWER_SECONDS if mood == "slow" else 0.0


def summary_page(slug: str, elapsed: float) -> dict[str, Any]:
    """An Atlassian Statuspage `/api/v2/summary.json` document for one provider."""
    indicator, incident = scenario.provider_indicator(slug, elapsed)
    name = scenario.PROVIDERS[slug]
    incidents = []
    if incident:
        incidents.append(
            {
                "name": incident,
                "status": "investigating",
                "shortlink": f"https://stspg.io/{slug}",
                "incident_updates": [{"status": "investigating", "body": incident}],
            }
        )
    return {
        "page": {"id": slug, "name": name, "time_zone": "Etc/UTC"},
        "status": {"indicator": indicator, "description": _INDICATOR_DESCRIPTION[indicator]},
        "components": [
            {"name": "API", "status": _COMPONENT_STATUS[indicator]},
            {"name": "Dashboard", "status": "operational"},
        ],
        "incidents": incidents,
    }


class _Handler(BaseHTTPRequestHandler):
    server: _DemoServer

    def do_GET(self) -> None:
        if self._published("GET"):
            return
        elapsed = time.time() - self.server.epoch
        parts = urlsplit(self.path).path.strip("/").split("/")
        if parts[:1] == ["status"] and len(parts) >= 2 and parts[1] in scenario.PROVIDERS:
            if parts[2:] == ["api", "v2", "summary.json"]:
                self._send(200, summary_page(parts[1], elapsed))
                return
        elif parts[0] in scenario.SERVICES:
            # The fleet file the fake `fly deploy` writes: a rollback ends the outage.
            bad_release = bad_release_running(Fleet(self.server.fleet_file))
            status, body, delay = service_answer(parts[0], elapsed, bad_release=bad_release)
            if delay:
                time.sleep(delay)
            self._send(status, body)
            return
        self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        if not self._published("POST"):
            self._send(404, {"error": "not found"})

    def do_PATCH(self) -> None:
        if not self._published("PATCH"):
            self._send(404, {"error": "not found"})

    def _published(self, method: str) -> bool:
        """Answer a request for the status page API, webhook or Events API; False if it is
        for none of them."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {name.lower(): value for name, value in self.headers.items()}
        path = urlsplit(self.path).path
        answer = self.server.publications.handle(method, path, headers, body)
        if answer is None:
            return False
        self._send(*answer)
        return True

    def _send(self, status: int, body: Any) -> None:
        text = isinstance(body, str)
        payload = body.encode() if text else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if text else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the war room owns the terminal."""


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: the health monitor's round of seven polls,
    # all at once, had a SYN dropped and retried a second later.
    request_queue_size = 128
    epoch: float
    fleet_file: Path
    publications: Publications


class DemoWorld:
    """The outage's HTTP server, running in a background thread until `stop`."""

    def __init__(self, *, epoch: float | None = None) -> None:
        self.epoch = time.time() if epoch is None else epoch
        self._server = _DemoServer(("127.0.0.1", 0), _Handler)
        self._server.epoch = self.epoch
        self.publications = Publications()
        """What the demo's status page API, webhook and Events API received."""
        self._server.publications = self.publications
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="warroom-demo-http", daemon=True
        )
        self._fleet = tempfile.TemporaryDirectory(prefix="warroom-fleet-")
        self.fleet_file = Path(self._fleet.name) / "fleet.json"
        """Where the fake `fly` keeps deploys and scaling (its WARROOM_FAKEFLY_STATE)."""
        self._server.fleet_file = self.fleet_file

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows bytes hosts; ours is "127.0.0.1"
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> DemoWorld:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._fleet.cleanup()

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        """Variables the fake `fly` processes need to follow the same script and fleet."""
        return {
            EPOCH_VARIABLE: repr(self.epoch),
            STATE_VARIABLE: str(self.fleet_file),
        }


def demo_playbook(playbook: Playbook, base_url: str) -> Playbook:
    """`playbook` with every target pointed at the demo server and every log at fakefly."""
    services = tuple(
        dataclasses.replace(
            service,
            url=f"{base_url}/{service.name}{urlsplit(service.url).path}",
            interval=DEMO_SERVICE_INTERVAL,
        )
        for service in playbook.services
    )
    providers = tuple(
        dataclasses.replace(
            provider,
            page=f"{base_url}/status/{_PROVIDER_SLUGS.get(provider.name.lower(), 'unknown')}",
            interval=DEMO_PROVIDER_INTERVAL,
        )
        for provider in playbook.providers
    )
    log_sources = tuple(
        dataclasses.replace(source, command=_fake_fly(source.command))
        for source in playbook.log_sources
    )
    runbooks = tuple(
        dataclasses.replace(
            runbook,
            diagnosis=_fake_steps(runbook.diagnosis),
            solutions=tuple(
                dataclasses.replace(solution, steps=_fake_steps(solution.steps))
                for solution in runbook.solutions
            ),
        )
        for runbook in playbook.runbooks
    )
    demo_key = {DEMO_API_KEY, DEMO_ROUTING_KEY, f"{base_url}{WEBHOOK_PATH}"}
    return dataclasses.replace(
        playbook,
        status_page=StatusPageTarget(
            page_id=DEMO_PAGE_ID,
            api_key=DEMO_API_KEY,
            api=f"{base_url}{STATUSPAGE_PREFIX}",
            components=MappingProxyType(dict(DEMO_COMPONENTS)),
        ),
        chat=ChatTarget(webhook=f"{base_url}{WEBHOOK_PATH}"),
        paging=PagingTarget(routing_key=DEMO_ROUTING_KEY, events_url=f"{base_url}{EVENTS_PATH}"),
        secrets=playbook.secrets | demo_key,
        services=services,
        providers=providers,
        log_sources=log_sources,
        quick_checks=_fake_steps(playbook.quick_checks),
        runbooks=runbooks,
        emergency_commands=tuple(
            dataclasses.replace(command, command=_fake_fly(command.command))
            for command in playbook.emergency_commands
        ),
    )


def _fake_steps(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    return tuple(dataclasses.replace(step, command=_fake_fly(step.command)) for step in steps)


def _fake_fly(command: tuple[str, ...]) -> tuple[str, ...]:
    if command[:1] in (("fly",), ("flyctl",)):
        return (sys.executable, "-m", "warroom.demo.fakefly", *command[1:])
    return command
