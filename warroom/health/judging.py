"""Judging health without a network: HTTP answers in, the state to show out.

`judge_service` (here) and `judge_provider` (`warroom.health.statuspage`) take a status
code and body bytes and return `(state, reason)`. `FlapTracker` then turns those raw
judgements into the state that is shown, so that one dropped request does not page anybody;
`HealthSample` carries the result, `summary` counts states for a header and `stale_after`
says when a target's last answer is too old to be believed. The poller that fetches the
answers is `warroom.health.monitor`, which re-exports every public name here; this module
imports neither httpx nor Textual (tests/meta/test_import_contracts.py holds it to that).

HTTP bodies are untrusted. Everything derived from them (reasons, the detail text) goes
through `printable()` (built on `warroom.safetext`): control and escape sequences are
shown, never emitted.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from warroom.playbook import Service
from warroom.safetext import visible

State = Literal["up", "degraded", "down", "maintenance", "unknown"]
Kind = Literal["service", "provider"]
STATES: tuple[State, ...] = ("up", "degraded", "down", "maintenance", "unknown")
SYMBOLS: dict[State, str] = {
    "up": "✓",
    "degraded": "!",
    "down": "✗",
    "maintenance": "⚒",
    "unknown": "?",
}
"""A distinct symbol per state, so that the state reads without colour."""
HEALTHY: frozenset[State] = frozenset({"up", "maintenance"})
"""States that are no outage: a provider's announced, in-progress maintenance is planned
work, so it pages nobody and fails no `warroom check`, yet it is shown as what it is."""

MAX_BODY = 1024 * 1024
"""Most bytes of a body ever read; anything longer is cut off, never loaded."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of a JSON body that is judged; a health answer needs a handful."""
HISTORY = 30
"""Latencies kept per target for the sparkline."""
REASON_MAX = 160


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with control, escape and bidi characters as visible stand-ins (`safetext`).

    Newlines survive when `keep_newlines` (the detail view); otherwise they show as `␊`,
    which is what a one-line reason needs.
    """
    if not keep_newlines:
        return visible(text, limit=None)
    return "\n".join(visible(line, limit=None) for line in text.split("\n"))


def one_line(text: str, limit: int = REASON_MAX) -> str:
    """A safe single line of at most `limit` characters."""
    line = printable(text, keep_newlines=False)
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class HealthSample:
    """The outcome of one poll of one target, after anti-flap."""

    target: str
    """Name of the service or provider."""
    kind: Kind
    at: datetime
    """When the poll finished, UTC."""
    state: State
    """The state shown: the raw judgement smoothed by anti-flap."""
    status: int | None
    """HTTP status code, None when no response arrived."""
    latency: float | None
    """Seconds from sending the request to the end of the (capped) body; None on failure
    before any response."""
    reason: str
    """One printable line saying why this state."""
    detail: str = ""
    """Status line, headers and the first bytes of the body, printable, for the detail view."""
    observed: State = "unknown"
    """What this poll alone said, before anti-flap."""
    previous: State = "unknown"
    """The shown state before this sample; "unknown" for a target's first sample."""
    since: datetime | None = None
    """When the shown state last changed."""
    history: tuple[float | None, ...] = field(default=(), compare=False)
    """Recent latencies, oldest first, None for polls that got no answer."""

    @property
    def changed(self) -> bool:
        """True when this sample changed the shown state (including the first sample)."""
        return self.state != self.previous

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (no detail, no history)."""
        return {
            "target": self.target,
            "kind": self.kind,
            "state": self.state,
            "status": self.status,
            "latency_ms": None if self.latency is None else round(self.latency * 1000, 1),
            "reason": self.reason,
            "at": self.at.isoformat(),
        }


# --- judging ---------------------------------------------------------------------------

_MISSING = object()


class UnreadableJSON(ValueError):
    """A body that is not JSON, or nested too deep to be judged; the message says which."""


def parse_json(body: bytes) -> Any:
    """The JSON document in `body`; `UnreadableJSON` if it is not one or nests too deep.

    `json` recurses per nesting level: 200 KB of `[[[[…` would raise RecursionError from
    deep inside the poller, so depth is capped, before and after parsing.
    """
    try:
        document = json.loads(body)
    except RecursionError:
        raise UnreadableJSON(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise UnreadableJSON(f"not JSON: {_preview(body)}") from None
    if _deeper_than(document, MAX_JSON_DEPTH):
        raise UnreadableJSON(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return document


def _deeper_than(document: Any, limit: int) -> bool:
    # Without recursion: this is what guards the recursive code that reads the document.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return False


def _lookup(document: Any, path: str) -> Any:
    """Value at a dotted path (`checks.db.status`, `items.0.ok`), or `_MISSING`."""
    value = document
    for part in path.lstrip(".").split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _json_equal(value: Any, expected: Any) -> bool:
    # Python says True == 1; a health check must not: `"ok": 1` is not `ok == true`.
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(expected, (int, float)) and isinstance(value, (int, float)):
        return value == expected
    return type(value) is type(expected) and value == expected


def _short_json(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_seconds(delta: timedelta | float) -> float:
    """A playbook duration (timedelta, or plain seconds) as float seconds."""
    return delta.total_seconds() if isinstance(delta, timedelta) else float(delta)


def stale_after(interval: timedelta | float, timeout: timedelta | float) -> float:
    """Seconds after its last answer that a target's row is stale: two missed polls.

    A poll ends up to `timeout` after it starts, so with a timeout longer than the interval
    the answers of a working poller are `timeout` apart; counting in the longer of the two
    keeps such a target from looking stale while it is polled as configured.
    """
    return 2 * max(as_seconds(interval), as_seconds(timeout))


def fmt_seconds(seconds: float) -> str:
    """Seconds for a reason: "0.4s", "12s"."""
    return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"


def judge_service(
    service: Service, status: int, body: bytes, latency: float, *, truncated: bool = False
) -> tuple[State, str]:
    """Judge one answer of a service: status range, body condition, then slowness.

    `truncated` says the body was longer than `MAX_BODY` and only its start is in `body`.
    """
    low, high = service.expected_status
    if not low <= status <= high:
        return "down", f"HTTP {status}"
    ok = f"HTTP {status}"
    check = service.body
    if check is not None:
        where = "." + check.path.lstrip(".")
        if truncated:
            return "down", f"HTTP {status} but body over {MAX_BODY // 1024 // 1024} MiB"
        try:
            document = parse_json(body)
        except UnreadableJSON as error:
            return "down", one_line(f"HTTP {status} but body is {error}")
        value = _lookup(document, check.path)
        if value is _MISSING:
            return "down", f"HTTP {status} but no {where} in body"
        if not _json_equal(value, check.equals):
            return "down", one_line(
                f"{where} is {_short_json(value)}, expected {_short_json(check.equals)}"
            )
        ok = f"HTTP {status}, {where} == {_short_json(check.equals)}"
    slow = as_seconds(service.slow)
    if latency > slow:
        return "degraded", f"slow: {fmt_seconds(latency)} > {fmt_seconds(slow)} ({ok})"
    return "up", ok


def _preview(body: bytes, limit: int = 30) -> str:
    text = body[:limit].decode("utf-8", "replace").strip()
    return repr(text) if text else "empty"


# --- anti-flap ---------------------------------------------------------------------------


class FlapTracker:
    """Turns raw judgements of one target into the state that is shown.

    The first judgement is shown as it is. After that, a target that was up (or degraded)
    is shown down only after `failures_to_down` consecutive down judgements, and a target
    that is down is shown up again only after `successes_to_up` consecutive good ones
    (the way Gatus does it). Losing sight of a known target ("unknown": a timeout, an
    unreadable page) is held back like a failure; up ↔ degraded ↔ maintenance, and the first
    knowledge of a target that was unknown, follow at once. Maintenance is no failure: a down
    target that goes into maintenance needs `successes_to_up` answers saying so, as for up.
    """

    def __init__(
        self, *, failures_to_down: int = 1, successes_to_up: int = 1, history: int = HISTORY
    ) -> None:
        self.failures_to_down = max(1, failures_to_down)
        self.successes_to_up = max(1, successes_to_up)
        self.state: State = "unknown"
        """The state shown now."""
        self.since: datetime | None = None
        """When `state` last changed."""
        self.latencies: deque[float | None] = deque(maxlen=history)
        """Recent latencies, bounded."""
        self._streak = 0

    def update(self, observed: State, latency: float | None, at: datetime) -> State:
        """Record one judgement and return the state to show now."""
        self.latencies.append(latency)
        new = self._next(observed)
        if new != self.state or self.since is None:
            self.state, self.since, self._streak = new, at, 0
        return self.state

    def pending(self, observed: State) -> str:
        """A note like "(1 of 2 failures)" while a change is held back, else ""."""
        if observed == self.state or self._streak == 0:
            return ""
        if observed in ("down", "unknown"):
            return f" ({self._streak} of {self.failures_to_down} failures)"
        return f" ({self._streak} of {self.successes_to_up} successes)"

    def _next(self, observed: State) -> State:
        current = self.state
        if current == "unknown":
            return observed
        if observed == "unknown":
            self._streak += 1
            return observed if self._streak >= self.failures_to_down else current
        if observed == "down" and current != "down":
            self._streak += 1
            return "down" if self._streak >= self.failures_to_down else current
        if observed != "down" and current == "down":
            self._streak += 1
            return observed if self._streak >= self.successes_to_up else current
        self._streak = 0
        return observed


# --- summary -----------------------------------------------------------------------------


def summary(states: Iterable[State]) -> tuple[int, int, str]:
    """`(down, total, text)` for a header: "2/7 down, 1 degraded", "7/7 up".

    The worst state leads with `count/total`; the other non-up states follow as counts,
    maintenance last (it is planned, not an outage, and never counts as down).
    """
    states = list(states)
    total = len(states)
    order: tuple[State, ...] = ("down", "degraded", "unknown", "maintenance")
    counts = [(state, states.count(state)) for state in order]
    parts = [(state, count) for state, count in counts if count]
    if not parts:
        return 0, total, f"{total}/{total} up"
    (worst, count), rest = parts[0], parts[1:]
    text = ", ".join([f"{count}/{total} {worst}", *(f"{n} {state}" for state, n in rest)])
    return states.count("down"), total, text
