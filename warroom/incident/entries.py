"""How each event reads on the timeline: one line of text, and the key moment it sets.

Pure: the playbook gives item and rung names; nothing here knows about storage or screens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from warroom.incident.actions import describe_action
from warroom.incident.events import (
    ACKNOWLEDGED,
    COMMAND_RUN,
    COMMS_COPIED,
    COMMS_PUBLISHED,
    DECLARED,
    ESCALATED,
    FIELD_SET,
    HEALTH_CHANGED,
    ITEM_TICKED,
    ITEM_UNTICKED,
    LOG_PINNED,
    MOMENT_SET,
    NOTE_ADDED,
    ONCALL_PAGED,
    RENAMED,
    REOPENED,
    RESOLVED,
    ROLE_ASSIGNED,
    SEVERITY_CHANGED,
    Event,
    parse_time,
)
from warroom.incident.state import TimelineEntry
from warroom.playbook import KEY_MOMENTS, KeyMoment, Playbook


def item_moment(playbook: Playbook, item_id: str) -> KeyMoment | None:
    """The key moment ticking `item_id` means, if any (None for an item since removed)."""
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


def timeline_entry(
    event: Event, at: datetime, edit: Mapping[str, Any] | None, playbook: Playbook
) -> TimelineEntry:
    """The timeline line for `event` at its effective time `at`, with its latest `edit`."""
    moment: KeyMoment | None = None
    if event.kind == ITEM_TICKED:
        moment = item_moment(playbook, str(event.payload.get("item_id", "")))
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
        full_text=text,
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
    if kind == COMMS_PUBLISHED:
        where = {"statuspage": "status page", "chat": "chat"}.get(str(p.get("target")), "?")
        link = f" {p['shortlink']}" if p.get("shortlink") else ""
        if p.get("ok"):
            return f"Published {p.get('template', '?')} to the {where}{link}"
        return f"Publishing {p.get('template', '?')} to the {where} failed: {p.get('message', '')}"
    if kind == ONCALL_PAGED:
        trigger = p.get("action") == "trigger"
        if p.get("ok"):
            what = "Paged on-call" if trigger else "Resolved the page"
            return f"{what} (PagerDuty, {p.get('dedup_key', '?')})"
        what = "Paging on-call" if trigger else "Resolving the page"
        return f"{what} failed: {p.get('message', '')}"
    if kind == LOG_PINNED:
        return f"Pinned [{p.get('source', '?')}] {p.get('line', '')}"
    if kind == HEALTH_CHANGED:
        reason = f" ({p['reason']})" if p.get("reason") else ""
        return f"{p.get('target', '?')}: {p.get('from', '?')} → {p.get('to', '?')}{reason}"
    if kind == COMMAND_RUN:
        how = p.get("summary") or f"exit {p.get('exit_code', '?')}"
        return f"Ran {p.get('name', '?')}: {how}"
    if kind == ESCALATED:
        level = p.get("level", "?")
        names = {rung.level: rung.name for rung in playbook.escalation}
        rung = names.get(level) if isinstance(level, int) else None
        return f"Escalated to level {level}" + (f": {rung}" if rung else "")
    if kind == RESOLVED:
        return "Incident resolved"
    if kind == REOPENED:
        return "Incident reopened"
    if kind == RENAMED:
        return f"Renamed: {p.get('title', '')}"
    if kind == ACKNOWLEDGED:
        return f"Acknowledged by {event.actor}"
    action = describe_action(event)
    if action is not None:
        return action
    return f"{kind} {json.dumps(dict(p), sort_keys=True, default=str)}"


def _one_line(text: str) -> str:
    # The timeline is one row per entry; a multi-line note keeps its breaks visible.
    return " ⏎ ".join(part.strip() for part in text.strip().splitlines()) if "\n" in text else text
