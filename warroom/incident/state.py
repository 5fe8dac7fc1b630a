"""The state of an incident, derived from its events by pure functions.

Nothing here does I/O or knows about SQLite or Textual: `derive` folds the events into an
`IncidentState`, which the UI, the CLI and the post-mortem export all read. Edits and
retractions are themselves events that point at an earlier one by `target_seq`, so the
original is never lost; `derive` applies them before anything else looks at the events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from warroom.incident.events import (
    COMMAND_RUN,
    COMMS_COPIED,
    DECLARED,
    ENTRY_EDITED,
    ENTRY_RETRACTED,
    ESCALATED,
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
    SEVERITY_CHANGED,
    Event,
    parse_time,
)
from warroom.playbook import KEY_MOMENTS, KeyMoment, Playbook

# Edits and retractions change other entries; they are not timeline entries themselves.
_META_KINDS = frozenset({ENTRY_EDITED, ENTRY_RETRACTED})


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline: an event as it reads after every edit to it."""

    seq: int
    at: datetime
    """Effective time: the event's own, or the one an edit gave it (for moment.set, the moment)."""
    kind: str
    actor: str
    text: str
    """One readable line, e.g. "backend: up → down (503)", "Ticked: Logs analyzed"."""
    edited: bool
    moment: KeyMoment | None
    """The key moment this entry sets, if any."""
    event: Event
    """The event as first recorded."""


@dataclass(frozen=True)
class IncidentState:
    """Everything the war room shows about an incident, derived from its events."""

    id: str
    title: str
    severity: str
    declared_at: datetime
    declared_by: str
    status: Literal["open", "resolved"]
    resolved_at: datetime | None
    ticked: Mapping[str, Event]
    """item_id -> the tick event still in force."""
    moments: Mapping[KeyMoment, datetime]
    """Key moments: from ticked items that mean one, overridden by moment.set; "resolved"
    falls back to the time the incident was resolved."""
    fields: Mapping[str, str]
    """Template placeholders remembered via field.set."""
    roles: Mapping[str, str]
    """commander, scribe, comms -> name."""
    last_status_update: datetime | None
    """Time of the last comms.copied."""
    escalation_level: int
    """The current rung of the escalation ladder, starting at 1."""
    escalated_at: datetime | None
    """When the current escalation level was reached; None while still at level 1."""
    first_response_at: datetime | None
    """The first tick or note after declaration: what the severity's response time measures."""
    health: Mapping[str, str]
    """target -> the state the incident last recorded for it (health.changed)."""
    timeline: tuple[TimelineEntry, ...]
    """Retracted entries left out, in time order."""

    @property
    def is_open(self) -> bool:
        """True until the incident is resolved (and again after a reopen)."""
        return self.status == "open"


class IncidentError(ValueError):
    """The events do not describe an incident (e.g. the first one is not a declaration)."""


def derive(events: Sequence[Event], playbook: Playbook) -> IncidentState:
    """Fold an incident's events (in seq order) into its current state."""
    if not events or events[0].kind != DECLARED:
        raise IncidentError("an incident's events must start with incident.declared")
    retracted, edits = _corrections(events)
    declaration = events[0]

    def effective_at(event: Event) -> datetime:
        edited_at = edits.get(event.seq, {}).get("at")
        return edited_at if isinstance(edited_at, datetime) else event.at

    severity = str(declaration.payload.get("severity", ""))
    status: Literal["open", "resolved"] = "open"
    resolved_at: datetime | None = None
    ticked: dict[str, Event] = {}
    tick_times: dict[str, datetime] = {}
    hand_moments: dict[KeyMoment, datetime | None] = {}
    fields: dict[str, str] = {}
    roles: dict[str, str] = {}
    last_status_update: datetime | None = None
    escalation_level = 1
    escalated_at: datetime | None = None
    first_response_at: datetime | None = None
    health: dict[str, str] = {}
    entries: list[TimelineEntry] = []

    for event in events:
        if event.kind in _META_KINDS or event.seq in retracted:
            continue
        at = effective_at(event)
        payload = event.payload
        kind = event.kind
        if kind == SEVERITY_CHANGED:
            severity = str(payload.get("to", severity))
        elif kind == ITEM_TICKED:
            item_id = str(payload.get("item_id", ""))
            ticked[item_id] = event
            tick_times[item_id] = at
        elif kind == ITEM_UNTICKED:
            item_id = str(payload.get("item_id", ""))
            ticked.pop(item_id, None)
            tick_times.pop(item_id, None)
        elif kind == MOMENT_SET:
            moment = payload.get("moment")
            if moment in KEY_MOMENTS:
                hand_moments[moment] = parse_time(payload.get("at"))
        elif kind == ROLE_ASSIGNED:
            role, name = str(payload.get("role", "")), str(payload.get("name", "")).strip()
            if name:
                roles[role] = name
            else:
                roles.pop(role, None)
        elif kind == FIELD_SET:
            fields[str(payload.get("name", ""))] = str(payload.get("value", ""))
        elif kind == COMMS_COPIED:
            if last_status_update is None or at > last_status_update:
                last_status_update = at
        elif kind == ESCALATED:
            level = payload.get("level")
            escalation_level = level if isinstance(level, int) else escalation_level + 1
            escalated_at = at
        elif kind == HEALTH_CHANGED:
            health[str(payload.get("target", ""))] = str(payload.get("to", ""))
        elif kind == RESOLVED:
            status, resolved_at = "resolved", at
        elif kind == REOPENED:
            status, resolved_at = "open", None
        if kind in (ITEM_TICKED, NOTE_ADDED) and (
            first_response_at is None or at < first_response_at
        ):
            first_response_at = at
        entries.append(_entry(event, at, edits.get(event.seq), playbook))

    moments = _moments(ticked, tick_times, hand_moments, resolved_at, playbook)
    entries.sort(key=lambda entry: (entry.at, entry.seq))
    return IncidentState(
        id=declaration.incident_id,
        title=str(declaration.payload.get("title", "")),
        severity=severity,
        declared_at=effective_at(declaration),
        declared_by=declaration.actor,
        status=status,
        resolved_at=resolved_at,
        ticked=MappingProxyType(ticked),
        moments=MappingProxyType(moments),
        fields=MappingProxyType(fields),
        roles=MappingProxyType(roles),
        last_status_update=last_status_update,
        escalation_level=escalation_level,
        escalated_at=escalated_at,
        first_response_at=first_response_at,
        health=MappingProxyType(health),
        timeline=tuple(entries),
    )


