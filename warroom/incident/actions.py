"""Action items and the post-mortem sections a person writes, folded from their events.

Two sorts of action item: those added by someone (`action.added`, during the incident or
after; keys "1", "2", … in the order added) and the playbook's post-incident actions, due
within each stage's deadline of the resolution (keys "p1", "p2", … in playbook order). The
playbook's are derived, not recorded when the incident is resolved: resolving happens in the
war room, on the command line and again after a reopen, and a derived item follows the latest
resolution without any writer having to remember to create it (or not to twice). Assigning,
finishing and reopening are events on the key, so derived items are marked done like the rest.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from warroom.incident.events import (
    ACTION_ADDED,
    ACTION_ASSIGNED,
    ACTION_DONE,
    ACTION_REOPENED,
    POSTMORTEM_FIELD_SET,
    Event,
    parse_time,
)
from warroom.playbook import Playbook

POSTMORTEM_WRITTEN: dict[str, str] = {
    "impact": "Impact",
    "root_cause": "Root cause",
    "went_well": "What went well",
    "went_wrong": "What went wrong",
    "lessons": "Lessons learned",
}
"""The post-mortem sections only a person can write (`postmortem.field_set`), with their
names as people read them. `impact` says who could not do what: how many users, how long."""

ACTION_KINDS = frozenset({ACTION_ADDED, ACTION_ASSIGNED, ACTION_DONE, ACTION_REOPENED})
PLAYBOOK_PREFIX = "p"


class ActionItem(NamedTuple):
    """One thing to do after (or during) the incident."""

    key: str
    """"1", "2", … for added items; "p1", … for the playbook's post-incident actions."""
    text: str
    owner: str
    due: datetime | None
    done: bool
    done_at: datetime | None
    done_by: str
    stage: str
    """The playbook's post-incident stage ("Immediate") for derived items; "" for added ones."""

    def overdue(self, now: datetime) -> bool:
        """Still to do and past its due date."""
        return not self.done and self.due is not None and self.due < now


@dataclass
class _Record:
    text: str = ""
    owner: str = ""
    due: datetime | None = None
    done_at: datetime | None = None
    done_by: str = ""


class ActionBook:
    """The running state of an incident's action items and written post-mortem sections."""

    def __init__(self) -> None:
        self._added: list[str] = []
        self._records: dict[str, _Record] = {}
        self.postmortem: dict[str, str] = {}

    def apply(self, event: Event, at: datetime) -> None:
        """Take in a post-mortem or action event (any other kind is ignored)."""
        payload = event.payload
        if event.kind == POSTMORTEM_FIELD_SET:
            self.postmortem[str(payload.get("field", ""))] = str(payload.get("text", ""))
        elif event.kind == ACTION_ADDED:
            key = str(len(self._added) + 1)
            self._added.append(key)
            self._records[key] = _Record(
                text=str(payload.get("text", "")),
                owner=str(payload.get("owner") or ""),
                due=parse_time(payload.get("due")),
            )
        elif event.kind in (ACTION_ASSIGNED, ACTION_DONE, ACTION_REOPENED):
            self._change(event, at, payload)

    def _change(self, event: Event, at: datetime, payload: Mapping[str, Any]) -> None:
        record = self._records.setdefault(str(payload.get("item", "")), _Record())
        if event.kind == ACTION_ASSIGNED:
            if "owner" in payload:
                record.owner = str(payload.get("owner") or "")
            due = parse_time(payload.get("due"))
            if due is not None:
                record.due = due
        elif event.kind == ACTION_DONE:
            record.done_at, record.done_by = at, event.actor
        else:
            record.done_at, record.done_by = None, ""

    def items(self, playbook: Playbook, resolved_at: datetime | None) -> tuple[ActionItem, ...]:
        """Added items in the order added, then the playbook's, due from `resolved_at` (none
        while the incident is open)."""
        items = [self._item(key, self._records[key], "") for key in self._added]
        if resolved_at is not None:
            for key, stage, text, within in playbook_actions(playbook):
                record = self._records.get(key, _Record())
                derived = _Record(text, record.owner, record.due or resolved_at + within)
                derived.done_at, derived.done_by = record.done_at, record.done_by
                items.append(self._item(key, derived, stage))
        return tuple(items)

    @staticmethod
    def _item(key: str, record: _Record, stage: str) -> ActionItem:
        return ActionItem(
            key=key,
            text=record.text,
            owner=record.owner,
            due=record.due,
            done=record.done_at is not None,
            done_at=record.done_at,
            done_by=record.done_by,
            stage=stage,
        )


def playbook_actions(playbook: Playbook) -> list[tuple[str, str, str, timedelta]]:
    """(key, stage name, text, within) of every post-incident action, in playbook order."""
    found: list[tuple[str, str, str, timedelta]] = []
    for stage in playbook.post_incident:
        for text in stage.items:
            found.append((f"{PLAYBOOK_PREFIX}{len(found) + 1}", stage.name, text, stage.within))
    return found


def describe_action(event: Event) -> str | None:
    """How a post-mortem or action event reads on the timeline; None for other kinds."""
    p = event.payload
    if event.kind == POSTMORTEM_FIELD_SET:
        field = str(p.get("field", "?"))
        return f"Post-mortem: {POSTMORTEM_WRITTEN.get(field, field)} written"
    if event.kind == ACTION_ADDED:
        owner = f" (owner {p['owner']})" if p.get("owner") else ""
        return f"Action item added: {p.get('text', '')}{owner}"
    if event.kind == ACTION_ASSIGNED:
        owner = f" to {p['owner']}" if p.get("owner") else ""
        due_at = parse_time(p.get("due"))
        due = f", due {due_at:%Y-%m-%d %H:%M} UTC" if due_at is not None else ""
        return f"Action item {p.get('item', '?')} assigned{owner}{due}"
    if event.kind == ACTION_DONE:
        return f"Action item {p.get('item', '?')} done"
    if event.kind == ACTION_REOPENED:
        return f"Action item {p.get('item', '?')} reopened"
    return None
