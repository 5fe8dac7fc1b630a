"""Sending `ApiRequest`s over HTTP with httpx, reliably and boundedly.

Each request gets a timeout; 429 waits as long as `Retry-After` says (capped), 5xx and a
refused connection are retried with doubling waits, a bounded number of times; 401/403,
404 and 400/422 are answered at once with the API's own reason. A request that got no
answer (a timeout, or a connection broken after it was sent) is sent again only when it is
`repeatable`: a create that timed out may have
happened, and `flows` looks before creating again. Every sentence is masked with the
request's secrets: httpx puts the URL (a webhook's secret) into its errors.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import httpx

from warroom.publish.delivery import Delivery, answered_message, error_text
from warroom.publish.requests import TARGET_NAMES, ApiRequest


class RetryPolicy(NamedTuple):
    """How hard to try before reporting a failure."""

    attempts: int = 4
    """Tries in all, the first included."""
    backoff: float = 0.5
    """Seconds before the first retry of a 5xx or a refused connection, doubling after."""
    max_wait: float = 30.0
    """The longest single wait, `Retry-After` included: longer is reported, not waited."""
    timeout: float = 10.0
    """Seconds for each try to connect, send and be answered."""


Sleep = Callable[[float], Awaitable[None]]


class Sender:
    """Sends requests with one `httpx.AsyncClient`; `aclose` when done."""

    def __init__(self, policy: RetryPolicy | None = None, *, sleep: Sleep = asyncio.sleep) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._client = httpx.AsyncClient(timeout=self.policy.timeout, follow_redirects=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def send(self, request: ApiRequest) -> Delivery:
        """Send `request` until it succeeds, is refused for good, or the tries run out."""
        policy = self.policy
        attempts: list[str] = []
        where = TARGET_NAMES[request.target]
        for number in range(policy.attempts):
            last = number == policy.attempts - 1
            backoff = min(policy.backoff * 2**number, policy.max_wait)
            try:
                response = await self._client.request(
                    request.method,
                    request.url,
                    headers=dict(request.headers),
                    json=request.body,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                # Nothing reached the server: trying again cannot make a duplicate.
                attempts.append("not connected")
                if last:
                    message = f"could not reach {where}: {error or 'connect timeout'}"
                    return self._failed(request, "failed", message, attempts)
                await self._sleep(backoff)
                continue
            except (httpx.TimeoutException, httpx.TransportError) as error:
                timed_out = isinstance(error, httpx.TimeoutException)
                attempts.append("timed out" if timed_out else "no answer")
                if last or not request.repeatable:
                    message = (
                        f"{where} did not answer within {policy.timeout:g}s"
                        if timed_out
                        else f"the connection to {where} broke before an answer ({error})"
                    )
                    if not request.repeatable:
                        message += "; it may have been done all the same"
                    outcome = "timed out" if timed_out else "no answer"
                    return self._failed(request, outcome, message, attempts)
                await self._sleep(backoff)
                continue
            except httpx.HTTPError as error:
                attempts.append("failed")
                message = f"sending to {where} failed: {error}"
                return self._failed(request, "failed", message, attempts)
            status = response.status_code
            if 200 <= status < 300:
                attempts.append(str(status))
                return Delivery(
                    request,
                    True,
                    "sent",
                    f"{where} accepted it (HTTP {status}).",
                    status,
                    _json(response),
                    tuple(attempts),
                )
            if status == 429 and not last:
                wait = retry_after(response.headers.get("Retry-After"), default=backoff)
                if wait <= policy.max_wait:
                    attempts.append(f"429 (waited {wait:g}s)")
                    await self._sleep(wait)
                    continue
            if status >= 500 and not last:
                attempts.append(str(status))
                await self._sleep(backoff)
                continue
            attempts.append(str(status))
            outcome, message = answered_message(
                request, status, error_text(response.content, request)
            )
            return Delivery(request, False, outcome, message, status, None, tuple(attempts))
        raise AssertionError("RetryPolicy.attempts must be at least 1")

    @staticmethod
    def _failed(request: ApiRequest, outcome: str, message: str, attempts: list[str]) -> Delivery:
        text = request.mask(message.rstrip(".")) + "."
        return Delivery(request, False, outcome, text, None, None, tuple(attempts))


def retry_after(value: str | None, *, default: float) -> float:
    """Seconds a `Retry-After` header asks for (a number, or an HTTP date); `default` when
    it is absent or unreadable."""
    if value is None:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
