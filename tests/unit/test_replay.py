"""Replay: the incident as it stood at a time, stepping and jumping, and the position bar."""

from __future__ import annotations

from datetime import datetime

from tests.support.event_log import EventLog, declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.replay import (
    event_times,
    jump,
    lines_until,
    position_bar,
    recorded_health,
    state_at,
    step_event,
)
from warroom.playbook import KeyMoment, load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)


def incident() -> EventLog:
    log = declared_log(severity="P2")
    log.add(ev.health_changed("backend", "up", "down", status=503, reason="503"), minute=2)
    log.add(ev.item_ticked("fix-applied"), minute=5)
    log.add(ev.severity_changed("P2", "P1"), minute=10)
    note = log.add(ev.note_added("rolled back"), minute=12)
    log.add(ev.health_changed("backend", "down", "up", status=200, reason=""), minute=20)
    log.add(ev.entry_edited(note.seq, text="rolled back v42"), minute=25)
    log.add(ev.resolved(), minute=30)
    return log


def test_the_state_at_a_time_holds_only_what_was_recorded_by_then() -> None:
    events = incident().events
    early = state_at(events, PLAYBOOK, T0 + minutes(6))
    assert (early.severity, early.health["backend"], early.is_open) == ("P2", "down", True)
    assert "fix-applied" in early.ticked
    assert [entry.seq for entry in early.timeline] == [1, 2, 3]

    later = state_at(events, PLAYBOOK, T0 + minutes(21))
    assert (later.severity, later.health["backend"]) == ("P1", "up")
    assert "rolled back" in [entry.text for entry in later.timeline]  # the edit came later

    end = state_at(events, PLAYBOOK, T0 + minutes(31))
    assert not end.is_open
    assert "rolled back v42" in [entry.text for entry in end.timeline]


def test_before_the_declaration_the_incident_is_as_declared() -> None:
    state = state_at(incident().events, PLAYBOOK, T0 - minutes(5))
    assert (state.severity, len(state.timeline)) == ("P2", 1)


def test_stepping_goes_event_by_event_and_stops_at_the_ends() -> None:
    times = event_times(incident().events)
    assert step_event(times, T0, 1) == T0 + minutes(2)
    assert step_event(times, T0 + minutes(3), 1) == T0 + minutes(5)
    assert step_event(times, T0 + minutes(5), -1) == T0 + minutes(2)
    assert step_event(times, T0, -1) == T0
    assert step_event(times, T0 + minutes(30), 1) == T0 + minutes(30)


def test_jumps_stay_within_the_incident() -> None:
    end = T0 + minutes(30)
    assert jump(T0 + minutes(5), minutes(10), T0, end) == T0 + minutes(15)
    assert jump(T0 + minutes(25), minutes(10), T0, end) == end
    assert jump(T0 + minutes(5), -minutes(10), T0, end) == T0


def test_the_position_bar_marks_moments_and_where_replay_is() -> None:
    moments: dict[KeyMoment, datetime] = {
        "detected": T0,
        "identified": T0 + minutes(10),
        "resolved": T0 + minutes(20),
    }
    bar = position_bar(T0, T0 + minutes(20), T0 + minutes(5), moments, width=22)
    assert bar == "├D────●────I────────R┤"
    assert len(bar) == 22
    at_moment = position_bar(T0, T0 + minutes(20), T0 + minutes(10), moments, width=22)
    assert at_moment == "├D─────────●────────R┤"


def test_a_position_bar_of_an_instant_incident_puts_everything_at_the_end() -> None:
    assert position_bar(T0, T0, T0, {}, width=6) == "├───●┤"


def test_recorded_health_is_each_targets_last_change_by_then() -> None:
    events = incident().events
    assert recorded_health(events, T0 + minutes(1)) == {}
    down = recorded_health(events, T0 + minutes(3))["backend"]
    assert (down.state, down.since, down.status, down.reason) == (
        "down",
        T0 + minutes(2),
        503,
        "503",
    )
    assert recorded_health(events, T0 + minutes(40))["backend"].state == "up"


def test_the_log_window_ends_at_the_replay_time() -> None:
    lines = [(T0 + minutes(n), "backend", f"line {n}") for n in range(5)]
    assert [line for _, _, line in lines_until(lines, T0 + minutes(2))] == [
        "line 0",
        "line 1",
        "line 2",
    ]
    assert lines_until(lines, T0 - minutes(1)) == []
