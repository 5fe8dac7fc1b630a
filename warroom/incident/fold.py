"""Folding an incident's events into its state: all at once (`derive`) or one at a time.

A long incident (health flaps, pins, notes, commands) holds tens of thousands of events, and
every one that arrives must reach the screen within a frame. `IncidentFold` keeps the running
state, so a new event costs the same at event 50,000 as at event 5. Only a correction (an edit
or a retraction of an earlier entry) changes what earlier events mean; the caller folds anew
from the start for those, which is what `derive` does.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from warroom.incident.actions import ACTION_KINDS, ActionBook
from warroom.incident.entries import item_moment, timeline_entry
from warroom.incident.events import (
    ACKNOWLEDGED,
    COMMS_COPIED,
    COMMS_PUBLISHED,
    DECLARED,
    ESCALATED,
    FIELD_SET,
    HEALTH_CHANGED,
    ITEM_TICKED,
    ITEM_UNTICKED,
    MOMENT_SET,
    ONCALL_PAGED,
    POSTMORTEM_FIELD_SET,
    RENAMED,
    REOPENED,
    RESOLVED,
    ROLE_ASSIGNED,
    SEVERITY_CHANGED,
    Event,
    parse_time,
)
from warroom.incident.state import (
    META_KINDS,
    IncidentError,
    IncidentState,
    TimelineEntry,
    corrections,
    renamed_title,
)
from warroom.playbook import KEY_MOMENTS, KeyMoment, Playbook

RESPONSE_KINDS = frozenset({ACKNOWLEDGED, ITEM_TICKED})
"""What counts as responding to the incident (`clocks.ResponseClock` says why)."""

_EPOCHS = itertools.count(1)
"""Timeline epochs, unique across folds: a fold started over never repeats one."""


def derive(events: Sequence[Event], playbook: Playbook) -> IncidentState:
    """Fold an incident's events (in seq order) into its current state."""
    return IncidentFold.from_events(events, playbook).state()


