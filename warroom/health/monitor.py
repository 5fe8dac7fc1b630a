"""Health of services and providers: an httpx poller that yields `HealthSample`s.

Who uses what: the war room's `HealthPane` runs `HealthMonitor.run()` in a worker and shows
each sample; `warroom check` calls `HealthMonitor.poll_once()` and prints the result.
Nothing here imports Textual.

`warroom.health.fetching` fetches (bounded in size and time, never raising for network
trouble) and is imported on the first poll, so that importing this module does not import
httpx; `warroom.health.judging` and `warroom.health.statuspage` judge (status and body in,
state and reason out, then anti-flap) and are tested without a network. Callers import
everything else from here: the judging names are re-exported through `__all__`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import httpx

    from warroom.health.fetching import Answer

__all__ = [
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
    "judge_provider",
    "judge_service",
    "one_line",
    "printable",
    "stale_after",
    "summary",
    "target_url",
]

STATUS_PATH = "/api/v2/summary.json"


Target = Service | Provider


def target_url(target: Target) -> str:
    """The URL polled for a service (its health URL) or a provider (its summary.json)."""
    if isinstance(target, Provider):
        page = target.page.rstrip("/")
        return page if page.endswith(".json") else page + STATUS_PATH
    return target.url


# --- the monitor -------------------------------------------------------------------------


def _judge(target: Target, answer: Answer) -> tuple[State, str]:
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
            from warroom.health.fetching import new_client

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
        from warroom.health.fetching import fetch

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
