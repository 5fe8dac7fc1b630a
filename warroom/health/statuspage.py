"""Judging a provider's Atlassian Statuspage `summary.json`, without a network.

A page's `status.indicator` is set by hand and lags: "none" while the page itself lists a
component in `major_outage` or an incident under investigation. So the state is the worst of
the indicator, every component and every unresolved incident, and the reason says which
part made it so. An announced maintenance in progress is its own state, `maintenance`:
planned work is not an outage, but it is not "up" either.
"""

from __future__ import annotations

from typing import Any

from warroom.health.judging import MAX_BODY, State, UnreadableJSON, one_line, parse_json

_INDICATORS: dict[str, State] = {
    "none": "up",
    "minor": "degraded",
    "major": "down",
    "critical": "down",
    "maintenance": "maintenance",
}
_COMPONENTS: dict[str, State] = {
    "operational": "up",
    "degraded_performance": "degraded",
    "partial_outage": "degraded",
    "major_outage": "down",
    "under_maintenance": "maintenance",
}
_UNRESOLVED = frozenset({"investigating", "identified", "monitoring"})
_INCIDENT_IMPACT: dict[str, State] = {"major": "down", "critical": "down"}
"""An unresolved incident is at least `degraded`; its `impact`, when it says so, makes it
`down`."""
_MAINTENANCE_UNDER_WAY = frozenset({"in_progress", "verifying"})
_RANK: dict[State, int] = {"up": 0, "maintenance": 1, "degraded": 2, "down": 3}
"""Worse is higher. Maintenance sits above up and below any trouble: a page that is both
under maintenance and degraded is shown degraded."""


def judge_provider(status: int, body: bytes, *, truncated: bool = False) -> tuple[State, str]:
    """Judge a Statuspage `summary.json` answer: the worst of its parts, with a reason.

    Anything that is not such a document (404, HTML, invalid JSON, another shape, an
    indicator it does not document) is "unknown", never "up".
    """
    if status != 200:
        return "unknown", f"HTTP {status}, not a status page"
    if truncated:
        return "unknown", f"body over {MAX_BODY // 1024 // 1024} MiB, not a status page"
    try:
        document = parse_json(body)
    except UnreadableJSON as error:
        return "unknown", one_line(f"{error}, not a status page")
    page_status = document.get("status") if isinstance(document, dict) else None
    indicator = page_status.get("indicator") if isinstance(page_status, dict) else None
    if not isinstance(indicator, str) or indicator not in _INDICATORS:
        return "unknown", "unexpected shape: no known status.indicator"
    assert isinstance(document, dict) and isinstance(page_status, dict)
    said = _INDICATORS[indicator]
    findings = sorted(_findings(document), key=lambda found: -_RANK[found[0]])
    worst = max([said, *(state for state, _ in findings)], key=_RANK.__getitem__)
    parts = "; ".join(text for _, text in findings)
    if _RANK[worst] > _RANK[said]:
        return worst, one_line(f"indicator {indicator} but {parts}")
    if findings:
        return worst, one_line(f"{indicator}: {parts}")
    return worst, one_line(str(page_status.get("description") or indicator))


def _findings(document: dict[str, Any]) -> list[tuple[State, str]]:
    """Every part of the page that is not plain "up", as (state, what to say)."""
    found: list[tuple[State, str]] = []
    for component in _dicts(document.get("components")):
        if component.get("group") is True:
            continue  # a group's status is its members' worst, and they are listed too
        state = _COMPONENTS.get(str(component.get("status")))
        if state is not None and state != "up":
            found.append((state, f"component {_name(component)}: {component.get('status')}"))
    for incident in _dicts(document.get("incidents")):
        status = incident.get("status")
        if status in _UNRESOLVED:
            state = _INCIDENT_IMPACT.get(str(incident.get("impact")), "degraded")
            found.append((state, f"incident {_name(incident)} ({status})"))
    for maintenance in _dicts(document.get("scheduled_maintenances")):
        status = maintenance.get("status")
        if status in _MAINTENANCE_UNDER_WAY:
            found.append(("maintenance", f"maintenance {_name(maintenance)} ({status})"))
    return found


def _name(part: dict[str, Any]) -> str:
    return str(part.get("name") or "?")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