class IncidentFold:
    """An incident's state as of the events applied so far, one event at a time.

    `apply` takes timeline events in seq order; corrections (`META_KINDS`) are not applied
    here but passed to the constructor as `edits` of a fold that starts over.
    """

    def __init__(self, playbook: Playbook, *, edits: Mapping[int, Mapping[str, Any]]) -> None:
        """`edits`: seq -> the latest edited text/time of that entry (`state.corrections`)."""
        self._playbook = playbook
        self._edits = edits
        self._declaration: Event | None = None
        self._declared_at: datetime | None = None
        self.last_seq = 0
        """The newest event applied (0 before any)."""
        self._severity = ""
        self._status: Literal["open", "resolved"] = "open"
        self._resolved_at: datetime | None = None
        self._ticked: dict[str, Event] = {}
        self._tick_times: dict[str, datetime] = {}
        self._hand_moments: dict[KeyMoment, datetime | None] = {}
        self._fields: dict[str, str] = {}
        self._roles: dict[str, str] = {}
        self._last_status_update: datetime | None = None
        self._status_page = ("", "", False)  # id, shortlink, unconfirmed
        self._paged = False
        self._escalation_level = 1
        self._escalated_at: datetime | None = None
        self._first_response_at: datetime | None = None
        self._first_response_by: str | None = None
        self._title = ""
        self._health: dict[str, str] = {}
        self._book = ActionBook()
        self._entries: list[TimelineEntry] = []
        self._order: list[tuple[datetime, int]] = []
        self._epoch = next(_EPOCHS)
        self._shown: set[int] = set()
        # The few entries a key moment can rest on, so marking them never walks the timeline;
        # the marks are counted again only when those entries or the moments changed.
        self._moment_entries: list[TimelineEntry] = []
        self._marks: tuple[dict[KeyMoment, datetime], Mapping[int, tuple[KeyMoment, ...]]] | None
        self._marks = None

    @classmethod
    def from_events(cls, events: Sequence[Event], playbook: Playbook) -> IncidentFold:
        """A fold of all of an incident's events (in seq order), corrections applied."""
        if not events or events[0].kind != DECLARED:
            raise IncidentError("an incident's events must start with incident.declared")
        retracted, edits = corrections(events)
        fold = cls(playbook, edits=edits)
        for event in events:
            if event.kind not in META_KINDS and event.seq not in retracted:
                fold.apply(event)
        return fold

    def apply(self, event: Event) -> None:
        """Take in the next event (a higher seq than any applied; not a correction)."""
        if event.seq <= self.last_seq or event.kind in META_KINDS:
            raise IncidentError(f"event {event.seq} cannot be folded in after {self.last_seq}")
        if self._declaration is None and event.kind != DECLARED:
            raise IncidentError("an incident's events must start with incident.declared")
        self.last_seq = event.seq
        edit = self._edits.get(event.seq)
        edited_at = edit.get("at") if edit is not None else None
        at = edited_at if isinstance(edited_at, datetime) else event.at
        self._apply_to_state(event, at)
        # A response is a person's act no script performs (a note may come from a bot's
        # `warroom note`): see `clocks.ResponseClock`.
        if event.kind in RESPONSE_KINDS and (
            self._first_response_at is None or at < self._first_response_at
        ):
            self._first_response_at, self._first_response_by = at, event.actor
        self._add_entry(timeline_entry(event, at, edit, self._playbook))

    def _apply_to_state(self, event: Event, at: datetime) -> None:
        payload = event.payload
        kind = event.kind
        if kind == DECLARED:
            if self._declaration is None:
                self._declaration, self._declared_at = event, at
                self._severity = str(payload.get("severity", ""))
                self._title = renamed_title(event, "")
        elif kind == RENAMED:
            self._title = renamed_title(event, self._title)
            # The title is the description: a rename wins over one set as a field before.
            self._fields.pop("description", None)
        elif kind == SEVERITY_CHANGED:
            self._severity = str(payload.get("to", self._severity))
        elif kind == ITEM_TICKED:
            item_id = str(payload.get("item_id", ""))
            self._ticked[item_id] = event
            self._tick_times[item_id] = at
        elif kind == ITEM_UNTICKED:
            item_id = str(payload.get("item_id", ""))
            self._ticked.pop(item_id, None)
            self._tick_times.pop(item_id, None)
        elif kind == MOMENT_SET:
            moment = payload.get("moment")
            if moment in KEY_MOMENTS:
                self._hand_moments[moment] = parse_time(payload.get("at"))
        elif kind == ROLE_ASSIGNED:
            role, name = str(payload.get("role", "")), str(payload.get("name", "")).strip()
            if name:
                self._roles[role] = name
            else:
                self._roles.pop(role, None)
        elif kind == FIELD_SET:
            self._fields[str(payload.get("name", ""))] = str(payload.get("value", ""))
        elif kind == COMMS_COPIED:
            self._status_update_at(at)
        elif kind == COMMS_PUBLISHED and payload.get("target") == "statuspage":
            self._status_page_published(payload, at)
        elif kind == ONCALL_PAGED and payload.get("ok") is True:
            self._paged = payload.get("action") == "trigger"
        elif kind == ESCALATED:
            level = payload.get("level")
            self._escalation_level = level if isinstance(level, int) else self._escalation_level + 1
            self._escalated_at = at
        elif kind == HEALTH_CHANGED:
            self._health[str(payload.get("target", ""))] = str(payload.get("to", ""))
        elif kind == RESOLVED:
            self._status, self._resolved_at = "resolved", at
        elif kind == REOPENED:
            self._status, self._resolved_at = "open", None
        elif kind == POSTMORTEM_FIELD_SET or kind in ACTION_KINDS:
            self._book.apply(event, at)

    def _status_update_at(self, at: datetime) -> None:
        if self._last_status_update is None or at > self._last_status_update:
            self._last_status_update = at

    def _status_page_published(self, payload: Mapping[str, Any], at: datetime) -> None:
        remote_id, link, unconfirmed = self._status_page
        if payload.get("ok") is True:
            self._status_update_at(at)
            remote_id = str(payload.get("remote_id") or remote_id)
            link = str(payload.get("shortlink") or link)
            unconfirmed = False
        elif payload.get("outcome") in ("timed out", "no answer") and not remote_id:
            unconfirmed = True
        self._status_page = (remote_id, link, unconfirmed)

    def _add_entry(self, entry: TimelineEntry) -> None:
        key = (entry.at, entry.seq)
        if not self._order or key > self._order[-1]:
            self._order.append(key)
            self._entries.append(entry)
        else:
            # It happened before the newest entry (a pin of an older line, a time given by
            # hand): it goes where it belongs, and views must redraw rather than append.
            index = bisect.bisect(self._order, key)
            self._order.insert(index, key)
            self._entries.insert(index, entry)
            self._epoch = next(_EPOCHS)
        self._shown.add(entry.seq)
        if entry.moment is not None or entry.kind == RESOLVED:
            self._moment_entries.append(entry)
            self._marks = None

    def state(self) -> IncidentState:
        """The state as of the last event applied."""
        declaration, declared_at = self._declaration, self._declared_at
        if declaration is None or declared_at is None:
            raise IncidentError("an incident's events must start with incident.declared")
        moments = _moments(
            self._ticked, self._tick_times, self._hand_moments, self._resolved_at, self._playbook
        )
        return IncidentState(
            id=declaration.incident_id,
            title=self._title,
            severity=self._severity,
            declared_at=declared_at,
            declared_by=declaration.actor,
            status=self._status,
            resolved_at=self._resolved_at,
            # Copies: a state handed out must not change as later events are applied.
            ticked=MappingProxyType(dict(self._ticked)),
            moments=MappingProxyType(moments),
            fields=MappingProxyType(dict(self._fields)),
            roles=MappingProxyType(dict(self._roles)),
            last_status_update=self._last_status_update,
            escalation_level=self._escalation_level,
            escalated_at=self._escalated_at,
            first_response_at=self._first_response_at,
            first_response_by=self._first_response_by,
            health=MappingProxyType(dict(self._health)),
            timeline=tuple(self._entries),
            timeline_epoch=self._epoch,
            marks=self._marks_for(moments),
            postmortem=MappingProxyType(dict(self._book.postmortem)),
            actions=self._book.items(self._playbook, self._resolved_at),
            status_page_id=self._status_page[0],
            status_page_link=self._status_page[1],
            status_page_unconfirmed=self._status_page[2],
            oncall_paged=self._paged,
        )

    def _marks_for(self, moments: dict[KeyMoment, datetime]) -> Mapping[int, tuple[KeyMoment, ...]]:
        if self._marks is None or self._marks[0] != moments:
            marks = moment_marks(self._moment_entries, moments, self._shown)
            self._marks = (moments, MappingProxyType(marks))
        return self._marks[1]


