"""The incident domain, pure: the event vocabulary (`events`), the state derived from it
(`state`, built by `fold`; `entries` says how each event reads on the timeline), the clocks
that run against the playbook (`clocks`) and the status texts (`comms`).
"""

from __future__ import annotations

from warroom.incident.entries import (
    SEVERITY_ACTION_PREFIX,
    describe,
    severity_action_id,
    severity_action_text,
)
from warroom.incident.events import (
    COMMAND_RUN,
    COMMS_COPIED,
    DECLARED,
    ENTRY_EDITED,
    ENTRY_RETRACTED,
    ESCALATED,
    EVENT_KINDS,
    FIELD_SET,
    HEALTH_CHANGED,
    ITEM_TICKED,
    ITEM_UNTICKED,
    LOG_PINNED,
    MOMENT_SET,
    NOTE_ADDED,
    REOPENED,
    RESOLVED,
    ROLE_ASSIGNED,
    ROLES,
    SEVERITY_CHANGED,
    Clock,
    Event,
    format_incident_id,
    parse_time,
    utc_now,
)
from warroom.incident.fold import IncidentFold, derive
from warroom.incident.state import (
    HEADLINE_KINDS,
    META_KINDS,
    IncidentError,
    IncidentState,
    TimelineEntry,
    corrections,
    headline,
)

__all__ = [
    "COMMAND_RUN",
    "COMMS_COPIED",
    "DECLARED",
    "ENTRY_EDITED",
    "ENTRY_RETRACTED",
    "ESCALATED",
    "EVENT_KINDS",
    "FIELD_SET",
    "HEADLINE_KINDS",
    "HEALTH_CHANGED",
    "ITEM_TICKED",
    "ITEM_UNTICKED",
    "LOG_PINNED",
    "META_KINDS",
    "MOMENT_SET",
    "NOTE_ADDED",
    "REOPENED",
    "RESOLVED",
    "ROLES",
    "ROLE_ASSIGNED",
    "SEVERITY_ACTION_PREFIX",
    "SEVERITY_CHANGED",
    "Clock",
    "Event",
    "IncidentError",
    "IncidentFold",
    "IncidentState",
    "TimelineEntry",
    "corrections",
    "derive",
    "describe",
    "format_incident_id",
    "headline",
    "parse_time",
    "severity_action_id",
    "severity_action_text",
    "utc_now",
]
