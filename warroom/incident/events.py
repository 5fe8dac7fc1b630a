"""The incident's vocabulary: what an event is, the kinds there are, and one constructor each.

An incident is an append-only list of `Event`s kept by `warroom.store`; `warroom.incident.fold`
folds them into what the war room shows. Every writer (screens, widgets, the CLI, the session)
builds what it appends with the constructors at the end of this module, so each kind's payload
is spelled in one place. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; injected so tests control time."""


def utc_now() -> datetime:
    """The real clock: now, in UTC."""
    return datetime.now(UTC)


# Event kinds, with the payload each carries (built by the constructors at the end).
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
# {target, template, status, outcome, ok, message, http_status, attempts, text, remote_id,
# shortlink}: one send to a status page or chat, however it ended (never a secret)
COMMS_PUBLISHED = "comms.published"
ONCALL_PAGED = "oncall.paged"  # {action, outcome, ok, message, http_status, attempts, dedup_key}
LOG_PINNED = "log.pinned"  # {source, line, logged_at}
HEALTH_CHANGED = "health.changed"  # {target, from, to, status, reason}
# {name, argv, outcome, exit_code, summary, duration, output_head, output_tail, output_chars};
# the whole output (capped) is kept beside the event by the store (`append_command_run`).
COMMAND_RUN = "command.run"
ESCALATED = "escalated"  # {level}
RESOLVED = "incident.resolved"  # {}
REOPENED = "incident.reopened"  # {}
RENAMED = "incident.renamed"  # {title}
ACKNOWLEDGED = "incident.acknowledged"  # {}: a person says they are responding
POSTMORTEM_FIELD_SET = "postmortem.field_set"  # {field, text}: a section only a person writes
ACTION_ADDED = "action.added"  # {text, owner, due (ISO string or None)}
ACTION_ASSIGNED = "action.assigned"  # {item, owner?, due?}: item is an action item's key
ACTION_DONE = "action.done"  # {item}
ACTION_REOPENED = "action.reopened"  # {item}

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
    COMMS_PUBLISHED,
    ONCALL_PAGED,
    LOG_PINNED,
    HEALTH_CHANGED,
    COMMAND_RUN,
    ESCALATED,
    RESOLVED,
    REOPENED,
    RENAMED,
    ACKNOWLEDGED,
    POSTMORTEM_FIELD_SET,
    ACTION_ADDED,
    ACTION_ASSIGNED,
    ACTION_DONE,
    ACTION_REOPENED,
)
"""Every event kind the domain knows; others are kept and shown, but change no state."""

ROLES: tuple[str, ...] = ("commander", "scribe", "comms")
"""The incident roles that `role.assigned` names."""


class Event(NamedTuple):
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


class NewEvent(NamedTuple):
    """An event to append: its kind and payload, and when it happened if that was not now."""

    kind: str
    payload: Mapping[str, Any]
    at: datetime | None = None


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def declared(title: str, severity: str) -> NewEvent:
    return NewEvent(DECLARED, {"title": title, "severity": severity})


def severity_changed(old: str, new: str) -> NewEvent:
    return NewEvent(SEVERITY_CHANGED, {"from": old, "to": new})


def item_ticked(item_id: str) -> NewEvent:
    return NewEvent(ITEM_TICKED, {"item_id": item_id})


def item_unticked(item_id: str) -> NewEvent:
    return NewEvent(ITEM_UNTICKED, {"item_id": item_id})


def note_added(text: str) -> NewEvent:
    return NewEvent(NOTE_ADDED, {"text": text})


def entry_edited(
    target_seq: int, *, text: str | None = None, at: datetime | None = None
) -> NewEvent:
    """A correction of entry `target_seq`: its text, its time, or both."""
    payload: dict[str, Any] = {"target_seq": target_seq}
    if text is not None:
        payload["text"] = text
    if at is not None:
        payload["at"] = _iso(at)
    return NewEvent(ENTRY_EDITED, payload)


def entry_retracted(target_seq: int) -> NewEvent:
    return NewEvent(ENTRY_RETRACTED, {"target_seq": target_seq})


def moment_set(moment: str, at: datetime | None, *, target_seq: int | None = None) -> NewEvent:
    """Key moment `moment` happened `at` (None clears it), marked from entry `target_seq`."""
    payload: dict[str, Any] = {"moment": moment, "at": _iso(at) if at is not None else None}
    if target_seq is not None:
        payload["target_seq"] = target_seq
    return NewEvent(MOMENT_SET, payload)


def role_assigned(role: str, name: str) -> NewEvent:
    """`name` takes `role`; an empty name leaves the role unassigned."""
    return NewEvent(ROLE_ASSIGNED, {"role": role, "name": name})


def field_set(name: str, value: str) -> NewEvent:
    return NewEvent(FIELD_SET, {"name": name, "value": value})


