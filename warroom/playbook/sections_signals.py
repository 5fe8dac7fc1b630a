"""Reading `[[runbook.signal]]`: one table per signal, its `kind` saying which keys it takes.

Targets and sources are checked against the file's [[service]], [[provider]] and
[[log_source]] names, patterns against RE2 (linear time), each problem pinned to its line.
"""

from __future__ import annotations

from typing import NamedTuple, cast

from warroom.patterns import PatternError, check_pattern
from warroom.playbook.model_signals import (
    SIGNAL_KINDS,
    HealthSignal,
    LatencySignal,
    LogRateSignal,
    LogShareSignal,
    Signal,
    SignalState,
)
from warroom.playbook.toml_table import REQUIRED, Table, describe, show

_STATES = ("down", "degraded")


class SignalRefs(NamedTuple):
    """Names a signal may refer to."""

    targets: set[str]
    sources: set[str]


def signals(runbook: Table, refs: SignalRefs) -> tuple[Signal, ...]:
    out: list[Signal] = []
    for table in runbook.tables("signal"):
        signal = _signal(table, refs)
        if signal is not None:
            out.append(signal)
        table.done()
    return tuple(out)


def _signal(table: Table, refs: SignalRefs) -> Signal | None:
    kind = table.choice("kind", SIGNAL_KINDS)
    if kind in ("health", "latency"):
        target = table.text("target")
        if target and target not in refs.targets:
            shown = table.shown("target", target)
            table.problem("target", f"no [[service]] or [[provider]] is named {shown}")
        if kind == "latency":
            return LatencySignal(target, table.integer("above_ms", minimum=1))
        state = cast(SignalState, table.choice("state", _STATES, "down") or "down")
        return HealthSignal(target, state, table.duration("for", "0s", zero=True))
    if kind not in ("log_rate", "log_share"):
        return None
    pattern = _pattern(table)
    source = table.text("source", "")
    if source and source not in refs.sources:
        table.problem("source", f"no [[log_source]] is named {table.shown('source', source)}")
    label = table.text("label", "")
    if kind == "log_rate":
        return LogRateSignal(pattern, table.integer("per_minute", minimum=1), source, label)
    percent = _percent(table)
    minimum = table.integer("min_lines", 20, minimum=1)
    return LogShareSignal(pattern, percent, source, label, minimum)


def _pattern(table: Table) -> str:
    pattern = table.text("pattern")
    try:
        check_pattern(pattern, ignore_case=True)
    except PatternError as exc:
        written = table.checker.source((*table.path, "pattern"), pattern)
        what = f"{describe(written, pattern)}: {exc}"
        if written is not None:
            what = f"in {describe(written, pattern)}: {exc.unquoted}"
        table.checker.problem(
            (*table.path, "pattern"),
            f"{show((*table.path, 'pattern'))}: bad regular expression {what}",
        )
    return pattern


def _percent(table: Table) -> float:
    value = table.get("above_percent", (int, float), "a number of percent", REQUIRED)
    if value is REQUIRED:
        return 0.0
    if not 0 < value < 100:
        table.problem("above_percent", f"must be between 0 and 100, not {value}")
    return float(value)
