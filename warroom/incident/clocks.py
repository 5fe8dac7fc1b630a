"""The incident's clocks: phase progress, response target, next status update, escalation.

Pure functions of an `IncidentState`, the `Playbook` and `now`. Nothing here reads the real
time: the caller passes `now` (from an injected `Clock`), so a screen can redraw every second
and a test can jump an hour without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from warroom.incident import IncidentState
from warroom.playbook import EscalationLevel, Phase, Playbook, Severity


@dataclass(frozen=True)
class PhaseProgress:
    """How far one workflow phase has got.

    A dataclass, unlike the other records: a NamedTuple's field `index` would hide
    `tuple.index`."""

    phase: Phase
    index: int
    """Position in the playbook, from 0."""
    done: int
    """Items ticked."""
    total: int
    is_current: bool
    """The first phase with items still open."""
    overdue: bool
    """The incident's elapsed time is past the window's end and items are still open."""
    overdue_by: timedelta | None
    """How far past the window's end, when overdue."""

    @property
    def complete(self) -> bool:
        """Every item is ticked."""
        return self.done == self.total

    @property
    def fraction(self) -> float:
        """Ticked share of the items, 0.0 to 1.0 (1.0 for a phase without items)."""
        return self.done / self.total if self.total else 1.0


class ResponseClock(NamedTuple):
    """The severity's response-time target, measured from the declaration to the first response.

    The response is a person saying, by an act no script performs, that they are working on
    the incident: the first acknowledgement (`incident.acknowledged`: the war room's `A` key
    or `warroom ack ID`, recorded with who acknowledged) or the first checklist tick (ticks
    are made only in the war room). Declaring it is not a response, and neither is a note:
    bots and scripts append notes (`warroom note ID -`) and an event does not say whether a
    person or a program wrote it. Health changes, roles and comms do not count either.
    """

    severity: Severity
    target: timedelta
    deadline: datetime
    responded_at: datetime | None
    responded_by: str | None
    """Who responded first (the actor of that acknowledgement or tick)."""
    response_time: timedelta | None
    """From declaration to first response, once there was one."""
    met: bool | None
    """True: responded within target; False: responded late, or target passed without a
    response; None: no response yet and still within target."""
    remaining: timedelta
    """Time left until the deadline (negative once passed); frozen at the first response."""


class UpdateClock(NamedTuple):
    """When the next status update is due: the playbook's interval after the last one copied."""

    interval: timedelta
    last_update: datetime | None
    """The last copied status text, or None if none yet (counted from declaration then)."""
    due_at: datetime
    remaining: timedelta
    """Negative once overdue."""
    overdue: bool
    active: bool
    """False once the incident is resolved: no further updates are promised."""


class EscalationClock(NamedTuple):
    """The escalation ladder: where the incident stands and when the next rung is due."""

    current: EscalationLevel | None
    """The level now in force (None if the playbook has no ladder)."""
    next: EscalationLevel | None
    """The level to escalate to next; None at the top."""
    started_at: datetime
    """When the current level began: declaration for level 1, else the last escalation."""
    due_at: datetime | None
    """When to escalate; None at the top, or once resolved."""
    remaining: timedelta | None
    overdue: bool


class Clocks(NamedTuple):
    """Every clock the war room shows, computed at one instant."""

    now: datetime
    elapsed: timedelta
    """From declaration to now, or to the resolution once resolved."""
    since_declared: timedelta
    """From declaration to now, resolved or not: phases after the resolution (the
    post-mortem's) go on counting."""
    phases: tuple[PhaseProgress, ...]
    current_phase: PhaseProgress | None
    """None once every item of every phase is ticked."""
    response: ResponseClock | None
    """None if the incident's severity is not in the playbook."""
    update: UpdateClock
    escalation: EscalationClock


