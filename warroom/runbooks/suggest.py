"""Which runbooks fit what the war room sees, best first, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from warroom.playbook.model_runbooks import Runbook
from warroom.playbook.model_signals import (
    HealthSignal,
    LatencySignal,
    LogRateSignal,
    LogShareSignal,
    Signal,
)
from warroom.runbooks.window import LogWindow

_SATISFIES = {"down": {"down"}, "degraded": {"down", "degraded"}}
"""The states that satisfy a health signal's `state`: down is worse than degraded."""


class TargetView(NamedTuple):
    """A service or provider as the health pane shows it."""

    state: str
    since: datetime | None = None
    """When it entered `state`."""
    latency: float | None = None
    """Seconds the latest answer took."""
    status: int | None = None
    """HTTP status of the latest answer."""


class Suggestion(NamedTuple):
    runbook: Runbook
    reasons: tuple[str, ...]
    """One phrase per signal that holds, in the playbook's order."""

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def log_signals(runbooks: Iterable[Runbook]) -> list[LogRateSignal | LogShareSignal]:
    """Every log signal of `runbooks`: what a `LogWindow` must count."""
    return [s for r in runbooks for s in r.signals if isinstance(s, LogRateSignal | LogShareSignal)]


def suggest(
    runbooks: Iterable[Runbook],
    health: Mapping[str, TargetView],
    logs: LogWindow,
    now: datetime,
) -> list[Suggestion]:
    """The runbooks at least one of whose signals holds, most signals holding first (the
    playbook's order among equals)."""
    found: list[tuple[int, int, Suggestion]] = []
    for index, runbook in enumerate(runbooks):
        reasons = [r for s in runbook.signals if (r := _reason(s, health, logs, now))]
        if reasons:
            found.append((-len(reasons), index, Suggestion(runbook, tuple(reasons))))
    return [suggestion for *_, suggestion in sorted(found, key=lambda f: f[:2])]


def _reason(
    signal: Signal, health: Mapping[str, TargetView], logs: LogWindow, now: datetime
) -> str:
    """Why `signal` holds, or "" when it does not."""
    if isinstance(signal, HealthSignal):
        view = health.get(signal.target)
        if view is None or view.state not in _SATISFIES[signal.state]:
            return ""
        held = now - view.since if view.since is not None else timedelta(0)
        if held < signal.lasting:
            return ""
        failed = view.status is not None and view.status >= 400  # a status page answers 200
        status = f" (HTTP {view.status})" if failed else ""
        return f"{signal.target} {view.state} {_span(held)}{status}"
    if isinstance(signal, LatencySignal):
        view = health.get(signal.target)
        if view is None or view.latency is None or view.latency * 1000 <= signal.above_ms:
            return ""
        return f"{signal.target} answers in {view.latency:.1f} s"
    label = signal.label or f"lines matching {signal.pattern!r}"
    matched = logs.matches(signal, now)
    if isinstance(signal, LogRateSignal):
        return f"{matched} {label}/min" if matched > signal.per_minute else ""
    total = logs.lines(signal.source, now)
    if total < signal.min_lines or matched * 100 <= signal.above_percent * total:
        return ""
    return f"{matched * 100 / total:.0f} % {label} ({matched} of {total} lines)"


def _span(held: timedelta) -> str:
    seconds = int(held.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
