"""Health of services and providers: an httpx poller that yields `HealthSample`s.

Who uses what: the war room's `HealthPane` runs `HealthMonitor.run()` in a worker and shows
each sample; `warroom check` calls `HealthMonitor.poll_once()` and prints the result.
Nothing here imports Textual.

This module fetches; `warroom.health.judging` and `warroom.health.statuspage` judge (status
and body in, state and reason out, then anti-flap) and are tested without a network. Callers
import everything from here: the judging names are re-exported through `__all__`.

Fetching is bounded three ways: a body is read only up to `max_body` bytes (decompressed
ones too), the whole request runs under one deadline, and every network failure becomes a
short reason instead of an exception.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from warroom.health.judging import (
    HEALTHY,
    HISTORY,
    MAX_BODY,
    REASON_MAX,
    STATES,
    SYMBOLS,
    FlapTracker,
    HealthSample,
    Kind,
    State,
    as_seconds,
    fmt_seconds,
    judge_service,
    one_line,
    printable,
    stale_after,
    summary,
)
from warroom.health.statuspage import judge_provider
from warroom.incident import utc_now
from warroom.playbook import Playbook, Provider, Service
from warroom.safetext import masked

__all__ = [
    "DETAIL_BODY",
    "HEALTHY",
    "HISTORY",
    "MAX_BODY",
    "REASON_MAX",
    "STATES",
    "STATUS_PATH",
    "SYMBOLS",
    "FlapTracker",
    "HealthMonitor",
    "HealthSample",
    "Kind",
    "State",
    "Target",
    "fetch",
    "judge_provider",
    "judge_service",
    "new_client",
    "one_line",
    "printable",
    "stale_after",
    "summary",
    "target_url",
]

DETAIL_BODY = 2048
"""Bytes of the body kept in `HealthSample.detail` for the detail view."""
STATUS_PATH = "/api/v2/summary.json"


# --- fetching ----------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int | None = None
    body: bytes = b""
    truncated: bool = False
    latency: float | None = None
    error: str = ""
    detail: str = ""
    stalled: bool = False
    """The timeout fired late: warroom's own loop was busy, so the time says nothing of the
    endpoint (the answer may be waiting in the socket)."""


STALL_SECONDS = 0.5
"""A timeout that fires this much later than due means the event loop was stuck."""

Target = Service | Provider


def target_url(target: Target) -> str:
    """The URL polled for a service (its health URL) or a provider (its summary.json)."""
    if isinstance(target, Provider):
        page = target.page.rstrip("/")
        return page if page.endswith(".json") else page + STATUS_PATH
    return target.url


def new_client() -> httpx.AsyncClient:
    """The shared client: default pool limits (httpcore scans its pool in O(N²) of the
    connections: `max_keepalive_connections=100` made a round over 100 endpoints 2.7–4×
    slower), redirects followed but bounded, no compression asked for."""
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
        answer.stalled = time.perf_counter() - started > timeout + STALL_SECONDS
        answer.latency = None
        what = "reading body (slow drip)" if phase == "body" else "no answer"
        answer.error = f"timeout after {fmt_seconds(timeout)}: {what}"
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


def _judge(target: Target, answer: _Answer) -> tuple[State, str]:
    if answer.error:
        return ("unknown" if isinstance(target, Provider) else "down"), answer.error
    assert answer.status is not None
    if isinstance(target, Provider):
        return judge_provider(answer.status, answer.body, truncated=answer.truncated)
    assert answer.latency is not None
    return judge_service(
        target, answer.status, answer.body, answer.latency, truncated=answer.truncated
    )


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
        secrets: frozenset[str] = frozenset(),
    ) -> None:
        """`secrets`: values from the playbook's `${VAR}`s (a token in a URL): masked in every
        reason and detail, so no screen, event or `warroom check` shows them."""
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
        self._secrets = secrets
        self._trackers = {
            t.name: FlapTracker(
                failures_to_down=t.failures_to_down,
                successes_to_up=t.successes_to_up,
                history=history,
            )
            for t in self.targets
        }
        self.last: dict[str, HealthSample] = {}
        """The latest sample of each target that has been polled."""

    @classmethod
    def from_playbook(cls, playbook: Playbook, **options: Any) -> HealthMonitor:
        """A monitor over every service, then every provider, of `playbook`."""
        options.setdefault("secrets", playbook.secrets)
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
        timeout = as_seconds(target.timeout)
        url = target_url(target)
        answer = await fetch(self.client, url, timeout, max_body=self._max_body)
        if answer.stalled:
            # Ask again rather than blame the endpoint for a stall of our own.
            answer = await fetch(self.client, url, timeout, max_body=self._max_body)
        kind: Kind = "provider" if isinstance(target, Provider) else "service"
        try:
            observed, reason = _judge(target, answer)
        except Exception as error:  # one answer judged badly must not stop every target
            observed = "unknown"
            reason = one_line(f"could not judge the answer ({type(error).__name__}: {error})")
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
            reason=masked(reason + tracker.pending(observed), self._secrets),
            detail=masked(answer.detail, self._secrets),
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
        interval = max(0.01, as_seconds(target.interval))
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            on_sample(await self.poll(target))
            # Keep a fixed cadence; a poll longer than the interval is followed at once.
            next_at = max(next_at + interval, loop.time())
            await asyncio.sleep(next_at - loop.time())
