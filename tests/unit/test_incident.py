"""Pure tests of the derived incident state: no database, no clock, no Textual."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.playbooks import small_playbook
from tests.support.times import T0, minutes
from warroom import incident as inc
from warroom.incident import Event, IncidentError, derive, format_incident_id
from warroom.incident.state import title as listed_title
from warroom.playbook import (
    ChecklistItem,
    Phase,
    Playbook,
    Severity,
)


def make_playbook() -> Playbook:
    """Three severities, four phases that set every key moment, the three-rung LADDER."""
    severities = tuple(
        Severity(level, name, "", response, "", (), ())
        for level, name, response in (
            ("P0", "Critical", minutes(5)),
            ("P1", "High", minutes(15)),
            ("P2", "Medium", minutes(60)),
        )
    )
    phases = (
        Phase(
            "Detection",
            minutes(0),
            minutes(5),
            (
                ChecklistItem("alert", "Alert received", "detected"),
                ChecklistItem("assess", "Severity assessed"),
            ),
        ),
        Phase(
            "Investigation",
            minutes(5),
            minutes(15),
            (
                ChecklistItem("logs", "Logs analyzed"),
                ChecklistItem("cause", "Root cause found", "identified"),
            ),
        ),
        Phase(
            "Mitigation",
            minutes(15),
            minutes(30),
            (ChecklistItem("fix", "Fix applied", "mitigated"),),
        ),
        Phase(
            "Resolution",
            minutes(30),
            minutes(60),
            (ChecklistItem("healthy", "All healthy", "resolved"),),
        ),
    )
    return small_playbook(severities=severities, phases=phases)  # escalation: LADDER


@dataclass
class Log:
    """Builds an incident's events the way the store would number them."""

    incident_id: str = "INC-20250301-001"
    events: list[Event] = field(default_factory=list)

    def add(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        minute: float,
        actor: str = "ann",
    ) -> Event:
        event = Event(
            seq=len(self.events) + 1,
            incident_id=self.incident_id,
            at=T0 + timedelta(minutes=minute),
            kind=kind,
            actor=actor,
            payload=dict(payload or {}),
        )
        self.events.append(event)
        return event


def declared(severity: str = "P1") -> Log:
    log = Log()
    log.add(inc.DECLARED, {"title": "API down", "severity": severity}, minute=0, actor="ann")
    return log


PLAYBOOK = make_playbook()


def test_declaration_gives_identity_and_defaults() -> None:
    state = derive(declared().events, PLAYBOOK)
    assert (state.id, state.title, state.severity) == ("INC-20250301-001", "API down", "P1")
    assert state.declared_at == T0 and state.declared_by == "ann"
    assert state.status == "open" and state.resolved_at is None
    assert state.escalation_level == 1 and state.escalated_at is None
    assert dict(state.ticked) == {} and state.first_response_at is None
    assert [entry.text for entry in state.timeline] == ["Declared P1: API down"]


def test_events_must_start_with_a_declaration() -> None:
    log = Log()
    log.add(inc.NOTE_ADDED, {"text": "orphan"}, minute=0)
    with pytest.raises(IncidentError):
        derive(log.events, PLAYBOOK)
    with pytest.raises(IncidentError):
        derive([], PLAYBOOK)


def test_severity_changes_follow_the_latest_event() -> None:
    log = declared("P2")
    log.add(inc.SEVERITY_CHANGED, {"from": "P2", "to": "P1"}, minute=3)
    log.add(inc.SEVERITY_CHANGED, {"from": "P1", "to": "P0"}, minute=4)
    state = derive(log.events, PLAYBOOK)
    assert state.severity == "P0"
    assert state.timeline[1].text == "Severity P2 → P1"


def test_tick_and_untick_keep_the_tick_in_force() -> None:
    log = declared()
    first = log.add(inc.ITEM_TICKED, {"item_id": "logs"}, minute=6, actor="bob")
    log.add(inc.ITEM_TICKED, {"item_id": "assess"}, minute=7)
    log.add(inc.ITEM_UNTICKED, {"item_id": "assess"}, minute=8)
    state = derive(log.events, PLAYBOOK)
    assert dict(state.ticked) == {"logs": first}
    assert state.ticked["logs"].actor == "bob"
    texts = [entry.text for entry in state.timeline]
    assert texts[1:] == [
        "Ticked: Logs analyzed",
        "Ticked: Severity assessed",
        "Unticked: Severity assessed",
    ]


