"""The demo's own outside services: a Statuspage-compatible REST API, a Slack-style
incoming webhook and a PagerDuty-style Events API, so that publishing and paging work end
to end in `warroom demo` without a network, and Slurpy's own status page
(`/status/slurpy/api/v2/summary.json`) shows what was published.

`Publications` holds what was received (thread-safe: the demo server answers each request
in a thread) and answers each call as the real API would, auth header and shape checked.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEMO_API_KEY = "demo-statuspage-key"
"""The key the demo playbook sends; anything else is answered 401, as Statuspage does."""
DEMO_ROUTING_KEY = "demo-routing-key"
DEMO_PAGE_ID = "slurpy"
DEMO_COMPONENTS = {"frontend": "cmp-frontend", "backend": "cmp-backend", "mcp": "cmp-mcp"}
"""Service name -> the demo page's component id."""
_COMPONENT_NAMES = {component: name.title() for name, component in DEMO_COMPONENTS.items()}

STATUSPAGE_PREFIX = "/statuspage-api/v1"
WEBHOOK_PATH = "/hooks/demo-webhook"
EVENTS_PATH = "/pagerduty/v2/enqueue"
SUMMARY_PATH = "/status/slurpy/api/v2/summary.json"

Answer = tuple[int, Any]
"""HTTP status and JSON body (a str body is sent as plain text)."""


@dataclass
class Publications:
    """What the demo's outside services were sent, and their answers."""

    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(DEMO_COMPONENTS.values(), "operational")
    )
    chat: list[str] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: Any
    ) -> Answer | None:
        """The answer to a request for one of these services; None if it is for none."""
        with self._lock:
            if path.startswith(STATUSPAGE_PREFIX + "/"):
                return self._statuspage(method, path[len(STATUSPAGE_PREFIX) :], headers, body)
            if path == WEBHOOK_PATH and method == "POST":
                if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                    return 400, "invalid_payload"
                self.chat.append(body["text"])
                return 200, "ok"
            if path == EVENTS_PATH and method == "POST":
                return self._event(body)
            if path == SUMMARY_PATH and method == "GET":
                return 200, self._summary()
        return None

    def _statuspage(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> Answer:
        if headers.get("authorization") != f"OAuth {DEMO_API_KEY}":
            return 401, {"error": "Could not authenticate"}
        parts = path.strip("/").split("/")
        if parts[:3] != ["pages", DEMO_PAGE_ID, "incidents"]:
            return 404, {"error": "Page not found"}
        rest = parts[3:]
        if method == "GET" and rest == ["unresolved"]:
            open_ = [i for i in self.incidents.values() if i["status"] != "resolved"]
            return 200, sorted(open_, key=lambda i: i["created_at"], reverse=True)
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return 422, {"error": ["incident is missing"]}
        if method == "POST" and not rest:
            if not incident.get("name"):
                return 422, {"error": ["Name can't be blank"]}
            number = next(self._ids)
            remote_id = f"demo{number:04d}"
            created: dict[str, Any] = {
                "id": remote_id,
                "shortlink": f"https://stspg.io/demo{number}",
                "created_at": _now(),
                "incident_updates": [],
            }
            self.incidents[remote_id] = created
            return 201, self._apply(created, incident)
        if method == "PATCH" and len(rest) == 1 and rest[0] in self.incidents:
            return 200, self._apply(self.incidents[rest[0]], incident)
        return 404, {"error": "Incident not found"}

    def _apply(self, stored: dict[str, Any], incident: Mapping[str, Any]) -> dict[str, Any]:
        for key in ("name", "status"):
            if incident.get(key):
                stored[key] = incident[key]
        components = incident.get("components")
        if isinstance(components, dict):
            for component, status in components.items():
                if component in self.components:
                    self.components[component] = str(status)
        if incident.get("body"):
            update = {"status": stored.get("status"), "body": incident["body"], "at": _now()}
            stored["incident_updates"].insert(0, update)
        stored["impact"] = _impact(self.components.values())
        return dict(stored)

    def _event(self, body: Any) -> Answer:
        if not isinstance(body, dict) or body.get("routing_key") != DEMO_ROUTING_KEY:
            return 400, {"status": "invalid event", "message": "Event object is invalid"}
        self.pages.append(dict(body))
        return 202, {"status": "success", "dedup_key": body.get("dedup_key")}

    def _summary(self) -> dict[str, Any]:
        open_ = [dict(i) for i in self.incidents.values() if i.get("status") != "resolved"]
        indicator = _impact(self.components.values()) if open_ else "none"
        return {
            "page": {"id": DEMO_PAGE_ID, "name": "Slurpy", "time_zone": "Etc/UTC"},
            "status": {"indicator": indicator, "description": f"indicator {indicator}"},
            "components": [
                {"id": component, "name": _COMPONENT_NAMES[component], "status": status}
                for component, status in self.components.items()
            ],
            "incidents": open_,
        }


def _impact(statuses: Any) -> str:
    found = set(statuses)
    if "major_outage" in found:
        return "critical"
    if "partial_outage" in found:
        return "major"
    if "degraded_performance" in found:
        return "minor"
    return "none"


def _now() -> str:
    return datetime.now(UTC).isoformat()
