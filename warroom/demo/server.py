"""The outage's HTTP server behind `warroom.demo.world.DemoWorld`: the three services' health
endpoints, four Statuspage-style `summary.json` pages, and the outside services publishing
talks to (`published`), answering as `scenario` says for the seconds elapsed since the world
started and for the image the backend runs. Its own module: `warroom demo` imports it (and
http.server, ~9 ms) only once its first screen is out.
"""

from __future__ import annotations

import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warroom.demo import scenario
from warroom.demo.fakefly_fleet import Fleet, bad_release_running
from warroom.demo.published import Publications

SLOW_ANSWER_SECONDS = 2.5
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
    server: DemoServer

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


class DemoServer(ThreadingHTTPServer):
    """Answers on `listener`, a socket already listening (`DemoWorld` binds it at once, and
    serves later), as the outage script says for the seconds since `epoch`."""

    daemon_threads = True

    def __init__(
        self,
        listener: socket.socket,
        *,
        epoch: float,
        fleet_file: Path,
        publications: Publications,
    ) -> None:
        super().__init__(listener.getsockname()[:2], _Handler, bind_and_activate=False)
        # socketserver makes a socket of its own even when told not to bind it: the one that
        # has been listening since the world was made, with its waiting connections, is used.
        self.socket.close()
        self.socket = listener
        self.server_address = listener.getsockname()[:2]
        self.epoch = epoch
        self.fleet_file = fleet_file
        self.publications = publications