def test_ticking_an_item_that_means_a_moment_sets_it_and_unticking_clears_it() -> None:
    log = declared()
    log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=1)
    log.add(inc.ITEM_TICKED, {"item_id": "cause"}, minute=12)
    state = derive(log.events, PLAYBOOK)
    assert dict(state.moments) == {
        "detected": T0 + timedelta(minutes=1),
        "identified": T0 + timedelta(minutes=12),
    }
    assert state.timeline[2].moment == "identified"
    log.add(inc.ITEM_UNTICKED, {"item_id": "cause"}, minute=13)
    assert "identified" not in derive(log.events, PLAYBOOK).moments


def test_moment_set_by_hand_overrides_the_tick_and_can_be_cleared() -> None:
    log = declared()
    log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=1)
    by_hand = (T0 - timedelta(minutes=10)).isoformat()
    log.add(inc.MOMENT_SET, {"moment": "detected", "at": by_hand}, minute=2)
    state = derive(log.events, PLAYBOOK)
    assert state.moments["detected"] == T0 - timedelta(minutes=10)
    # the hand-set moment sits in the timeline where it happened, before the declaration
    assert state.timeline[0].kind == inc.MOMENT_SET and state.timeline[0].moment == "detected"
    log.add(inc.MOMENT_SET, {"moment": "detected", "at": None}, minute=3)
    assert "detected" not in derive(log.events, PLAYBOOK).moments


def test_resolution_is_the_resolved_moment_unless_an_item_says_otherwise() -> None:
    log = declared()
    log.add(inc.RESOLVED, minute=40)
    assert derive(log.events, PLAYBOOK).moments["resolved"] == T0 + timedelta(minutes=40)
    log.add(inc.ITEM_TICKED, {"item_id": "healthy"}, minute=41)
    assert derive(log.events, PLAYBOOK).moments["resolved"] == T0 + timedelta(minutes=41)


def test_resolve_and_reopen() -> None:
    log = declared()
    log.add(inc.RESOLVED, minute=40)
    state = derive(log.events, PLAYBOOK)
    assert state.status == "resolved" and state.resolved_at == T0 + timedelta(minutes=40)
    assert not state.is_open
    log.add(inc.REOPENED, minute=50)
    state = derive(log.events, PLAYBOOK)
    assert state.status == "open" and state.resolved_at is None
    assert [e.text for e in state.timeline][-2:] == ["Incident resolved", "Incident reopened"]


def test_edits_change_text_and_time_and_reorder_the_timeline() -> None:
    log = declared()
    note = log.add(inc.NOTE_ADDED, {"text": "backend 503s"}, minute=10)
    log.add(inc.NOTE_ADDED, {"text": "later note"}, minute=11)
    earlier = (T0 + timedelta(minutes=2)).isoformat()
    log.add(
        inc.ENTRY_EDITED, {"target_seq": note.seq, "text": "backend 503s since deploy"}, minute=12
    )
    log.add(inc.ENTRY_EDITED, {"target_seq": note.seq, "at": earlier}, minute=13)
    state = derive(log.events, PLAYBOOK)
    texts = [entry.text for entry in state.timeline]
    assert texts == ["Declared P1: API down", "backend 503s since deploy", "later note"]
    edited = state.timeline[1]
    assert edited.edited and edited.at == T0 + timedelta(minutes=2)
    assert edited.event.payload["text"] == "backend 503s"  # the original is never lost
    assert not state.timeline[2].edited


def test_edited_tick_time_moves_the_moment_and_the_first_response() -> None:
    log = declared()
    tick = log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=9)
    log.add(
        inc.ENTRY_EDITED,
        {"target_seq": tick.seq, "at": (T0 + timedelta(minutes=1)).isoformat()},
        minute=10,
    )
    state = derive(log.events, PLAYBOOK)
    assert state.moments["detected"] == T0 + timedelta(minutes=1)
    assert state.first_response_at == T0 + timedelta(minutes=1)


