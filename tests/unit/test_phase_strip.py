"""The phase strip's text under an injected `now`: every phase, its mark, and the fit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom import incident as inc
from warroom.incident import Event, derive
from warroom.incident.clocks import Clocks, clocks
from warroom.incident.phase_strip import PhaseMark, strip_line, strip_parts, window_length
from warroom.playbook import load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)
DETECTION = [item.id for item in PLAYBOOK.phases[0].items]
EVERY_ITEM = [item.id for phase in PLAYBOOK.phases for item in phase.items]


def at_minute(now: float, ticked: list[str] = (), resolved_at: float | None = None) -> Clocks:  # type: ignore[assignment]
    rows: list[tuple[str, dict[str, Any], float]] = [
        (inc.DECLARED, {"title": "t", "severity": "P1"}, 0.0),
        *((inc.ITEM_TICKED, {"item_id": item}, 1.0) for item in ticked),
    ]
    if resolved_at is not None:
        rows.append((inc.RESOLVED, {}, resolved_at))
    log = [
        Event(seq, "INC-20250301-001", T0 + minutes(minute), kind, "ann", payload)
        for seq, (kind, payload, minute) in enumerate(rows, start=1)
    ]
    return clocks(derive(log, PLAYBOOK), PLAYBOOK, T0 + minutes(now))


def test_the_current_phase_shows_its_time_against_its_window() -> None:
    line = strip_line(at_minute(12.2, DETECTION), 80)
    assert line == "✓Detection ▶Investigation 7:12/10m  Mitigation  Resolution  Post-Mortem"


def test_a_fresh_incident_is_in_its_first_phase_and_nothing_is_done() -> None:
    parts = strip_parts(at_minute(0.5))
    assert [part.mark for part in parts] == [PhaseMark.CURRENT] + [PhaseMark.WAITING] * 4
    assert parts[0].timing == "0:30/5m"


def test_a_phase_reached_early_has_spent_no_time_in_its_window() -> None:
    # Detection done by minute 1; Investigation's window opens at 5.
    assert strip_parts(at_minute(3, DETECTION))[1].timing == "0:00/10m"


def test_late_phases_are_marked_and_the_current_one_says_how_late() -> None:
    parts = strip_parts(at_minute(40, DETECTION))
    assert [part.mark for part in parts] == [
        PhaseMark.DONE,
        PhaseMark.OVERDUE,  # current, window ended at 15m
        PhaseMark.OVERDUE,  # not started, window ended at 30m
        PhaseMark.WAITING,  # window ends at 60m
        PhaseMark.WAITING,
    ]
    assert strip_line(at_minute(40, DETECTION), 80).startswith(
        "✓Detection !Investigation +25:00 !Mitigation  Resolution"
    )


def test_every_phase_done_is_all_ticks() -> None:
    line = strip_line(at_minute(30, EVERY_ITEM), 80)
    assert line == "✓Detection ✓Investigation ✓Mitigation ✓Resolution ✓Post-Mortem"


def test_the_post_mortem_window_reads_in_hours() -> None:
    everything_but_the_last = [item.id for phase in PLAYBOOK.phases[:-1] for item in phase.items]
    parts = strip_parts(at_minute(25 * 60, everything_but_the_last, resolved_at=50))
    assert parts[-1].mark is PhaseMark.CURRENT and parts[-1].timing == "1:00:00/24h"
    assert window_length(minutes(90)) == "90m"


@pytest.mark.parametrize("width", [80, 60, 45, 30])
def test_narrow_widths_keep_every_phase_and_its_mark(width: int) -> None:
    line = strip_line(at_minute(40, DETECTION), width)
    assert len(line) <= width
    for mark in ("✓D", "!I", "!M", " R", " P"):
        assert mark in line, (mark, line)
    # The current phase's lateness is the last thing to go.
    assert "+25:00" in line
