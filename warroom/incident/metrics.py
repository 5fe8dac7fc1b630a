"""The post-mortem's numbers, each with the sentence saying how it was computed.

Computed from the derived state and its timeline (edits and retractions applied, so a
corrected time counts as corrected). A moment nobody recorded is "not recorded", never a
guess: a wrong number in a post-mortem is worse than a missing one. An incident still open
is measured up to `now`, and says so.

Pure: no I/O, no clock (`now` is passed in).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import NamedTuple

from warroom.incident.clocks import response_clock
from warroom.incident.comms import duration_text
from warroom.incident.events import COMMS_COPIED, COMMS_PUBLISHED, HEALTH_CHANGED
from warroom.incident.state import IncidentState, TimelineEntry
from warroom.playbook import KeyMoment, Playbook

NOT_RECORDED = "not recorded"
STATUS_TEMPLATES = frozenset({"investigating", "identified", "monitoring", "resolved"})
"""The templates that are status-page updates (the e-mail is a follow-up, not an update)."""
DOWN = "down"


class Metric(NamedTuple):
    """One number of the post-mortem."""

    key: str
    """Stable id for scripts: "duration", "time_to_detect", "phase:Detection", "down:backend"."""
    label: str
    value: str
    """As a person reads it: "12 minutes", "met", "3", or `NOT_RECORDED`."""
    seconds: float | None
    """The duration measured, when the metric is one and it was recorded."""
    how: str
    """How it was computed, one sentence."""


def _span(span: timedelta) -> str:
    if span < timedelta(0):
        return f"-{duration_text(-span)}"
    if span < timedelta(minutes=1):
        seconds = int(span.total_seconds())
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    return duration_text(span)


def _duration_metric(key: str, label: str, span: timedelta | None, how: str) -> Metric:
    if span is None:
        return Metric(key, label, NOT_RECORDED, None, how)
    return Metric(key, label, _span(span), span.total_seconds(), how)


def _end(state: IncidentState, now: datetime) -> tuple[datetime, str]:
    """Where the incident's measured time stops, and the words that say so."""
    if state.resolved_at is not None:
        return state.resolved_at, "the resolution"
    return now, "now (the incident is still open)"


def metrics(state: IncidentState, playbook: Playbook, *, now: datetime) -> list[Metric]:
    """Every metric of the incident, in the order the post-mortem lists them."""
    return [
        _duration(state, now),
        _time_to_detect(state),
        _response(state),
        _response_target(state, playbook, now),
        *(_to_moment(state, moment) for moment in ("identified", "mitigated", "resolved")),
        *_phases(state, playbook, now),
        *_updates(state, playbook, now),
        *_downtime(state, now),
    ]


def _duration(state: IncidentState, now: datetime) -> Metric:
    start = state.moments.get("detected", state.declared_at)
    start = min(start, state.declared_at)
    start_words = "detection" if start < state.declared_at else "the declaration"
    end, end_words = _end(state, now)
    value = _span(end - start) + ("" if state.resolved_at is not None else " so far (open)")
    how = f"From {start_words} to {end_words}."
    return Metric("duration", "Duration", value, (end - start).total_seconds(), how)


def _first_trouble(timeline: tuple[TimelineEntry, ...]) -> datetime | None:
    for entry in timeline:
        if entry.kind == HEALTH_CHANGED and entry.event.payload.get("to") not in ("up", None):
            return entry.at
    return None


def _time_to_detect(state: IncidentState) -> Metric:
    trouble = _first_trouble(state.timeline)
    detected = state.moments.get("detected")
    how = "From the first health check that saw a service not up to the detected moment."
    if trouble is None or detected is None:
        missing = "no health check saw trouble" if trouble is None else "no detected moment"
        return _duration_metric("time_to_detect", "Time to detect", None, f"{how} ({missing}.)")
    return _duration_metric("time_to_detect", "Time to detect", detected - trouble, how)


def _response(state: IncidentState) -> Metric:
    how = (
        "From the declaration to the first acknowledgement or checklist tick by a person "
        "(a note is not one: scripts write notes)."
    )
    span = None if state.first_response_at is None else state.first_response_at - state.declared_at
    return _duration_metric("time_to_respond", "Time to acknowledge/respond", span, how)


def _response_target(state: IncidentState, playbook: Playbook, now: datetime) -> Metric:
    clock = response_clock(state, playbook, now)
    if clock is None:
        how = f"The playbook has no severity {state.severity}, so no target to measure against."
        return Metric("response_target", "Response-time target", NOT_RECORDED, None, how)
    target = _span(clock.target)
    how = f"{clock.severity.level}'s target is {target}, counted from the declaration."
    if clock.met is True:
        value = "met"
    elif clock.met is False:
        value = "missed" if clock.responded_at is not None else "missed (no response recorded)"
    else:
        value = "not yet: no response recorded, still within target"
    return Metric("response_target", "Response-time target", value, None, how)