def test_retraction_removes_the_entry_and_its_effect() -> None:
    log = declared()
    tick = log.add(inc.ITEM_TICKED, {"item_id": "cause"}, minute=5)
    change = log.add(inc.SEVERITY_CHANGED, {"from": "P1", "to": "P0"}, minute=6)
    log.add(inc.ENTRY_RETRACTED, {"target_seq": tick.seq}, minute=7)
    log.add(inc.ENTRY_RETRACTED, {"target_seq": change.seq}, minute=8)
    log.add(inc.ENTRY_RETRACTED, {"target_seq": 1}, minute=9)  # the declaration stays
    state = derive(log.events, PLAYBOOK)
    assert "cause" not in state.ticked and "identified" not in state.moments
    assert state.severity == "P1"
    assert [entry.seq for entry in state.timeline] == [1]


def test_last_recorded_health_per_target_honours_retractions() -> None:
    log = declared()
    change = {"target": "backend", "from": "up", "to": "down", "status": 503, "reason": "x"}
    log.add(inc.HEALTH_CHANGED, change, minute=1, actor="warroom")
    log.add(inc.HEALTH_CHANGED, {**change, "target": "Supabase", "to": "degraded"}, minute=2)
    wrong = log.add(inc.HEALTH_CHANGED, {**change, "from": "down", "to": "up"}, minute=3)
    assert derive(log.events, PLAYBOOK).health == {"backend": "up", "Supabase": "degraded"}
    log.add(inc.ENTRY_RETRACTED, {"target_seq": wrong.seq}, minute=4)
    assert derive(log.events, PLAYBOOK).health == {"backend": "down", "Supabase": "degraded"}


def test_headline_agrees_with_derive_as_corrections_pile_up() -> None:
    # `warroom list` shows the headline the store keeps; the war room shows derive's.
    log = declared("P2")
    raised = log.add(inc.SEVERITY_CHANGED, {"from": "P2", "to": "P0"}, minute=1)
    resolved = log.add(inc.RESOLVED, {}, minute=2)
    steps = [
        (inc.ENTRY_RETRACTED, {"target_seq": resolved.seq}),
        (inc.ENTRY_RETRACTED, {"target_seq": raised.seq}),
        (inc.RESOLVED, {}),
        (inc.REOPENED, {}),
        (inc.ENTRY_RETRACTED, {"target_seq": 1}),  # the declaration stays
    ]
    seen = set()
    for minute, (kind, payload) in enumerate(steps, start=3):
        log.add(kind, payload, minute=minute)
        state = derive(log.events, PLAYBOOK)
        assert inc.headline(log.events) == (state.severity, state.status)
        seen.add((state.severity, state.status))
    assert {("P0", "open"), ("P2", "open"), ("P2", "resolved")} <= seen


def test_roles_fields_comms_and_escalation() -> None:
    log = declared()
    log.add(inc.ROLE_ASSIGNED, {"role": "commander", "name": "Ann"}, minute=1)
    log.add(inc.ROLE_ASSIGNED, {"role": "scribe", "name": "Bob"}, minute=2)
    log.add(inc.ROLE_ASSIGNED, {"role": "commander", "name": "Cy"}, minute=3)
    log.add(inc.ROLE_ASSIGNED, {"role": "scribe", "name": ""}, minute=3.5)
    log.add(inc.FIELD_SET, {"name": "cause", "value": "bad deploy"}, minute=4)
    log.add(inc.COMMS_COPIED, {"template": "investigating", "text": "…", "via": "osc52"}, minute=5)
    log.add(inc.COMMS_COPIED, {"template": "identified", "text": "…", "via": "file"}, minute=20)
    log.add(inc.ESCALATED, {"level": 2}, minute=31)
    state = derive(log.events, PLAYBOOK)
    assert dict(state.roles) == {"commander": "Cy"}
    assert dict(state.fields) == {"cause": "bad deploy"}
    assert state.last_status_update == T0 + timedelta(minutes=20)
    assert state.escalation_level == 2 and state.escalated_at == T0 + timedelta(minutes=31)
    assert state.timeline[-1].text == "Escalated to level 2: Tech lead"


