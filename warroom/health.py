"""Health of services and providers: an httpx poller that yields `HealthSample`s.

Who uses what: the war room's `HealthPane` runs `HealthMonitor.run()` in a worker and shows
each sample; `warroom check` calls `HealthMonitor.poll_once()` and prints the result.
Nothing here imports Textual.

Judging is split from fetching so it can be tested without a network: `judge_service` and
`judge_provider` take a status code and body bytes and return `(state, reason)`.
`FlapTracker` then turns those raw judgements into the state that is shown, so that one
dropped request does not page anybody.

HTTP bodies are untrusted. Everything derived from them (reasons, the detail text) goes
through `printable()` (built on `warroom.safetext`): control and escape sequences are
shown, never emitted.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx

from warroom.playbook import Playbook, Provider, Service
from warroom.safetext import visible

State = Literal["up", "degraded", "down", "unknown"]
Kind = Literal["service", "provider"]
STATES: tuple[State, ...] = ("up", "degraded", "down", "unknown")

MAX_BODY = 1024 * 1024
"""Most bytes of a body ever read; anything longer is cut off, never loaded."""
DETAIL_BODY = 2048
"""Bytes of the body kept in `HealthSample.detail` for the detail view."""
HISTORY = 30
"""Latencies kept per target for the sparkline."""
REASON_MAX = 160
STATUS_PATH = "/api/v2/summary.json"


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


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


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


def _seconds(delta: timedelta | float) -> float:
    return delta.total_seconds() if isinstance(delta, timedelta) else float(delta)


def _fmt_seconds(seconds: float) -> str:
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
            document = json.loads(body)
        except ValueError:
            return "down", one_line(f"HTTP {status} but body is not JSON: {_preview(body)}")
        value = _lookup(document, check.path)
        if value is _MISSING:
            return "down", f"HTTP {status} but no {where} in body"
        if not _json_equal(value, check.equals):
            return "down", one_line(
                f"{where} is {_short_json(value)}, expected {_short_json(check.equals)}"
            )
        ok = f"HTTP {status}, {where} == {_short_json(check.equals)}"
    slow = _seconds(service.slow)
    if latency > slow:
        return "degraded", f"slow: {_fmt_seconds(latency)} > {_fmt_seconds(slow)} ({ok})"
    return "up", ok


def _preview(body: bytes, limit: int = 30) -> str:
    text = body[:limit].decode("utf-8", "replace").strip()
    return repr(text) if text else "empty"


_INDICATORS: dict[str, State] = {
    "none": "up",
    "minor": "degraded",
    "major": "down",
    "critical": "down",
}
_OPEN_INCIDENT = {"investigating", "identified", "monitoring"}


def judge_provider(status: int, body: bytes, *, truncated: bool = False) -> tuple[State, str]:
    """Judge a Statuspage `summary.json` answer.

    `status.indicator` none → up, minor → degraded, major/critical → down; unresolved
    incidents and non-operational components are named in the reason. Anything that is not
    such a document (404, HTML, invalid JSON, another shape) is "unknown", never "up".
    """
    if status != 200:
        return "unknown", f"HTTP {status}, not a status page"
    if truncated:
        return "unknown", f"body over {MAX_BODY // 1024 // 1024} MiB, not a status page"
    try:
        document = json.loads(body)
    except ValueError:
        return "unknown", one_line(f"not JSON ({_preview(body)}), not a status page")
    page_status = document.get("status") if isinstance(document, dict) else None
    indicator = page_status.get("indicator") if isinstance(page_status, dict) else None
    if not isinstance(indicator, str) or indicator not in _INDICATORS:
        return "unknown", "unexpected shape: no known status.indicator"
    state = _INDICATORS[indicator]
    problems: list[str] = []
    for incident in _dicts(document.get("incidents")):
        if incident.get("status") in _OPEN_INCIDENT:
            problems.append(f"{incident.get('name', '?')} ({incident.get('status')})")
    for component in _dicts(document.get("components")):
        component_status = component.get("status")
        if isinstance(component_status, str) and component_status != "operational":
            problems.append(f"{component.get('name', '?')}: {component_status.replace('_', ' ')}")
    if problems:
        return state, one_line(f"{indicator}: " + "; ".join(str(p) for p in problems))
    description = page_status.get("description") if isinstance(page_status, dict) else None
    return state, one_line(str(description or indicator))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- anti-flap ---------------------------------------------------------------------------


class FlapTracker:
    """Turns raw judgements of one target into the state that is shown.

    The first judgement is shown as it is. After that, a target that was up (or degraded)
    is shown down only after `failures_to_down` consecutive down judgements, and a target
    that is down is shown up again only after `successes_to_up` consecutive good ones
    (the way Gatus does it). Up ↔ degraded and anything involving "unknown" follow at once.
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
        if observed == "down":
            return f" ({self._streak} of {self.failures_to_down} failures)"
        return f" ({self._streak} of {self.successes_to_up} successes)"

    def _next(self, observed: State) -> State:
        current = self.state
        if current == "unknown" or observed == "unknown":
            return observed
        if observed == "down" and current != "down":
            self._streak += 1
            return "down" if self._streak >= self.failures_to_down else current
        if observed != "down" and current == "down":
            self._streak += 1
            return observed if self._streak >= self.successes_to_up else current
        self._streak = 0
        return observed


