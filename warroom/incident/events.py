"""The incident's vocabulary: what an event is, and the kinds of event there are.

An incident is an append-only list of `Event`s kept by `warroom.store`; `warroom.incident.state`
folds them into what the war room shows. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; injected so tests control time."""


def utc_now() -> datetime:
    """The real clock: now, in UTC."""
    return datetime.now(UTC)


# Event kinds. The payload each one carries is given beside it.
DECLARED = "incident.declared"  # {title, severity}
SEVERITY_CHANGED = "severity.changed"  # {from, to}
ITEM_TICKED = "item.ticked"  # {item_id}
ITEM_UNTICKED = "item.unticked"  # {item_id}
NOTE_ADDED = "note.added"  # {text}
ENTRY_EDITED = "entry.edited"  # {target_seq, text?, at?}
ENTRY_RETRACTED = "entry.retracted"  # {target_seq}
MOMENT_SET = "moment.set"  # {moment, at (ISO string, or None to clear), target_seq?}
ROLE_ASSIGNED = "role.assigned"  # {role, name}
FIELD_SET = "field.set"  # {name, value}
COMMS_COPIED = "comms.copied"  # {template, text, via}
LOG_PINNED = "log.pinned"  # {source, line, logged_at}
HEALTH_CHANGED = "health.changed"  # {target, from, to, status, reason}
COMMAND_RUN = "command.run"  # {name, argv, exit_code, output}
ESCALATED = "escalated"  # {level}
RESOLVED = "incident.resolved"  # {}
REOPENED = "incident.reopened"  # {}

EVENT_KINDS: tuple[str, ...] = (
    DECLARED,
    SEVERITY_CHANGED,
    ITEM_TICKED,
    ITEM_UNTICKED,
    NOTE_ADDED,
    ENTRY_EDITED,
    ENTRY_RETRACTED,
    MOMENT_SET,
    ROLE_ASSIGNED,
    FIELD_SET,
    COMMS_COPIED,
    LOG_PINNED,
    HEALTH_CHANGED,
    COMMAND_RUN,
    ESCALATED,
    RESOLVED,
    REOPENED,
)
"""Every event kind the domain knows; others are kept and shown, but change no state."""

ROLES: tuple[str, ...] = ("commander", "scribe", "comms")
"""The incident roles that `role.assigned` names."""


@dataclass(frozen=True)
class Event:
    """One appended fact about an incident. `seq` counts from 1 within the incident."""

    seq: int
    incident_id: str
    at: datetime
    """When it happened, aware UTC."""
    kind: str
    actor: str
    """Who did it (`--as NAME`, default the login name)."""
    payload: Mapping[str, Any]


def format_incident_id(day: date, number: int) -> str:
    """The id of the `number`th incident declared on UTC `day`: INC-YYYYMMDD-NNN."""
    return f"INC-{day:%Y%m%d}-{number:03d}"


def parse_time(value: Any) -> datetime | None:
    """A payload time (ISO string or datetime) as aware UTC, or None if absent or unreadable."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        # Payload times are written by warroom in UTC; a bare one typed by hand means UTC too.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