def test_first_response_is_an_acknowledgement_or_a_tick_never_a_note() -> None:
    log = declared()
    log.add(inc.NOTE_ADDED, {"text": "deploy-bot: v42 is live"}, minute=0, actor="ann")
    log.add(inc.HEALTH_CHANGED, {"target": "backend", "from": "up", "to": "down"}, minute=1)
    log.add(inc.ROLE_ASSIGNED, {"role": "commander", "name": "Ann"}, minute=2)
    log.add(inc.NOTE_ADDED, {"text": "looking"}, minute=3)
    state = derive(log.events, PLAYBOOK)
    assert state.first_response_at is None and state.first_response_by is None
    log.add(inc.ACKNOWLEDGED, {}, minute=4, actor="bo")
    log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=6)
    state = derive(log.events, PLAYBOOK)
    assert (state.first_response_at, state.first_response_by) == (T0 + minutes(4), "bo")
    assert state.timeline[-2].text == "Acknowledged by bo"


def test_a_tick_is_a_response_too_and_a_retracted_acknowledgement_is_none() -> None:
    log = declared()
    ack = log.add(inc.ACKNOWLEDGED, {}, minute=1, actor="bo")
    log.add(inc.ENTRY_RETRACTED, {"target_seq": ack.seq}, minute=2)
    log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=5, actor="cy")
    state = derive(log.events, PLAYBOOK)
    assert (state.first_response_at, state.first_response_by) == (T0 + minutes(5), "cy")


def test_a_rename_is_the_title_everywhere_and_a_retraction_undoes_it() -> None:
    log = declared()
    log.add(inc.FIELD_SET, {"name": "description", "value": "API slow"}, minute=1)
    rename = log.add(inc.RENAMED, {"title": "Checkout API down for EU"}, minute=2)
    log.add(inc.RENAMED, {"title": "   "}, minute=3)  # blank: changes nothing
    state = derive(log.events, PLAYBOOK)
    assert state.title == "Checkout API down for EU" == listed_title(log.events)
    # The title is the description: the rename replaced the one set before it.
    assert "description" not in state.fields
    assert [entry.text for entry in state.timeline][2] == "Renamed: Checkout API down for EU"
    log.add(inc.ENTRY_RETRACTED, {"target_seq": rename.seq}, minute=4)
    state = derive(log.events, PLAYBOOK)
    assert state.title == "API down" == listed_title(log.events)
    assert inc.RENAMED in inc.HEADLINE_KINDS  # so a store lists the new title


def test_renaming_folds_one_event_at_a_time_as_from_the_start() -> None:
    log = declared()
    fold = inc.IncidentFold.from_events(log.events, PLAYBOOK)
    fold.apply(log.add(inc.RENAMED, {"title": "Payments down"}, minute=1))
    assert fold.state().title == "Payments down" == derive(log.events, PLAYBOOK).title


@pytest.mark.parametrize(
    ("kind", "payload", "text"),
    [
        (
            inc.HEALTH_CHANGED,
            {"target": "backend", "from": "up", "to": "down", "status": 503, "reason": "503"},
            "backend: up → down (503)",
        ),
        (
            inc.HEALTH_CHANGED,
            {"target": "fly", "from": "up", "to": "degraded"},
            "fly: up → degraded",
        ),
        (
            inc.COMMAND_RUN,
            {"name": "restart", "argv": ["fly"], "exit_code": 1, "output": "x"},
            "Ran restart: exit 1",
        ),
        (
            inc.LOG_PINNED,
            {"source": "backend", "line": "ERROR boom", "logged_at": "t"},
            "Pinned [backend] ERROR boom",
        ),
        (inc.ROLE_ASSIGNED, {"role": "comms", "name": "Dee"}, "Comms: Dee"),
        (inc.ITEM_TICKED, {"item_id": "gone-from-playbook"}, "Ticked: gone-from-playbook"),
        (inc.NOTE_ADDED, {"text": "line one\nline two"}, "line one ⏎ line two"),
        ("custom.kind", {"a": 1}, 'custom.kind {"a": 1}'),
    ],
)
def test_timeline_text_reads_as_one_line(kind: str, payload: dict[str, Any], text: str) -> None:
    log = declared()
    log.add(kind, payload, minute=1)
    assert derive(log.events, PLAYBOOK).timeline[-1].text == text


