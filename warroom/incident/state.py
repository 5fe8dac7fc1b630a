"""The shape of an incident's state, and the corrections every reading of its events applies.

Nothing here does I/O or knows about SQLite or Textual: `warroom.incident.fold` builds an
`IncidentState` from the events, and the UI, the CLI and the post-mortem export all read it.
Edits and retractions are themselves events that point at an earlier one by `target_seq`, so
the original is never lost; `corrections` says what they change before anything else looks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from warroom.incident.actions import ActionItem
from warroom.incident.events import (
    DECLARED,
    ENTRY_EDITED,
    ENTRY_RETRACTED,
    RENAMED,
    REOPENED,
    RESOLVED,
    SEVERITY_CHANGED,
    Event,
    parse_time,
)
from warroom.playbook import KeyMoment

META_KINDS = frozenset({ENTRY_EDITED, ENTRY_RETRACTED})
"""Edits and retractions change other entries; they are not timeline entries themselves."""


class TimelineEntry(NamedTuple):
    """One line of the timeline: an event as it reads after every edit to it."""

    seq: int
    at: datetime
    """Effective time: the event's own, or the one an edit gave it (for moment.set, the moment)."""
    kind: str
    actor: str
    text: str
    """One readable line, e.g. "backend: up → down (503)", "Ticked: Logs analyzed"."""
    full_text: str
    """The same with every line kept: a note as written, or as its last edit has it."""
    edited: bool
    moment: KeyMoment | None
    """The key moment this entry sets, if any."""
    event: Event
    """The event as first recorded."""


class IncidentState(NamedTuple):
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
    """Time of the last comms.copied, or status-page publish that succeeded."""
    escalation_level: int
    """The current rung of the escalation ladder, starting at 1."""
    escalated_at: datetime | None
    """When the current escalation level was reached; None while still at level 1."""
    first_response_at: datetime | None
    """The first response (see `warroom.incident.clocks.ResponseClock`): an acknowledgement
    or a checklist tick, never a note, which scripts write too."""
    first_response_by: str | None
    """Who gave the first response."""
    health: Mapping[str, str]
    """target -> the state the incident last recorded for it (health.changed)."""
    timeline: tuple[TimelineEntry, ...]
    """Retracted entries left out, in time order."""
    timeline_epoch: int
    """Changes whenever entries other than the newest changed (an edit, a retraction, an
    entry that belongs before the end); while it stays the same, a longer timeline is the
    previous one with entries appended, so a view can append instead of rebuilding."""
    marks: Mapping[int, tuple[KeyMoment, ...]]
    """seq -> the key moments that rest on that timeline entry (see `fold.moment_marks`)."""
    postmortem: Mapping[str, str] = MappingProxyType({})
    """Post-mortem sections a person wrote (`actions.POSTMORTEM_WRITTEN`): the last text each."""
    actions: tuple[ActionItem, ...] = ()
    """Action items: those added, then the playbook's post-incident ones once resolved."""
    status_page_id: str = ""
    """The Statuspage incident this one was published as (`comms.published`); "" before
    the first publish that succeeded: the next one creates it, the ones after update it."""
    status_page_link: str = ""
    """That incident's public shortlink, when the API gave one."""
    oncall_paged: bool = False
    """On-call was paged (`oncall.paged` trigger accepted) and the page not resolved since."""
    status_page_unconfirmed: bool = False
    """A create got no answer and none succeeded since: it may exist there, so the next
    publish looks it up before creating one."""

    @property
    def is_open(self) -> bool:
        """True until the incident is resolved (and again after a reopen)."""
        return self.status == "open"


class IncidentError(ValueError):
    """The events do not describe an incident (e.g. the first one is not a declaration)."""


HEADLINE_KINDS = (
    DECLARED,
    SEVERITY_CHANGED,
    RESOLVED,
    REOPENED,
    ENTRY_RETRACTED,
    ENTRY_EDITED,
    RENAMED,
)
"""The only kinds `headline`, `declared_at` and `title` read: a store can pass just these."""


def headline(events: Sequence[Event]) -> tuple[str, Literal["open", "resolved"]]:
    """Current severity and status, by the same rules as `derive` (retractions included)
    but without a playbook, so a store can keep them on the incident for listing."""
    retracted, _ = corrections(events)
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


def declared_at(events: Sequence[Event]) -> datetime | None:
    """When the incident was declared, after any edit of the declaration's time (the same
    time the fold gives the state), so a store can keep it on the incident for listing."""
    declaration = next((event for event in events if event.kind == DECLARED), None)
    if declaration is None:
        return None
    edited = corrections(events)[1].get(declaration.seq, {}).get("at")
    return edited if isinstance(edited, datetime) else declaration.at


def title(events: Sequence[Event]) -> str:
    """The incident's title after every rename that is not retracted (the same title the
    fold gives the state), so a store can keep it on the incident for listing."""
    retracted, _ = corrections(events)
    current = ""
    for event in events:
        if event.seq not in retracted and event.kind in (DECLARED, RENAMED):
            current = renamed_title(event, current)
    return current


def renamed_title(event: Event, current: str) -> str:
    """The title after a declaration or rename `event`; a blank one changes nothing."""
    given = str(event.payload.get("title", "")).strip()
    return given or current


def corrections(events: Sequence[Event]) -> tuple[set[int], dict[int, dict[str, Any]]]:
    """Which seqs are retracted, and the latest edited text/time for each edited seq.

    Only entries (not edits or retractions themselves) can be corrected, and the declaration
    cannot be retracted: an incident without one would have no id, title or start.
    """
    kinds = {event.seq: event.kind for event in events}
    retracted: set[int] = set()
    edits: dict[int, dict[str, Any]] = {}
    for event in events:
        target = event.payload.get("target_seq")
        if not isinstance(target, int) or kinds.get(target) in (None, *META_KINDS):
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
