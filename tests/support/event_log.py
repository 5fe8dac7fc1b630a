"""Incidents built event by event, numbered the way a store numbers them: for the pure tests
of what is derived from events (metrics, the post-mortem, export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tests.support.times import T0
from warroom.incident.events import Event, NewEvent, declared


@dataclass
class EventLog:
    incident_id: str = "INC-20250301-001"
    events: list[Event] = field(default_factory=list)

    def add(self, new: NewEvent, *, minute: float, actor: str = "ann") -> Event:
        """Append `new` as happening `minute` minutes after T0 (its own time, if it has one)."""
        at = new.at if new.at is not None else T0 + timedelta(minutes=minute)
        event = Event(len(self.events) + 1, self.incident_id, at, new.kind, actor, new.payload)
        self.events.append(event)
        return event


def declared_log(title: str = "API down", severity: str = "P1") -> EventLog:
    """An incident declared at T0 by ann, nothing else yet."""
    log = EventLog()
    log.add(declared(title, severity), minute=0)
    return log
