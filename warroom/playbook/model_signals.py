"""The schema of `[[runbook.signal]]`: what the war room watches for to suggest a runbook.

A runbook's signals are its matching rules, kept in the playbook so that whoever owns the
file, not the code, says what "the database is failing" looks like. Each signal is one
observation (a target's state, its latency, a log pattern's rate or share) and a threshold;
`warroom.runbooks` ranks the runbooks by how many of their signals hold.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, NamedTuple

SignalState = Literal["down", "degraded"]
SIGNAL_KINDS = ("health", "latency", "log_rate", "log_share")


class HealthSignal(NamedTuple):
    """A service or provider shown in `state` (or worse) for at least `lasting`."""

    target: str
    """Name of a [[service]] or [[provider]]."""
    state: SignalState = "down"
    """"down", or "degraded", which a down target also satisfies."""
    lasting: timedelta = timedelta(0)
    """How long the state must have held (`for` in the file)."""


class LatencySignal(NamedTuple):
    """A target whose latest answer took longer than `above_ms`."""

    target: str
    above_ms: int


class LogRateSignal(NamedTuple):
    """More than `per_minute` log lines a minute matching `pattern` (RE2, any case)."""

    pattern: str
    per_minute: int
    source: str = ""
    """Only this [[log_source]]'s lines; "" counts every source."""
    label: str = ""
    """What the matches are, for the reason ("psycopg errors"); default: the pattern."""


class LogShareSignal(NamedTuple):
    """More than `above_percent` of the last minute's log lines matching `pattern`."""

    pattern: str
    above_percent: float
    source: str = ""
    label: str = ""
    min_lines: int = 20
    """Fewer lines than this in the minute say nothing (2 of 3 lines is not a rate)."""


Signal = HealthSignal | LatencySignal | LogRateSignal | LogShareSignal
LogSignal = LogRateSignal | LogShareSignal