HEADLINE_KINDS = (DECLARED, SEVERITY_CHANGED, RESOLVED, REOPENED, ENTRY_RETRACTED)
"""The only kinds `headline` reads: a store can pass just these events."""


def headline(events: Sequence[Event]) -> tuple[str, Literal["open", "resolved"]]:
    """Current severity and status, by the same rules as `derive` (retractions included)
    but without a playbook, so a store can keep them on the incident for listing."""
    retracted, _ = _corrections(events)
    severity = ""
    status: Literal["open", "resolved"] = "open"
    for event in events:
        if event.seq in retracted:
            continue
        if event.kind == DECLARED:
            severity = str(event.payload.get("severity", ""))
        elif event.kind == SEVERITY_CHANGED:
            severity = str(event.payload.get("to", severity))
        elif event.kind == RESOLVED:
            status = "resolved"
        elif event.kind == REOPENED:
            status = "open"
    return severity, status


def _corrections(events: Sequence[Event]) -> tuple[set[int], dict[int, dict[str, Any]]]:
    """Which seqs are retracted, and the latest edited text/time for each edited seq.

    Only entries (not edits or retractions themselves) can be corrected, and the declaration
    cannot be retracted: an incident without one would have no id, title or start.
    """
    kinds = {event.seq: event.kind for event in events}
    retracted: set[int] = set()
    edits: dict[int, dict[str, Any]] = {}
    for event in events:
        target = event.payload.get("target_seq")
        if not isinstance(target, int) or kinds.get(target) in (None, *_META_KINDS):
            continue
        if event.kind == ENTRY_RETRACTED and kinds[target] != DECLARED:
            retracted.add(target)
        elif event.kind == ENTRY_EDITED:
            edit = edits.setdefault(target, {})
            if isinstance(event.payload.get("text"), str):
                edit["text"] = event.payload["text"]
            at = parse_time(event.payload.get("at"))
            if at is not None:
                edit["at"] = at
    return retracted, edits


def _moments(
    ticked: Mapping[str, Event],
    tick_times: Mapping[str, datetime],
    hand: Mapping[KeyMoment, datetime | None],
    resolved_at: datetime | None,
    playbook: Playbook,
) -> dict[KeyMoment, datetime]:
    moments: dict[KeyMoment, datetime] = {}
    for item_id in ticked:
        moment = _item_moment(playbook, item_id)
        if moment is None:
            continue
        at = tick_times[item_id]
        # Several items may mean the same moment; the earliest tick is when it happened.
        if moment not in moments or at < moments[moment]:
            moments[moment] = at
    if resolved_at is not None:
        moments.setdefault("resolved", resolved_at)
    for moment, hand_at in hand.items():
        if hand_at is None:
            moments.pop(moment, None)
        else:
            moments[moment] = hand_at
    return {moment: moments[moment] for moment in KEY_MOMENTS if moment in moments}


def _item_moment(playbook: Playbook, item_id: str) -> KeyMoment | None:
    try:
        return playbook.item(item_id).moment
    except KeyError:
        return None