# --- fetching ----------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int | None = None
    body: bytes = b""
    truncated: bool = False
    latency: float | None = None
    error: str = ""
    detail: str = ""


Target = Service | Provider


def target_url(target: Target) -> str:
    """The URL polled for a service (its health URL) or a provider (its summary.json)."""
    if isinstance(target, Provider):
        page = target.page.rstrip("/")
        return page if page.endswith(".json") else page + STATUS_PATH
    return target.url


def new_client() -> httpx.AsyncClient:
    """The shared client: default pool limits (larger keep-alive pools are slower, see
    perf-notes), redirects followed but bounded, no compression asked for."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=10,
        headers={"User-Agent": "warroom-health/0.1", "Accept-Encoding": "identity"},
    )


async def fetch(
    client: httpx.AsyncClient, url: str, timeout: float, *, max_body: int = MAX_BODY
) -> _Answer:
    """GET `url`, reading at most `max_body` bytes, all within `timeout` seconds.

    Never raises for network trouble: the error is a short reason in `_Answer.error`.
    httpx timeouts apply per read, so a body dripping one byte a second would never time
    out; the whole request therefore also runs under one `asyncio.timeout`.
    """
    answer = _Answer()
    started = time.perf_counter()
    phase = "connect"
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, timeout=timeout) as response:
                phase = "body"
                answer.status = response.status_code
                answer.body, answer.truncated = await _read_capped(response, max_body)
                answer.latency = time.perf_counter() - started
                answer.detail = _detail(response, answer.body, answer.truncated)
    except (TimeoutError, httpx.TimeoutException):
        answer.latency = None
        what = "reading body (slow drip)" if phase == "body" else "no answer"
        answer.error = f"timeout after {_fmt_seconds(timeout)}: {what}"
    except httpx.HTTPError as error:
        answer.latency = None
        answer.error = _http_error_reason(error)
    except Exception as error:  # a health poll must never take the monitor down
        answer.latency = None
        answer.error = one_line(f"{type(error).__name__}: {error}", 100)
    if answer.error:
        answer.status = None
        answer.detail = f"GET {printable(url, keep_newlines=False)}\n\n{answer.error}"
    return answer


async def _read_capped(response: httpx.Response, max_body: int) -> tuple[bytes, bool]:
    """At most `max_body` bytes of the body (decoded if the server compressed anyway)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    decoder = None
    if encoding in ("gzip", "deflate"):
        # zlib with max_length bounds a decompression bomb; httpx's decoder does not.
        decoder = zlib.decompressobj(47 if encoding == "gzip" else zlib.MAX_WBITS)
    buffer = bytearray()
    async for chunk in response.aiter_raw():
        if decoder is not None:
            chunk = decoder.decompress(chunk, max_body + 1 - len(buffer))
        buffer += chunk
        if len(buffer) > max_body:
            return bytes(buffer[:max_body]), True
    return bytes(buffer), False


def _detail(response: httpx.Response, body: bytes, truncated: bool) -> str:
    lines = [f"{response.http_version} {response.status_code} {response.reason_phrase}"]
    lines += [f"{name}: {value}" for name, value in response.headers.items()]
    shown = body[:DETAIL_BODY].decode("utf-8", "replace").replace("\r\n", "\n")
    more = len(body) > DETAIL_BODY or truncated
    note = f"\n… (first {DETAIL_BODY} bytes shown)" if more else ""
    history = [f"redirected from {r.url}" for r in response.history]
    return printable("\n".join(history + lines) + "\n\n" + shown + note)


def _causes(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
        if isinstance(current, BaseExceptionGroup):
            current = current.exceptions[0] if current.exceptions else None


def _http_error_reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TooManyRedirects):
        return "redirect loop (too many redirects)"
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return one_line(f"bad URL: {error}", 100)
    causes = list(_causes(error))
    text = " ".join(str(c) for c in causes).lower()
    if (
        any(isinstance(c, socket.gaierror) for c in causes)
        or "name or service" in text
        or ("nodename" in text)
    ):
        return "DNS lookup failed"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return "TLS error: certificate not trusted"
    if any(isinstance(c, ssl.SSLError) for c in causes) or "ssl" in text or "tls" in text:
        return "TLS error: handshake failed"
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text:
        return "connection refused"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection closed without a valid answer"
    if isinstance(error, httpx.ReadError):
        return "connection reset while reading"
    if isinstance(error, httpx.ConnectError):
        return one_line(f"cannot connect: {error}", 100)
    return one_line(f"{type(error).__name__}: {error}", 100)