_MOMENT_LABELS: dict[KeyMoment, tuple[str, str]] = {
    "identified": ("time_to_identify", "Time to identify"),
    "mitigated": ("time_to_mitigate", "Time to mitigate"),
    "resolved": ("time_to_resolve", "Time to resolve"),
}


def _to_moment(state: IncidentState, moment: KeyMoment) -> Metric:
    at = state.moments.get(moment)
    how = f"From the declaration to the {moment} moment (a checklist tick or set by hand)."
    if at is None and state.is_open:
        how += " The incident is still open."
    span = None if at is None else at - state.declared_at
    key, label = _MOMENT_LABELS[moment]
    return _duration_metric(key, label, span, how)


def _phases(state: IncidentState, playbook: Playbook, now: datetime) -> list[Metric]:
    found: list[Metric] = []
    start = state.declared_at
    # A tick's time as the timeline has it: an edit may have corrected it.
    entries = {entry.seq: entry.at for entry in state.timeline}
    for phase in playbook.phases:
        window = f"{_span(phase.window_start)}–{_span(phase.window_end)} after the declaration"
        ticks = [
            entries.get(state.ticked[item.id].seq, state.ticked[item.id].at)
            for item in phase.items
            if item.id in state.ticked
        ]
        key, label = f"phase:{phase.name}", f"Phase {phase.name}"
        if len(ticks) < len(phase.items):
            how = (
                f"Done when its last item is ticked; {len(ticks)} of {len(phase.items)} are. "
                f"Window: {window}."
            )
            found.append(Metric(key, label, "not completed", None, how))
            continue
        done = max(ticks)
        late = done - (state.declared_at + phase.window_end)
        verdict = "within its window" if late <= timedelta(0) else f"{_span(late)} past its window"
        span = max(done - start, timedelta(0))
        how = (
            f"From the previous phase's end (or the declaration) to its last item's tick, "
            f"done {_span(done - state.declared_at)} after the declaration; window: {window}."
        )
        found.append(Metric(key, label, f"{_span(span)}, {verdict}", span.total_seconds(), how))
        start = max(start, done)
    return found


def _updates(state: IncidentState, playbook: Playbook, now: datetime) -> list[Metric]:
    times = [
        entry.at
        for entry in state.timeline
        if entry.event.payload.get("template") in STATUS_TEMPLATES
        and (
            entry.kind == COMMS_COPIED
            or (
                entry.kind == COMMS_PUBLISHED
                and entry.event.payload.get("target") == "statuspage"
                and entry.event.payload.get("ok") is True
            )
        )
    ]
    interval = playbook.settings.status_update_interval
    count = Metric(
        "status_updates",
        "Status updates",
        str(len(times)),
        None,
        "Status-page texts copied or published (investigating, identified, monitoring, "
        "resolved; not the e-mail).",
    )
    end, end_words = _end(state, now)
    marks = [state.declared_at, *sorted(t for t in times if t <= end), end]
    gap = max(later - earlier for earlier, later in itertools.pairwise(marks))
    verdict = "within" if gap <= interval else "longer than"
    longest = Metric(
        "longest_update_gap",
        "Longest gap between updates",
        f"{_span(gap)}, {verdict} the {_span(interval)} interval",
        gap.total_seconds(),
        f"The longest wait between the declaration, each status update and {end_words}.",
    )
    return [count, longest]


def _downtime(state: IncidentState, now: datetime) -> list[Metric]:
    end, end_words = _end(state, now)
    down_since: dict[str, datetime] = {}
    total: dict[str, timedelta] = {}
    for entry in state.timeline:
        if entry.kind != HEALTH_CHANGED or entry.at > end:
            continue
        target = str(entry.event.payload.get("target", ""))
        total.setdefault(target, timedelta(0))
        if entry.event.payload.get("to") == DOWN:
            down_since.setdefault(target, entry.at)
        elif target in down_since:
            total[target] += entry.at - down_since.pop(target)
    found = []
    for target in sorted(total):
        span = total[target]
        how = "The time between each health check recording it down and the next recording it not."
        value = _span(span)
        if target in down_since:
            span += end - down_since[target]
            value = f"{_span(span)}, still down at {end_words.split(' (')[0]}"
            how += f" Still down: counted to {end_words}."
        found.append(Metric(f"down:{target}", f"{target} down", value, span.total_seconds(), how))
    return found
