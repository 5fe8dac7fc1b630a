"""The post-mortem's metrics on built event logs: pure, under a fixed `now`."""

from __future__ import annotations

from tests.support.event_log import EventLog, declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.fold import derive
from warroom.incident.metrics import NOT_RECORDED, Metric, metrics
from warroom.playbook import load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)  # P1: 1 h to respond; updates every 15 minutes


def measured(log: EventLog, now_minute: float) -> dict[str, Metric]:
    state = derive(log.events, PLAYBOOK)
    return {metric.key: metric for metric in metrics(state, PLAYBOOK, now=T0 + minutes(now_minute))}


def whole_incident() -> EventLog:
    log = declared_log()
    log.add(ev.health_changed("backend", "up", "down", status=503, reason="503"), minute=-4)
    log.add(ev.acknowledged(), minute=3)
    log.add(ev.moment_set("detected", T0 - minutes(2)), minute=4)  # before the declaration
    log.add(ev.comms_copied("investigating", "We are on it", "clipboard"), minute=5)
    log.add(ev.comms_copied("email", "Dear customer", "clipboard"), minute=6)
    log.add(ev.moment_set("identified", T0 + minutes(12)), minute=12)
    log.add(ev.item_ticked("fix-applied"), minute=20)
    log.add(ev.health_changed("backend", "down", "up", status=200, reason=""), minute=22)
    log.add(ev.health_changed("frontend", "up", "down", status=None, reason="timeout"), minute=24)
    log.add(ev.health_changed("frontend", "down", "up", status=200, reason=""), minute=27)
    log.add(ev.comms_copied("resolved", "Fixed", "clipboard"), minute=40)
    log.add(ev.resolved(), minute=45)
    return log


def test_every_metric_of_a_whole_incident() -> None:
    found = measured(whole_incident(), 500)
    assert (found["duration"].value, found["duration"].seconds) == ("47 minutes", 47 * 60)
    assert "detection to the resolution" in found["duration"].how
    assert found["time_to_detect"].value == "2 minutes"  # first 'down' to the detected tick
    assert found["time_to_respond"].value == "3 minutes"
    assert found["response_target"].value == "met"
    assert found["time_to_identify"].value == "12 minutes"
    assert found["time_to_mitigate"].value == "20 minutes"
    assert found["time_to_resolve"].value == "45 minutes"
    assert found["status_updates"].value == "2"  # the e-mail is not a status update
    gap = found["longest_update_gap"]
    assert gap.seconds == 35 * 60 and "longer than the 15 minutes interval" in gap.value
    assert found["down:backend"].value == "26 minutes"
    assert found["down:frontend"].value == "3 minutes"
    assert found["phase:Detection"].value == "not completed"
    assert all(metric.how.endswith((".", ")")) for metric in found.values())


def test_moments_never_recorded_say_so_instead_of_a_number() -> None:
    log = declared_log()
    log.add(ev.note_added("looking"), minute=2)  # a note is not a response
    log.add(ev.resolved(), minute=90)
    found = measured(log, 500)
    for key in ("time_to_detect", "time_to_respond", "time_to_identify", "time_to_mitigate"):
        assert found[key].value == NOT_RECORDED and found[key].seconds is None, key
    assert found["time_to_resolve"].value == "1 hour 30 minutes"
    assert found["response_target"].value == "missed (no response recorded)"
    assert found["status_updates"].value == "0"
    assert found["longest_update_gap"].seconds == 90 * 60
    assert not any(key.startswith("down:") for key in found)


def test_a_still_open_incident_is_measured_up_to_now_and_says_so() -> None:
    log = declared_log()
    log.add(ev.health_changed("backend", "up", "down", status=503, reason="503"), minute=1)
    log.add(ev.acknowledged(), minute=70)
    found = measured(log, 100)
    assert found["duration"].value == "1 hour 40 minutes so far (open)"
    assert "still open" in found["duration"].how
    assert found["response_target"].value == "missed"
    assert found["time_to_resolve"].value == NOT_RECORDED
    assert "still open" in found["time_to_resolve"].how
    assert found["down:backend"].value.startswith("1 hour 39 minutes, still down")
    assert found["longest_update_gap"].seconds == 100 * 60


def test_a_phase_done_is_timed_against_its_window_and_an_edited_tick_counts_as_edited() -> None:
    log = declared_log()
    ticks = [
        log.add(ev.item_ticked(item.id), minute=2 + n)
        for n, item in enumerate(PLAYBOOK.phases[0].items)
    ]
    found = measured(log, 30)
    assert found["phase:Detection"].value == "5 minutes, within its window"
    log.add(ev.entry_edited(ticks[-1].seq, at=T0 + minutes(8)), minute=9)
    found = measured(log, 30)
    assert found["phase:Detection"].value == "8 minutes, 3 minutes past its window"


def test_an_unknown_severity_has_no_target_to_meet() -> None:
    log = declared_log(severity="P9")
    assert measured(log, 5)["response_target"].value == NOT_RECORDED
