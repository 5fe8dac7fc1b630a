"""Action items and written post-mortem sections, folded from their events: pure tests."""

from __future__ import annotations

from tests.support.event_log import declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.fold import IncidentFold, derive
from warroom.playbook import load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)


def test_added_items_are_numbered_assigned_done_and_reopened() -> None:
    log = declared_log()
    log.add(ev.action_added("Add an alert on 5xx"), minute=5)
    log.add(ev.action_added("Pin the image", owner="bob", due=T0 + minutes(600)), minute=6)
    log.add(ev.action_assigned("1", owner="cat", due=T0 + minutes(60)), minute=7)
    log.add(ev.action_done("1"), minute=8, actor="cat")
    log.add(ev.action_done("2"), minute=9)
    log.add(ev.action_reopened("2"), minute=10)
    first, second = derive(log.events, PLAYBOOK).actions
    assert (first.key, first.text, first.owner, first.due) == (
        "1",
        "Add an alert on 5xx",
        "cat",
        T0 + minutes(60),
    )
    assert first.done and first.done_at == T0 + minutes(8) and first.done_by == "cat"
    assert (second.key, second.owner, second.done, second.done_at) == ("2", "bob", False, None)
    assert second.overdue(T0 + minutes(601)) and not second.overdue(T0 + minutes(599))
    assert not first.overdue(T0 + minutes(601))  # done is never overdue


def test_playbook_actions_are_due_from_the_resolution_and_follow_a_reopen() -> None:
    log = declared_log()
    log.add(ev.action_added("Mine"), minute=1)
    assert [item.key for item in derive(log.events, PLAYBOOK).actions] == ["1"]  # still open
    log.add(ev.resolved(), minute=30)
    log.add(ev.action_done("p2"), minute=40)
    items = {item.key: item for item in derive(log.events, PLAYBOOK).actions}
    stages = PLAYBOOK.post_incident
    assert len(items) == 1 + sum(len(stage.items) for stage in stages)
    assert items["p1"].text == stages[0].items[0] and items["p1"].stage == stages[0].name
    assert items["p1"].due == T0 + minutes(30) + stages[0].within
    assert items["p5"].due == T0 + minutes(30) + stages[1].within
    assert items["p2"].done and not items["p1"].done

    log.add(ev.reopened(), minute=50)
    assert [item.key for item in derive(log.events, PLAYBOOK).actions] == ["1"]
    log.add(ev.resolved(), minute=90)
    again = {item.key: item for item in derive(log.events, PLAYBOOK).actions}
    assert again["p1"].due == T0 + minutes(90) + stages[0].within
    assert again["p2"].done  # marked done before the reopen: still done


def test_postmortem_fields_last_write_wins_and_show_on_the_timeline() -> None:
    log = declared_log()
    log.add(ev.postmortem_field_set("root_cause", "A bad deploy"), minute=100)
    log.add(ev.postmortem_field_set("root_cause", "A bad migration"), minute=101, actor="bob")
    log.add(ev.postmortem_field_set("lessons", "Canary first"), minute=102)
    state = derive(log.events, PLAYBOOK)
    assert dict(state.postmortem) == {"root_cause": "A bad migration", "lessons": "Canary first"}
    assert [entry.text for entry in state.timeline[1:]] == [
        "Post-mortem: Root cause written",
        "Post-mortem: Root cause written",
        "Post-mortem: Lessons learned written",
    ]


def test_a_retracted_action_event_changes_nothing_and_the_fold_matches_derive() -> None:
    log = declared_log()
    log.add(ev.action_added("Keep"), minute=1)
    done = log.add(ev.action_done("1"), minute=2)
    log.add(ev.entry_retracted(done.seq), minute=3)
    (item,) = derive(log.events, PLAYBOOK).actions
    assert not item.done
    fold = IncidentFold.from_events(log.events[:2], PLAYBOOK)
    fold.apply(log.events[2])
    assert fold.state().actions[0].done  # before the retraction arrived
