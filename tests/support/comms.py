"""The incident the comms tests fill their templates from: declared 14:05 UTC on 1 May 2024,
looked at fifty minutes later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.incident import Event, IncidentState, derive
from warroom.playbook import Playbook

DECLARED = datetime(2024, 5, 1, 14, 5, tzinfo=UTC)
NOW = DECLARED + timedelta(minutes=50)


def incident_with_fields(
    playbook: Playbook, title: str = "Login fails", *, resolved: bool = False, **fields: str
) -> IncidentState:
    """INC-1, a P1 declared by ana at DECLARED, with `fields` set at the same moment (and
    resolved then, when `resolved`)."""
    events = [
        Event(1, "INC-1", DECLARED, "incident.declared", "ana", {"title": title, "severity": "P1"})
    ]
    for seq, (name, value) in enumerate(fields.items(), start=2):
        events.append(
            Event(seq, "INC-1", DECLARED, "field.set", "ana", {"name": name, "value": value})
        )
    if resolved:
        events.append(Event(len(events) + 1, "INC-1", DECLARED, "incident.resolved", "ana", {}))
    return derive(events, playbook)