def moment_marks(
    candidates: Sequence[TimelineEntry],
    moments: Mapping[KeyMoment, datetime],
    shown: set[int] | frozenset[int],
) -> dict[int, tuple[KeyMoment, ...]]:
    """seq -> the key moments that currently rest on that entry.

    `candidates` are the entries a moment can rest on (ticks that mean one, resolutions,
    moments set by hand) in seq order; `shown` the seqs still on the timeline. A moment rests
    on the tick (or resolution) that means it, unless set by hand; a hand-set one rests on the
    entry it was marked from (`target_seq`) while that is shown, else on the moment.set entry
    itself. Setting a moment again moves it off the earlier entry.
    """
    marks: dict[int, list[KeyMoment]] = {}
    # As in the fold, the moment.set recorded last (highest seq) is the one in force.
    by_hand: dict[KeyMoment, TimelineEntry] = {
        entry.moment: entry
        for entry in candidates
        if entry.kind == MOMENT_SET and entry.moment is not None
    }
    for entry in sorted(candidates, key=lambda entry: (entry.at, entry.seq)):
        moment = "resolved" if entry.kind == RESOLVED else entry.moment
        if moment is None or moments.get(moment) != entry.at:
            continue
        if entry.kind != MOMENT_SET:
            if moment not in by_hand:
                marks.setdefault(entry.seq, []).append(moment)
            continue
        if by_hand[moment] is not entry:
            continue
        # Marked from an entry still shown: the badge goes on that entry, where it happened.
        target = entry.event.payload.get("target_seq")
        seq = target if isinstance(target, int) and target in shown else entry.seq
        if moment not in marks.setdefault(seq, []):
            marks[seq].append(moment)
    return {seq: tuple(moments_here) for seq, moments_here in marks.items()}


def _moments(
    ticked: Mapping[str, Event],
    tick_times: Mapping[str, datetime],
    hand: Mapping[KeyMoment, datetime | None],
    resolved_at: datetime | None,
    playbook: Playbook,
) -> dict[KeyMoment, datetime]:
    moments: dict[KeyMoment, datetime] = {}
    for item_id in ticked:
        moment = item_moment(playbook, item_id)
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
