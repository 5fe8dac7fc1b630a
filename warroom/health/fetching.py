"""Fetching one health URL with httpx: a body read only up to `max_body` bytes (decompressed
ones too), the whole request under one deadline, every network failure a short reason
instead of an exception.

Apart from `warroom.health.monitor` so that importing the monitor (the war room does, for its
first frame) does not import httpx (~50 ms): the monitor imports this when it first polls.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from warroom.health.judging import MAX_BODY, fmt_seconds, one_line, printable

DETAIL_BODY = 2048
"""Bytes of the body kept in `HealthSample.detail` for the detail view."""

STALL_SECONDS = 0.5
"""A timeout that fires this much later than due means the event loop was stuck."""


@dataclass
class Answer:
    status: int | None = None
    body: bytes = b""
    truncated: bool = False
    latency: float | None = None
    error: str = ""
    detail: str = ""
    stalled: bool = False
    """The timeout fired late: warroom's own loop was busy, so the time says nothing of the
    endpoint (the answer may be waiting in the socket)."""


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
) -> Answer:
    """GET `url`, reading at most `max_body` bytes, all within `timeout` seconds.

    Never raises for network trouble: the error is a short reason in `Answer.error`.
    httpx timeouts apply per read, so a body dripping one byte a second would never time
    out; the whole request therefore also runs under one `asyncio.timeout`.
    """
    answer = Answer()
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