def test_timeline_is_in_time_order_even_if_events_are_not() -> None:
    log = declared()
    log.add(inc.NOTE_ADDED, {"text": "b"}, minute=5)
    log.add(inc.NOTE_ADDED, {"text": "a"}, minute=3)  # another terminal's clock was behind
    assert [e.text for e in derive(log.events, PLAYBOOK).timeline][1:] == ["a", "b"]


def test_format_incident_id() -> None:
    assert format_incident_id(date(2025, 3, 1), 7) == "INC-20250301-007"
    assert format_incident_id(date(2025, 12, 31), 1234) == "INC-20251231-1234"


def test_state_mappings_are_read_only() -> None:
    state = derive(declared().events, PLAYBOOK)
    with pytest.raises(TypeError):
        state.roles["commander"] = "x"  # type: ignore[index]  # the misuse under test


def test_shipped_playbook_items_set_moments() -> None:
    from warroom.playbook import load_playbook

    playbook = load_playbook(SHIPPED_PLAYBOOK)
    with_moment = [
        (item.id, item.moment) for phase in playbook.phases for item in phase.items if item.moment
    ]
    assert with_moment, "the shipped playbook marks items that set key moments"
    log = declared()
    for minute, (item_id, _) in enumerate(with_moment, start=1):
        log.add(inc.ITEM_TICKED, {"item_id": item_id}, minute=minute)
    state = derive(log.events, playbook)
    assert set(state.moments) == {moment for _, moment in with_moment}
    assert all(
        entry.text.startswith("Ticked: ")
        and entry.text != f"Ticked: {entry.event.payload['item_id']}"
        for entry in state.timeline[1:]
    )


def _long_log() -> Log:
    """Every kind of timeline event, with a pin and a hand-set moment from before the end."""
    log = declared("P1")
    log.add(inc.NOTE_ADDED, {"text": "looking"}, minute=1)
    log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=2)
    log.add(inc.HEALTH_CHANGED, {"target": "api", "from": "up", "to": "down"}, minute=3)
    log.add(inc.LOG_PINNED, {"source": "api", "line": "ERROR pool"}, minute=0.5)
    log.add(inc.SEVERITY_CHANGED, {"from": "P1", "to": "P0"}, minute=4)
    log.add(inc.ROLE_ASSIGNED, {"role": "scribe", "name": "cy"}, minute=5)
    log.add(inc.FIELD_SET, {"name": "cause", "value": "pool"}, minute=6)
    log.add(inc.COMMS_COPIED, {"template": "initial", "text": "x"}, minute=7)
    log.add(inc.ESCALATED, {"level": 2}, minute=8)
    log.add(inc.MOMENT_SET, {"moment": "identified", "at": T0.isoformat()}, minute=9)
    log.add(inc.ITEM_TICKED, {"item_id": "fix"}, minute=10)
    log.add(inc.ITEM_UNTICKED, {"item_id": "alert"}, minute=11)
    log.add(inc.RESOLVED, {}, minute=12)
    return log


def test_folding_one_event_at_a_time_gives_what_derive_gives() -> None:
    log = _long_log()
    fold = inc.IncidentFold(PLAYBOOK, edits={})
    for count, event in enumerate(log.events, start=1):
        fold.apply(event)
        stepwise, whole = fold.state(), derive(log.events[:count], PLAYBOOK)
        for name in whole._fields:
            if name != "timeline_epoch":
                assert getattr(stepwise, name) == getattr(whole, name), (count, name)
    # The hand-set moment and the pin went back in time.
    assert [e.seq for e in fold.state().timeline][:4] == [1, 11, 5, 2]
    assert fold.state().marks  # the tick of "fix" marks mitigated, resolution marks resolved