def comms_copied(template: str, text: str, via: str) -> NewEvent:
    return NewEvent(COMMS_COPIED, {"template": template, "text": text, "via": via})


def comms_published(
    target: str,
    template: str,
    text: str,
    *,
    status: str,
    outcome: str,
    ok: bool,
    message: str,
    http_status: int | None,
    attempts: Sequence[str],
    remote_id: str = "",
    shortlink: str = "",
) -> NewEvent:
    """A status text sent to `target` ("statuspage", "chat") with the Statuspage `status`,
    and how it ended: `outcome`, `ok`, the sentence saying so, the last HTTP status, each
    try, and the Statuspage incident's id and link once known. Its writer masks secrets."""
    payload = {
        "target": target,
        "template": template,
        "status": status,
        "outcome": outcome,
        "ok": ok,
        "message": message,
        "http_status": http_status,
        "attempts": list(attempts),
        "text": text,
        "remote_id": remote_id,
        "shortlink": shortlink,
    }
    return NewEvent(COMMS_PUBLISHED, payload)


def oncall_paged(
    action: str,
    *,
    outcome: str,
    ok: bool,
    message: str,
    http_status: int | None,
    attempts: Sequence[str],
    dedup_key: str,
) -> NewEvent:
    """On-call paged (`action` "trigger") or the page resolved ("resolve"), and how it ended."""
    payload = {
        "action": action,
        "outcome": outcome,
        "ok": ok,
        "message": message,
        "http_status": http_status,
        "attempts": list(attempts),
        "dedup_key": dedup_key,
    }
    return NewEvent(ONCALL_PAGED, payload)


def log_pinned(source: str, line: str, logged_at: datetime) -> NewEvent:
    """A log line kept on the timeline, which shows it when it was logged, not pinned."""
    payload = {"source": source, "line": line, "logged_at": logged_at.isoformat()}
    return NewEvent(LOG_PINNED, payload, at=logged_at)


def health_changed(
    target: str, old: str | None, new: str, *, status: int | None, reason: str
) -> NewEvent:
    payload = {"target": target, "from": old, "to": new, "status": status, "reason": reason}
    return NewEvent(HEALTH_CHANGED, payload)


def command_run(
    name: str,
    argv: Sequence[str],
    *,
    outcome: str,
    exit_code: int | None,
    summary: str,
    duration: float,
    output_head: str,
    output_tail: str,
    output_chars: int,
) -> NewEvent:
    """A command was run: `argv` as run with its secrets masked, `outcome` ("exited", "timed
    out", "cancelled", "not found", "failed"), the exit code when it exited, `summary` the
    sentence saying how it went, `duration` in seconds, and the first and last lines of
    what it printed (`output_chars` characters in all)."""
    payload = {
        "name": name,
        "argv": list(argv),
        "outcome": outcome,
        "exit_code": exit_code,
        "summary": summary,
        "duration": round(duration, 3),
        "output_head": output_head,
        "output_tail": output_tail,
        "output_chars": output_chars,
    }
    return NewEvent(COMMAND_RUN, payload)


def escalated(level: int) -> NewEvent:
    return NewEvent(ESCALATED, {"level": level})


def resolved() -> NewEvent:
    return NewEvent(RESOLVED, {})


def reopened() -> NewEvent:
    return NewEvent(REOPENED, {})


def renamed(title: str) -> NewEvent:
    """The incident's title (and so every `{description}`) is `title` from now on."""
    return NewEvent(RENAMED, {"title": title})


def acknowledged() -> NewEvent:
    """The actor is responding to the incident: what its response target measures."""
    return NewEvent(ACKNOWLEDGED, {})


def postmortem_field_set(field: str, text: str) -> NewEvent:
    """A post-mortem section only a person can write (`actions.POSTMORTEM_WRITTEN`); the last
    one recorded for a field is the text in force."""
    return NewEvent(POSTMORTEM_FIELD_SET, {"field": field, "text": text})


def action_added(text: str, *, owner: str = "", due: datetime | None = None) -> NewEvent:
    payload = {"text": text, "owner": owner, "due": _iso(due) if due is not None else None}
    return NewEvent(ACTION_ADDED, payload)


def action_assigned(
    item: str, *, owner: str | None = None, due: datetime | None = None
) -> NewEvent:
    """Action item `item` gets `owner` and/or `due`; what is not given stays as it was."""
    payload: dict[str, Any] = {"item": item}
    if owner is not None:
        payload["owner"] = owner
    if due is not None:
        payload["due"] = _iso(due)
    return NewEvent(ACTION_ASSIGNED, payload)


def action_done(item: str) -> NewEvent:
    return NewEvent(ACTION_DONE, {"item": item})


def action_reopened(item: str) -> NewEvent:
    return NewEvent(ACTION_REOPENED, {"item": item})
