"""The last minute of log lines, counted per signal pattern, one chunk at a time."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.patterns import LineMatcher
from warroom.playbook.model_signals import LogSignal

WINDOW = timedelta(minutes=1)
"""How far back rates and shares look: `per_minute` is a count over this window."""

_Key = tuple[str, str]
"""(pattern, source): signals that share both share one count."""


def _key(signal: LogSignal) -> _Key:
    return (signal.pattern, signal.source)


@dataclass
class _Second:
    at: int
    lines: dict[str, int] = field(default_factory=dict)
    """Lines per source."""
    hits: dict[_Key, int] = field(default_factory=dict)


class LogWindow:
    """Counts kept per second for the last `WINDOW`, so memory does not grow with the flood."""

    def __init__(self, signals: Iterable[LogSignal]) -> None:
        self._matchers: dict[_Key, LineMatcher] = {}
        for signal in signals:
            if _key(signal) not in self._matchers:
                self._matchers[_key(signal)] = LineMatcher([signal.pattern], ignore_case=True)
        self._seconds: deque[_Second] = deque()

    def add(self, source: str, lines: Sequence[str], at: datetime) -> None:
        """Count `source`'s `lines`, which arrived at `at`."""
        if not lines:
            return
        second = int(at.timestamp())
        if not self._seconds or self._seconds[-1].at != second:
            self._seconds.append(_Second(second))
        bucket = self._seconds[-1]
        bucket.lines[source] = bucket.lines.get(source, 0) + len(lines)
        for key, matcher in self._matchers.items():
            if key[1] in ("", source):
                found = sum(matcher.matching(lines))
                if found:
                    bucket.hits[key] = bucket.hits.get(key, 0) + found
        self._forget(at)

    def matches(self, signal: LogSignal, now: datetime) -> int:
        """Lines matching `signal` within the last `WINDOW` before `now`."""
        self._forget(now)
        return sum(second.hits.get(_key(signal), 0) for second in self._seconds)

    def lines(self, source: str, now: datetime) -> int:
        """Lines of `source` ("" for every source) within the last `WINDOW`."""
        self._forget(now)
        if source:
            return sum(second.lines.get(source, 0) for second in self._seconds)
        return sum(sum(second.lines.values()) for second in self._seconds)

    def _forget(self, now: datetime) -> None:
        oldest = int((now - WINDOW).timestamp())
        while self._seconds and self._seconds[0].at <= oldest:
            self._seconds.popleft()