def test_the_epoch_changes_only_when_entries_before_the_end_change() -> None:
    log = declared()
    fold = inc.IncidentFold(PLAYBOOK, edits={})
    fold.apply(log.events[0])
    fold.apply(log.add(inc.NOTE_ADDED, {"text": "one"}, minute=1))
    before = fold.state()
    fold.apply(log.add(inc.NOTE_ADDED, {"text": "two"}, minute=2))
    appended = fold.state()
    assert appended.timeline_epoch == before.timeline_epoch
    assert appended.timeline[: len(before.timeline)] == before.timeline
    fold.apply(log.add(inc.LOG_PINNED, {"source": "api", "line": "early"}, minute=0.5))
    inserted = fold.state()
    assert inserted.timeline_epoch != appended.timeline_epoch
    assert [entry.seq for entry in inserted.timeline] == [1, 4, 2, 3]


def test_a_state_handed_out_does_not_change_as_events_arrive() -> None:
    log = declared()
    fold = inc.IncidentFold(PLAYBOOK, edits={})
    fold.apply(log.events[0])
    early = fold.state()
    fold.apply(log.add(inc.ITEM_TICKED, {"item_id": "alert"}, minute=1))
    fold.apply(log.add(inc.HEALTH_CHANGED, {"target": "api", "to": "down"}, minute=2))
    assert dict(early.ticked) == {} and dict(early.health) == {}
    assert len(early.timeline) == 1


def test_the_fold_refuses_corrections_and_events_out_of_seq_order() -> None:
    log = declared()
    note = log.add(inc.NOTE_ADDED, {"text": "one"}, minute=1)
    fold = inc.IncidentFold(PLAYBOOK, edits={})
    with pytest.raises(IncidentError):
        fold.apply(note)  # before the declaration
    fold.apply(log.events[0])
    fold.apply(note)
    with pytest.raises(IncidentError):
        fold.apply(note)
    edit = log.add(inc.ENTRY_EDITED, {"target_seq": note.seq, "text": "uno"}, minute=2)
    with pytest.raises(IncidentError):
        fold.apply(edit)


def test_every_constructor_writes_what_the_fold_reads() -> None:
    log = declared("P1")

    def add(new: inc.NewEvent, minute: float) -> Event:
        return log.add(new.kind, new.payload, minute=minute)

    note = add(inc.note_added("pool at 100%"), 1)
    add(inc.item_ticked("alert"), 2)
    add(inc.item_ticked("logs"), 2.5)
    add(inc.item_unticked("logs"), 2.6)
    add(inc.severity_changed("P1", "P0"), 3)
    add(inc.role_assigned("scribe", "cy"), 4)
    add(inc.field_set("cause", "pool"), 5)
    add(inc.comms_copied("initial", "We are investigating.", "osc52"), 6)
    add(inc.escalated(2), 7)
    add(inc.health_changed("api", "up", "down", status=503, reason="HTTP 503"), 8)
    add(inc.moment_set("identified", T0 + timedelta(minutes=9)), 9)
    add(inc.entry_edited(note.seq, text="pool at 95%", at=T0 + timedelta(minutes=1.5)), 10)
    pin = inc.log_pinned("api", "ERROR pool", T0 + timedelta(minutes=0.5))
    assert pin.at == T0 + timedelta(minutes=0.5)
    add(pin, 11)
    add(inc.resolved(), 12)
    state = derive(log.events, PLAYBOOK)
    assert state.severity == "P0" and state.status == "resolved"
    assert set(state.ticked) == {"alert"} and dict(state.roles) == {"scribe": "cy"}
    assert dict(state.fields) == {"cause": "pool"} and state.escalation_level == 2
    assert state.last_status_update == T0 + timedelta(minutes=6)
    assert dict(state.health) == {"api": "down"}
    assert state.moments["identified"] == T0 + timedelta(minutes=9)
    edited = next(entry for entry in state.timeline if entry.seq == note.seq)
    assert (edited.text, edited.at) == ("pool at 95%", T0 + timedelta(minutes=1.5))
    add(inc.entry_retracted(note.seq), 13)
    add(inc.reopened(), 14)
    state = derive(log.events, PLAYBOOK)
    assert state.is_open and note.seq not in {entry.seq for entry in state.timeline}
