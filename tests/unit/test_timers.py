"""The incident's clocks under an injected `now`: no sleeping, no real time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.playbooks import LADDER, small_playbook
from tests.support.times import T0, minutes
from warroom import incident as inc
from warroom.incident import Event, IncidentState, derive
from warroom.incident.clocks import clocks
from warroom.playbook import (
    ChecklistItem,
    EscalationLevel,
    Phase,
    Playbook,
    Severity,
    load_playbook,
)


def at(n: float) -> datetime:
    return T0 + minutes(n)


def make_playbook(*, escalation: tuple[EscalationLevel, ...] | None = None) -> Playbook:
    """Two severities, three phases with windows 0-5, 5-15, 24-48h, a three-rung ladder."""
    phases = (
        Phase(
            "Detection",
            minutes(0),
            minutes(5),
            (ChecklistItem("a1", "A1"), ChecklistItem("a2", "A2")),
        ),
        Phase("Investigation", minutes(5), minutes(15), (ChecklistItem("b1", "B1"),)),
        Phase(
            "Post-mortem", timedelta(hours=24), timedelta(hours=48), (ChecklistItem("c1", "C1"),)
        ),
    )
    return small_playbook(
        severities=(
            Severity("P0", "Critical", "", minutes(5), "", (), ("All hands",)),
            Severity("P2", "Medium", "", minutes(60), "", (), ()),
        ),
        phases=phases,
        escalation=LADDER if escalation is None else escalation,
    )


PLAYBOOK = make_playbook()


def state_of(*events: tuple[str, dict[str, Any], float], severity: str = "P0") -> IncidentState:
    """An incident declared at T0 followed by (kind, payload, minute) events."""
    rows = [(inc.DECLARED, {"title": "t", "severity": severity}, 0.0), *events]
    log = [
        Event(seq, "INC-20250301-001", at(minute), kind, "ann", payload)
        for seq, (kind, payload, minute) in enumerate(rows, start=1)
    ]
    return derive(log, PLAYBOOK)


def tick(item_id: str, minute: float) -> tuple[str, dict[str, Any], float]:
    return (inc.ITEM_TICKED, {"item_id": item_id}, minute)


def test_current_phase_is_the_first_with_open_items() -> None:
    fresh = clocks(state_of(), PLAYBOOK, at(1))
    assert fresh.current_phase is not None and fresh.current_phase.phase.name == "Detection"
    # ticking a later phase's item does not move the current phase past an unfinished one
    state = state_of(tick("a1", 1), tick("b1", 2))
    result = clocks(state, PLAYBOOK, at(3))
    assert result.current_phase is not None and result.current_phase.phase.name == "Detection"
    assert [(p.done, p.total) for p in result.phases] == [(1, 2), (1, 1), (0, 1)]
    assert [p.is_current for p in result.phases] == [True, False, False]
    assert result.phases[0].fraction == 0.5 and result.phases[1].complete
    state = state_of(tick("a1", 1), tick("b1", 2), tick("a2", 3))
    result = clocks(state, PLAYBOOK, at(3))
    assert result.current_phase is not None and result.current_phase.phase.name == "Post-mortem"
    done = state_of(tick("a1", 1), tick("a2", 2), tick("b1", 3), tick("c1", 4))
    assert clocks(done, PLAYBOOK, at(5)).current_phase is None


def test_phase_is_overdue_only_past_its_window_end_with_items_open() -> None:
    state = state_of(tick("a1", 1))
    assert not clocks(state, PLAYBOOK, at(5)).phases[0].overdue  # exactly at the end: not yet
    late = clocks(state, PLAYBOOK, at(7)).phases[0]
    assert late.overdue and late.overdue_by == minutes(2)
    assert not clocks(state, PLAYBOOK, at(7)).phases[1].overdue  # window 5-15 still running
    finished = state_of(tick("a1", 1), tick("a2", 9))
    assert not clocks(finished, PLAYBOOK, at(60)).phases[0].overdue


def test_phase_windows_keep_counting_after_resolution() -> None:
    # the post-mortem phase stays open after resolving, and is late two days after declaration
    state = state_of(tick("a1", 1), tick("a2", 2), tick("b1", 3), (inc.RESOLVED, {}, 30))
    assert not clocks(state, PLAYBOOK, at(47 * 60)).phases[2].overdue
    assert clocks(state, PLAYBOOK, at(49 * 60)).phases[2].overdue


def test_elapsed_stops_at_resolution() -> None:
    assert clocks(state_of(), PLAYBOOK, at(42)).elapsed == minutes(42)
    resolved = state_of((inc.RESOLVED, {}, 30))
    assert clocks(resolved, PLAYBOOK, at(90)).elapsed == minutes(30)


def test_response_target_pending_met_and_missed() -> None:
    pending = clocks(state_of(), PLAYBOOK, at(3)).response
    assert pending is not None and pending.met is None and pending.remaining == minutes(2)
    assert pending.target == minutes(5) and pending.severity.level == "P0"
    missed = clocks(state_of(), PLAYBOOK, at(6)).response
    assert missed is not None and missed.met is False and missed.remaining == minutes(-1)
    met = clocks(state_of((inc.ACKNOWLEDGED, {}, 4)), PLAYBOOK, at(60)).response
    assert met is not None and met.met is True and met.response_time == minutes(4)
    assert met.responded_by == "ann"
    late = clocks(state_of(tick("a1", 7)), PLAYBOOK, at(8)).response
    assert late is not None and late.met is False and late.response_time == minutes(7)


def test_a_bots_note_right_after_declaring_is_not_a_response() -> None:
    noted = state_of((inc.NOTE_ADDED, {"text": "deploy-bot: rollback started"}, 0))
    pending = clocks(noted, PLAYBOOK, at(1)).response
    assert pending is not None and pending.met is None and pending.responded_at is None
    missed = clocks(noted, PLAYBOOK, at(6)).response
    assert missed is not None and missed.met is False and missed.response_time is None
    acknowledged = state_of(
        (inc.NOTE_ADDED, {"text": "deploy-bot: rollback started"}, 0), (inc.ACKNOWLEDGED, {}, 2)
    )
    met = clocks(acknowledged, PLAYBOOK, at(6)).response
    assert met is not None and met.met is True and met.response_time == minutes(2)


def test_response_clock_stops_when_resolved_without_a_response() -> None:
    resolved_in_time = state_of((inc.RESOLVED, {}, 3))
    frozen = clocks(resolved_in_time, PLAYBOOK, at(600)).response
    assert frozen is not None and frozen.met is None and frozen.remaining == minutes(2)
    resolved_late = state_of((inc.RESOLVED, {}, 8))
    late = clocks(resolved_late, PLAYBOOK, at(600)).response
    assert late is not None and late.met is False and late.remaining == minutes(-3)


def test_response_target_follows_the_current_severity() -> None:
    relaxed = state_of((inc.SEVERITY_CHANGED, {"from": "P0", "to": "P2"}, 1))
    response = clocks(relaxed, PLAYBOOK, at(30)).response
    assert response is not None and response.met is None and response.target == minutes(60)
    unknown = state_of(severity="P9")
    assert clocks(unknown, PLAYBOOK, at(1)).response is None


def test_status_update_counts_from_declaration_then_from_last_copy() -> None:
    update = clocks(state_of(), PLAYBOOK, at(10)).update
    assert update.due_at == at(15) and update.remaining == minutes(5) and not update.overdue
    overdue = clocks(state_of(), PLAYBOOK, at(16)).update
    assert overdue.overdue and overdue.remaining == minutes(-1)
    copied = state_of(
        (inc.COMMS_COPIED, {"template": "investigating", "text": "x", "via": "osc52"}, 14)
    )
    reset = clocks(copied, PLAYBOOK, at(16)).update
    assert reset.last_update == at(14) and reset.due_at == at(29) and not reset.overdue
    resolved = state_of((inc.RESOLVED, {}, 10))
    quiet = clocks(resolved, PLAYBOOK, at(60)).update
    assert not quiet.active and not quiet.overdue


def test_escalation_counts_from_declaration_then_from_last_escalation() -> None:
    first = clocks(state_of(), PLAYBOOK, at(20)).escalation
    assert first.current is not None and first.current.name == "On-call"
    assert first.next is not None and first.next.contact == "lead@example.com"
    assert first.due_at == at(30) and first.remaining == minutes(10) and not first.overdue
    assert clocks(state_of(), PLAYBOOK, at(31)).escalation.overdue

    escalated = state_of((inc.ESCALATED, {"level": 2}, 35))
    second = clocks(escalated, PLAYBOOK, at(40)).escalation
    assert second.current is not None and second.current.name == "Tech lead"
    assert second.next is not None and second.next.name == "CTO"
    assert second.started_at == at(35) and second.due_at == at(95)

    top = state_of((inc.ESCALATED, {"level": 2}, 35), (inc.ESCALATED, {"level": 3}, 80))
    last = clocks(top, PLAYBOOK, at(500)).escalation
    assert last.current is not None and last.current.name == "CTO"
    assert last.next is None and last.due_at is None and last.remaining is None
    assert not last.overdue


def test_escalation_stops_once_resolved_and_copes_without_a_ladder() -> None:
    resolved = clocks(state_of((inc.RESOLVED, {}, 10)), PLAYBOOK, at(100)).escalation
    assert resolved.due_at is None and not resolved.overdue
    no_ladder = clocks(state_of(), make_playbook(escalation=()), at(100)).escalation
    assert no_ladder.current is None and no_ladder.next is None and no_ladder.due_at is None


def test_clocks_advance_with_the_injected_time_only() -> None:
    state = state_of()
    readings = [clocks(state, PLAYBOOK, at(minute)).update.remaining for minute in (0, 1, 2)]
    assert readings == [minutes(15), minutes(14), minutes(13)]


def test_shipped_playbook_clocks() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)
    payload = {"title": "t", "severity": "P1"}
    events = [Event(1, "INC-20250301-001", T0, inc.DECLARED, "ann", payload)]
    state = derive(events, playbook)
    result = clocks(state, playbook, at(61))  # P1 promises a response within the hour
    assert len(result.phases) == 5
    assert result.current_phase is not None and result.current_phase.index == 0
    assert result.phases[0].overdue  # nothing ticked an hour in
    assert (
        result.update.overdue and result.update.interval == playbook.settings.status_update_interval
    )
    assert result.escalation.next is not None and result.escalation.overdue
    assert result.response is not None and result.response.met is False


def test_a_phase_late_at_resolution_stops_counting_then() -> None:
    # Detection (0-5 min) was still open when the incident was resolved at 30 min.
    resolved = state_of((inc.RESOLVED, {}, 30))
    late = clocks(resolved, PLAYBOOK, at(600)).phases[0]
    assert late.overdue and late.overdue_by == minutes(25)