def phase_progress(
    state: IncidentState, playbook: Playbook, now: datetime
) -> tuple[PhaseProgress, ...]:
    """Progress of every phase; windows count from the declaration.

    Once the incident is resolved, a phase whose window had closed by then stops growing
    late (it is measured at the resolution); one still open then (the post-mortem's days)
    goes on counting to now.
    """
    since_declared = now - state.declared_at
    at_resolution = (
        min(now, state.resolved_at) - state.declared_at if state.resolved_at is not None else None
    )
    found_current = False
    progress: list[PhaseProgress] = []
    for index, phase in enumerate(playbook.phases):
        done = sum(1 for item in phase.items if item.id in state.ticked)
        total = len(phase.items)
        is_current = not found_current and done < total
        found_current = found_current or is_current
        measured = since_declared
        if at_resolution is not None and phase.window_end <= at_resolution:
            measured = at_resolution
        late = measured - phase.window_end
        overdue = done < total and late > timedelta(0)
        progress.append(
            PhaseProgress(
                phase=phase,
                index=index,
                done=done,
                total=total,
                is_current=is_current,
                overdue=overdue,
                overdue_by=late if overdue else None,
            )
        )
    return tuple(progress)


def response_clock(state: IncidentState, playbook: Playbook, now: datetime) -> ResponseClock | None:
    """The response target of the incident's current severity, met or missed."""
    try:
        severity = playbook.severity(state.severity)
    except KeyError:
        return None
    target = severity.response_time
    deadline = state.declared_at + target
    responded = state.first_response_at
    if responded is not None:
        response_time = responded - state.declared_at
        met: bool | None = response_time <= target
        remaining = deadline - responded
    else:
        # Resolved without a recorded response: the clock stops where the incident did.
        end = min(now, state.resolved_at) if state.resolved_at is not None else now
        response_time = None
        met = False if end > deadline else None
        remaining = deadline - end
    return ResponseClock(
        severity=severity,
        target=target,
        deadline=deadline,
        responded_at=responded,
        responded_by=state.first_response_by,
        response_time=response_time,
        met=met,
        remaining=remaining,
    )


def update_clock(state: IncidentState, playbook: Playbook, now: datetime) -> UpdateClock:
    """When the next status update is due; reset by every copied status text."""
    interval = playbook.settings.status_update_interval
    due_at = (state.last_status_update or state.declared_at) + interval
    active = state.is_open
    remaining = due_at - now
    return UpdateClock(
        interval=interval,
        last_update=state.last_status_update,
        due_at=due_at,
        remaining=remaining,
        overdue=active and remaining < timedelta(0),
        active=active,
    )


def escalation_clock(state: IncidentState, playbook: Playbook, now: datetime) -> EscalationClock:
    """The countdown to the next escalation level."""
    ladder = sorted(playbook.escalation, key=lambda rung: rung.level)
    current: EscalationLevel | None = None
    following: EscalationLevel | None = None
    for position, rung in enumerate(ladder):
        if rung.level <= state.escalation_level:
            current = rung
            following = ladder[position + 1] if position + 1 < len(ladder) else None
    if current is None and ladder:
        # A level below the ladder's first (e.g. a playbook counting from 0) starts at the bottom.
        current, following = ladder[0], ladder[1] if len(ladder) > 1 else None
    started_at = state.escalated_at or state.declared_at
    due_at: datetime | None = None
    if (
        current is not None
        and following is not None
        and current.escalate_after is not None
        and state.is_open
    ):
        due_at = started_at + current.escalate_after
    remaining = due_at - now if due_at is not None else None
    return EscalationClock(
        current=current,
        next=following,
        started_at=started_at,
        due_at=due_at,
        remaining=remaining,
        overdue=remaining is not None and remaining < timedelta(0),
    )


def clocks(state: IncidentState, playbook: Playbook, now: datetime) -> Clocks:
    """Every clock of the incident at `now`."""
    phases = phase_progress(state, playbook, now)
    end = state.resolved_at if state.resolved_at is not None else now
    return Clocks(
        now=now,
        elapsed=end - state.declared_at,
        since_declared=now - state.declared_at,
        phases=phases,
        current_phase=next((phase for phase in phases if phase.is_current), None),
        response=response_clock(state, playbook, now),
        update=update_clock(state, playbook, now),
        escalation=escalation_clock(state, playbook, now),
    )


def span(value: timedelta) -> str:
    """A span as a countdown reads: '4:05', '1:02:03', '13d 04h'.

    Negative only by a bug (say, a response recorded before the declaration): it is shown
    as '−4:05', never made positive; what is overdue is passed as how long overdue.
    """
    if value < timedelta(0):
        return "−" + span(-value)
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
