"""The pure pieces of incident command: severity actions in the timeline, typed moment times,
and how the clock strip says spans and windows. The screen itself is in tests/ui/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.playbooks import quiet_playbook
from warroom import incident as kinds
from warroom.incident import Event, derive, describe, severity_action_id
from warroom.incident.clocks import span
from warroom.ui.screens.incident_forms import parse_moment_time
from warroom.ui.widgets.clock_strip import window_label


def test_a_severity_action_tick_reads_as_the_action_in_the_timeline() -> None:
    playbook = quiet_playbook()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    declared = Event(1, "INC-1", at, kinds.DECLARED, "alice", {"title": "t", "severity": "P0"})
    tick = Event(2, "INC-1", at, kinds.ITEM_TICKED, "bob", {"item_id": "severity:P0:1"})
    assert severity_action_id("P0", 1) == "severity:P0:1"
    assert describe(tick, playbook) == "Ticked: Page the on-call person immediately (P0)"
    state = derive([declared, tick], playbook)
    assert "severity:P0:1" in state.ticked and state.first_response_at == at
    beyond = Event(3, "INC-1", at, kinds.ITEM_TICKED, "bob", {"item_id": "severity:P0:99"})
    assert describe(beyond, playbook) == "Ticked: severity:P0:99"


def test_typed_moment_times_are_read_in_the_display_zone() -> None:
    now = datetime(2026, 3, 2, 0, 10, tzinfo=UTC)

    def read(text: str) -> datetime | None:
        return parse_moment_time(text, now=now, timezone="UTC")

    assert read("00:05") == datetime(2026, 3, 2, 0, 5, tzinfo=UTC)
    assert read("23:50:30") == datetime(2026, 3, 1, 23, 50, 30, tzinfo=UTC)  # yesterday's
    assert read("2026-03-01 22:00") == datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    # Clearing takes the word; an empty answer (a stray Ctrl+U, Enter) is refused.
    assert read(" Clear ") is None
    with pytest.raises(ValueError, match="or clear to clear the moment"):
        read("  ")
    berlin = parse_moment_time("01:00", now=now, timezone="Europe/Berlin")
    assert berlin == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    for bad in ("soon", "25:00", "2026-03-02 09:00"):
        with pytest.raises(ValueError):
            read(bad)


def test_spans_and_windows_read_as_people_say_them() -> None:
    assert span(timedelta(minutes=4, seconds=5)) == "4:05"
    # A negative span is a bug, shown as one (callers pass overdue time as positive).
    assert span(timedelta(hours=-1, minutes=-2, seconds=-3)) == "−1:02:03"
    assert span(timedelta(days=13, hours=4)) == "13d 04h"
    assert window_label(timedelta(minutes=5), timedelta(minutes=15)) == "5–15 min"
    assert window_label(timedelta(minutes=30), timedelta(minutes=60)) == "30–60 min"
    assert window_label(timedelta(hours=24), timedelta(hours=48)) == "24–48 h"


def test_elapsed_time_says_when_it_is_negative() -> None:
    from warroom.ui.timefmt import elapsed

    assert elapsed(timedelta(hours=1, minutes=2, seconds=3)) == "1:02:03"
    # Only a bug (a declaration later than now) makes it negative: it says so.
    assert elapsed(timedelta(minutes=-5)) == "−0:05:00"
