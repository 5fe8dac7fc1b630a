"""The requests publishing sends, built and shown without sending anything.

Pure: each builder returns an `ApiRequest` exactly as it goes over the wire (Statuspage
REST API v1, a Slack incoming webhook, PagerDuty Events API v2; facts in
docs/architecture.md), carrying the secrets it holds so that `shown` and every message about
it mask them. The dry run, the preview and the sender all read the same object, so what is
previewed is what is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from warroom.playbook import ChatTarget, PagingTarget, StatusPageTarget
from warroom.safetext import masked

Target = Literal["statuspage", "chat", "paging"]
TARGETS: tuple[Target, ...] = ("statuspage", "chat", "paging")

TARGET_NAMES: dict[Target, str] = {
    "statuspage": "the status page",
    "chat": "chat",
    "paging": "PagerDuty",
}

STATUSES = ("investigating", "identified", "monitoring", "resolved")
"""Statuspage's statuses of a realtime incident; the templates of the same names map to them."""

COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)

HEALTH_TO_COMPONENT = {
    "down": "major_outage",
    "degraded": "degraded_performance",
    "up": "operational",
    "maintenance": "under_maintenance",
}
"""A health pane state -> the component status proposed for it ("unknown" proposes none)."""

PAGING_SEVERITY = {"P0": "critical", "P1": "error", "P2": "warning", "P3": "info"}
"""Incident severity -> PagerDuty event severity."""


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request to a publishing target, as it is sent."""

    target: Target
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    """Sent as JSON."""
    secrets: frozenset[str] = frozenset()
    """Values in it that must never be shown, stored or logged."""
    repeatable: bool = True
    """Safe to send again when no answer came (False for a create: it may have happened)."""

    def mask(self, text: str, more: Iterable[str] = ()) -> str:
        """`text` with this request's secrets (and `more`) shown as `•••`."""
        return masked(text, self.secrets | frozenset(more))

    def shown(self, more: Iterable[str] = ()) -> str:
        """The request as a person reads it before it is sent: method, URL, headers and
        body, every secret masked."""
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body is not None:
            lines += ["", json.dumps(self.body, indent=2, ensure_ascii=False)]
        return self.mask("\n".join(lines), more)


@dataclass(frozen=True)
class StatusUpdate:
    """What one publish says on the status page."""

    name: str
    """The incident's name there."""
    status: str
    """One of STATUSES."""
    body: str
    """The text, as previewed."""
    components: Mapping[str, str]
    """component id -> one of COMPONENT_STATUSES."""


def _statuspage_headers(target: StatusPageTarget) -> dict[str, str]:
    return {"Authorization": f"OAuth {target.api_key}", "Content-Type": "application/json"}


def _incident_body(update: StatusUpdate, *, create: bool) -> dict[str, Any]:
    incident: dict[str, Any] = {
        "name": update.name,
        "status": update.status,
        "body": update.body,
        "component_ids": list(update.components),
        "components": dict(update.components),
    }
    if create:
        incident["deliver_notifications"] = True
    return {"incident": incident}


def statuspage_create(target: StatusPageTarget, update: StatusUpdate) -> ApiRequest:
    """`POST /pages/{page_id}/incidents`: the incident's first publish."""
    return ApiRequest(
        "statuspage",
        "POST",
        f"{target.api}/pages/{target.page_id}/incidents",
        _statuspage_headers(target),
        _incident_body(update, create=True),
        target.secrets(),
        repeatable=False,
    )


def statuspage_update(
    target: StatusPageTarget, incident_id: str, update: StatusUpdate
) -> ApiRequest:
    """`PATCH /pages/{page_id}/incidents/{incident_id}`: every later publish (a new
    incident update on the page, since it has a body)."""
    return ApiRequest(
        "statuspage",
        "PATCH",
        f"{target.api}/pages/{target.page_id}/incidents/{incident_id}",
        _statuspage_headers(target),
        _incident_body(update, create=False),
        target.secrets(),
    )


def statuspage_unresolved(target: StatusPageTarget) -> ApiRequest:
    """`GET /pages/{page_id}/incidents/unresolved`: whether a create that got no answer
    happened after all."""
    headers = {"Authorization": f"OAuth {target.api_key}"}
    return ApiRequest(
        "statuspage",
        "GET",
        f"{target.api}/pages/{target.page_id}/incidents/unresolved",
        headers,
        None,
        target.secrets(),
    )


def chat_message(target: ChatTarget, text: str) -> ApiRequest:
    """The Slack incoming webhook's `{"text": …}`. Not repeatable: a post that got no answer
    may have reached the channel, and a second copy there is noise, not harm, so it is
    reported rather than sent twice."""
    return ApiRequest(
        "chat",
        "POST",
        target.webhook,
        {"Content-Type": "application/json"},
        {"text": text},
        target.secrets(),
        repeatable=False,
    )


def page_trigger(
    target: PagingTarget, incident_id: str, *, summary: str, severity: str, source: str
) -> ApiRequest:
    """An Events API v2 `trigger`, deduplicated by the incident id, so paging twice for one
    incident is one PagerDuty incident. `severity` is the incident's P0–P3."""
    body = {
        "routing_key": target.routing_key,
        "event_action": "trigger",
        "dedup_key": incident_id,
        "payload": {
            "summary": summary,
            "source": source,
            "severity": PAGING_SEVERITY.get(severity, "error"),
        },
    }
    return _paging(target, body)


def page_resolve(target: PagingTarget, incident_id: str) -> ApiRequest:
    """An Events API v2 `resolve` of the page the incident triggered."""
    body = {"routing_key": target.routing_key, "event_action": "resolve", "dedup_key": incident_id}
    return _paging(target, body)


def _paging(target: PagingTarget, body: dict[str, Any]) -> ApiRequest:
    headers = {"Content-Type": "application/json"}
    return ApiRequest("paging", "POST", target.events_url, headers, body, target.secrets())


def proposed_components(
    target: StatusPageTarget, health: Mapping[str, str], *, resolved: bool = False
) -> dict[str, str]:
    """component id -> status, proposed from what the health pane shows of the service or
    provider each component maps (down → major_outage, degraded → degraded_performance,
    up → operational); a resolved update proposes every component operational."""
    proposed: dict[str, str] = {}
    for name, component in target.components.items():
        if resolved:
            proposed[component] = "operational"
        elif health.get(name) in HEALTH_TO_COMPONENT:
            proposed[component] = HEALTH_TO_COMPONENT[health[name]]
    return proposed