# --- the monitor -------------------------------------------------------------------------


class HealthMonitor:
    """Polls services and providers concurrently with one shared `httpx.AsyncClient`.

    `poll_once()` polls every target once, all at once; `run()` polls each target on its own
    interval with its own timeout, forever, so a slow endpoint never delays another. Pass a
    `client` to share one (it is then not closed here); otherwise one is created on first use
    and closed by `aclose()` (or `async with`).
    """

    def __init__(
        self,
        targets: Iterable[Target],
        *,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utc_now,
        max_body: int = MAX_BODY,
        history: int = HISTORY,
    ) -> None:
        self.targets: tuple[Target, ...] = tuple(targets)
        """Services and providers, in the order they are shown."""
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names must be unique: {names}")
        self._client = client
        self._own_client = client is None
        self.clock = clock
        """Where sample times (and the pane's "since") come from."""
        self._max_body = max_body
        self._trackers = {
            t.name: FlapTracker(
                failures_to_down=t.failures_to_down if isinstance(t, Service) else 1,
                successes_to_up=t.successes_to_up if isinstance(t, Service) else 1,
                history=history,
            )
            for t in self.targets
        }
        self.last: dict[str, HealthSample] = {}
        """The latest sample of each target that has been polled."""

    @classmethod
    def from_playbook(cls, playbook: Playbook, **options: Any) -> HealthMonitor:
        """A monitor over every service, then every provider, of `playbook`."""
        return cls([*playbook.services, *playbook.providers], **options)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = new_client()
        return self._client

    async def aclose(self) -> None:
        """Close the client if this monitor created it."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> HealthMonitor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def poll(self, target: Target) -> HealthSample:
        """Poll one target once and return its sample (never raises for HTTP trouble)."""
        timeout = _seconds(target.timeout)
        answer = await fetch(self.client, target_url(target), timeout, max_body=self._max_body)
        kind: Kind = "provider" if isinstance(target, Provider) else "service"
        observed: State
        if answer.error:
            observed = "unknown" if kind == "provider" else "down"
            reason = answer.error
        elif isinstance(target, Provider):
            assert answer.status is not None
            observed, reason = judge_provider(
                answer.status, answer.body, truncated=answer.truncated
            )
        else:
            assert answer.status is not None and answer.latency is not None
            observed, reason = judge_service(
                target, answer.status, answer.body, answer.latency, truncated=answer.truncated
            )
        tracker = self._trackers[target.name]
        previous = tracker.state
        at = self.clock()
        state = tracker.update(observed, answer.latency, at)
        sample = HealthSample(
            target=target.name,
            kind=kind,
            at=at,
            state=state,
            status=answer.status,
            latency=answer.latency,
            reason=reason + tracker.pending(observed),
            detail=answer.detail,
            observed=observed,
            previous=previous,
            since=tracker.since,
            history=tuple(tracker.latencies),
        )
        self.last[target.name] = sample
        return sample

    async def poll_once(self) -> list[HealthSample]:
        """Poll every target once, concurrently; samples in target order."""
        return list(await asyncio.gather(*(self.poll(t) for t in self.targets)))

    async def run(self, on_sample: Callable[[HealthSample], None]) -> None:
        """Poll every target on its own interval until cancelled, calling `on_sample` for
        each sample. Closes an own client on the way out."""
        try:
            async with asyncio.TaskGroup() as group:
                for target in self.targets:
                    group.create_task(self._loop(target, on_sample))
        finally:
            await self.aclose()

    async def _loop(self, target: Target, on_sample: Callable[[HealthSample], None]) -> None:
        interval = max(0.01, _seconds(target.interval))
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            on_sample(await self.poll(target))
            # Keep a fixed cadence; a poll longer than the interval is followed at once.
            next_at = max(next_at + interval, loop.time())
            await asyncio.sleep(next_at - loop.time())


def summary(states: Iterable[State]) -> tuple[int, int, str]:
    """`(down, total, text)` for a header: "2/7 down, 1 degraded", "7/7 up".

    The worst state leads with `count/total`; the other non-up states follow as counts.
    """
    states = list(states)
    total = len(states)
    counts = [(state, states.count(state)) for state in ("down", "degraded", "unknown")]
    parts = [(state, count) for state, count in counts if count]
    if not parts:
        return 0, total, f"{total}/{total} up"
    (worst, count), rest = parts[0], parts[1:]
    text = ", ".join([f"{count}/{total} {worst}", *(f"{n} {state}" for state, n in rest)])
    return states.count("down"), total, text
