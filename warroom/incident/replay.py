"""Replay: an incident as it stood at a moment, and where that moment lies in the incident.

Review scrubs through a finished (or running) incident by time. What the war room showed at
time T is the fold of the events recorded up to T: a correction made later (an edit, a
retraction) was not there yet, so it is left out like any other later event.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from warroom.incident.events import HEALTH_CHANGED, Event
from warroom.incident.fold import derive
from warroom.incident.state import IncidentState
from warroom.playbook import KeyMoment, Playbook

MOMENT_LETTERS: Mapping[KeyMoment, str] = {
    "detected": "D",
    "identified": "I",
    "mitigated": "M",
    "resolved": "R",
}
"""How the position bar marks each key moment."""

CURSOR = "●"


def events_until(events: Sequence[Event], at: datetime) -> list[Event]:
    """The events recorded at or before `at`, in seq order."""
    return [event for event in events if event.at <= at]


def state_at(events: Sequence[Event], playbook: Playbook, at: datetime) -> IncidentState:
    """The incident as it stood at `at` (never before its declaration: that is its first state)."""
    until = events_until(events, at)
    return derive(until or list(events[:1]), playbook)


class RecordedHealth(NamedTuple):
    """A target's health as the incident last recorded it (`health.changed`)."""

    state: str
    since: datetime
    status: int | None
    reason: str


def recorded_health(events: Sequence[Event], at: datetime) -> dict[str, RecordedHealth]:
    """target -> its last recorded health change at or before `at`."""
    found: dict[str, RecordedHealth] = {}
    for event in events:
        if event.kind != HEALTH_CHANGED or event.at > at:
            continue
        payload = event.payload
        status = payload.get("status")
        found[str(payload["target"])] = RecordedHealth(
            state=str(payload["to"]),
            since=event.at,
            status=status if isinstance(status, int) else None,
            reason=str(payload.get("reason") or ""),
        )
    return found


LogLine = tuple[datetime, str, str]
"""An archived log line: when it was logged, its source, the line."""


def lines_until(lines: Sequence[LogLine], at: datetime) -> Sequence[LogLine]:
    """The archived lines (oldest first) logged at or before `at`."""
    return lines[: bisect.bisect_right(lines, at, key=lambda line: line[0])]


def event_times(events: Sequence[Event]) -> list[datetime]:
    """The distinct times events were recorded at, earliest first."""
    return sorted({event.at for event in events})


def step_event(times: Sequence[datetime], at: datetime, direction: int) -> datetime:
    """The next (`direction` > 0) or previous event time from `at`; `at` at either end."""
    if not times:
        return at
    if direction > 0:
        index = bisect.bisect_right(times, at)
        return times[index] if index < len(times) else times[-1]
    index = bisect.bisect_left(times, at) - 1
    return times[index] if index >= 0 else times[0]


def clamp(at: datetime, start: datetime, end: datetime) -> datetime:
    """`at`, kept between the declaration and the end of the incident."""
    return max(start, min(at, end))


def jump(at: datetime, by: timedelta, start: datetime, end: datetime) -> datetime:
    """`at` moved by `by`, kept within the incident."""
    return clamp(at + by, start, end)


def position_bar(
    start: datetime,
    end: datetime,
    at: datetime,
    moments: Mapping[KeyMoment, datetime],
    *,
    width: int,
) -> str:
    """One line of `width` cells: the incident from declared to `end`, each recorded key moment
    as its letter, and the replay position as a dot (over a moment at the same cell).

    e.g. `├──D────I──●───M──R┤`.
    """
    inner = max(width - 2, 1)
    cells = ["─"] * inner
    span = (end - start).total_seconds()

    def cell(when: datetime) -> int:
        if span <= 0:
            return inner - 1
        fraction = (clamp(when, start, end) - start).total_seconds() / span
        return min(int(fraction * inner), inner - 1)

    for moment, when in sorted(moments.items(), key=lambda item: item[1]):
        cells[cell(when)] = MOMENT_LETTERS[moment]
    cells[cell(at)] = CURSOR
    return "├" + "".join(cells) + "┤"