SEVERITY_ACTION_PREFIX = "severity:"
"""Item ids under which a severity's own actions are ticked: `severity:P0:1` is P0's first."""


def severity_action_id(level: str, number: int) -> str:
    """The item id for ticking severity `level`'s `number`th action (counted from 1)."""
    return f"{SEVERITY_ACTION_PREFIX}{level}:{number}"


def severity_action_text(playbook: Playbook, item_id: str) -> str | None:
    """The action a `severity:LEVEL:N` item id names, or None if it names none."""
    level, _, number = item_id.removeprefix(SEVERITY_ACTION_PREFIX).partition(":")
    if not item_id.startswith(SEVERITY_ACTION_PREFIX) or not number.isdigit():
        return None
    try:
        actions = playbook.severity(level).actions
    except KeyError:
        return None
    index = int(number) - 1
    return actions[index] if 0 <= index < len(actions) else None


def _item_text(playbook: Playbook, item_id: str) -> str:
    try:
        return playbook.item(item_id).text
    except KeyError:
        pass
    action = severity_action_text(playbook, item_id)
    if action is not None:
        return f"{action} ({item_id.split(':')[1]})"
    return item_id  # an item since removed from the playbook still shows what was ticked


def _entry(
    event: Event, at: datetime, edit: Mapping[str, Any] | None, playbook: Playbook
) -> TimelineEntry:
    moment: KeyMoment | None = None
    if event.kind == ITEM_TICKED:
        moment = _item_moment(playbook, str(event.payload.get("item_id", "")))
    elif event.kind == MOMENT_SET and event.payload.get("moment") in KEY_MOMENTS:
        moment = event.payload["moment"]
        # A moment entered by hand belongs where it happened, not where it was typed.
        at = parse_time(event.payload.get("at")) or at
        if edit is not None and isinstance(edit.get("at"), datetime):
            at = edit["at"]
    text = edit["text"] if edit is not None and "text" in edit else describe(event, playbook)
    return TimelineEntry(
        seq=event.seq,
        at=at,
        kind=event.kind,
        actor=event.actor,
        text=_one_line(text),
        edited=edit is not None,
        moment=moment,
        event=event,
    )


def describe(event: Event, playbook: Playbook) -> str:
    """The readable line for an event as first recorded (before any edit)."""
    p = event.payload
    kind = event.kind
    if kind == DECLARED:
        return f"Declared {p.get('severity', '')}: {p.get('title', '')}"
    if kind == SEVERITY_CHANGED:
        return f"Severity {p.get('from', '?')} → {p.get('to', '?')}"
    if kind == ITEM_TICKED:
        return f"Ticked: {_item_text(playbook, str(p.get('item_id', '')))}"
    if kind == ITEM_UNTICKED:
        return f"Unticked: {_item_text(playbook, str(p.get('item_id', '')))}"
    if kind == NOTE_ADDED:
        return str(p.get("text", ""))
    if kind == MOMENT_SET:
        moment = str(p.get("moment", "?")).capitalize()
        return f"{moment} (set by hand)" if p.get("at") else f"{moment} cleared"
    if kind == ROLE_ASSIGNED:
        name = str(p.get("name", "")).strip()
        role = str(p.get("role", "?")).capitalize()
        return f"{role}: {name}" if name else f"{role}: unassigned"
    if kind == FIELD_SET:
        return f"Set {p.get('name', '?')}: {p.get('value', '')}"
    if kind == COMMS_COPIED:
        via = f" via {p['via']}" if p.get("via") else ""
        return f"Status text copied: {p.get('template', '?')}{via}"
    if kind == LOG_PINNED:
        return f"Pinned [{p.get('source', '?')}] {p.get('line', '')}"
    if kind == HEALTH_CHANGED:
        reason = f" ({p['reason']})" if p.get("reason") else ""
        return f"{p.get('target', '?')}: {p.get('from', '?')} → {p.get('to', '?')}{reason}"
    if kind == COMMAND_RUN:
        return f"Ran {p.get('name', '?')}: exit {p.get('exit_code', '?')}"
    if kind == ESCALATED:
        level = p.get("level", "?")
        names = {rung.level: rung.name for rung in playbook.escalation}
        rung = names.get(level) if isinstance(level, int) else None
        return f"Escalated to level {level}" + (f": {rung}" if rung else "")
    if kind == RESOLVED:
        return "Incident resolved"
    if kind == REOPENED:
        return "Incident reopened"
    return f"{kind} {json.dumps(dict(p), sort_keys=True, default=str)}"


def _one_line(text: str) -> str:
    # The timeline is one row per entry; a multi-line note keeps its breaks visible.
    return " ⏎ ".join(part.strip() for part in text.strip().splitlines()) if "\n" in text else text
