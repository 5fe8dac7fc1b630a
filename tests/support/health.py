"""A raw asyncio HTTP/1.1 server on 127.0.0.1 that can misbehave the ways a production
endpoint does (never answer, drip a body, loop redirects, send 100 MB), and the bytes it
answers with. The health, health pane and `warroom check` tests share it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from warroom.playbook import BodyCheck

Handler = Callable[[asyncio.StreamWriter], Awaitable[None]]
"""What a route may be instead of fixed bytes: it writes to the socket itself, or never."""


def response(
    status: int, body: bytes | str = b"", *, headers: dict[str, str] | None = None
) -> bytes:
    """Raw bytes of a complete HTTP/1.1 response."""
    data = body.encode() if isinstance(body, str) else body
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(data)}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def summary_json(
    indicator: str,
    *,
    incidents: tuple[str, ...] = (),
    broken: str = "",
    components: Mapping[str, str] | None = None,
    incident_status: str = "investigating",
    impact: str = "none",
    maintenances: Mapping[str, str] | None = None,
) -> str:
    """A Statuspage `summary.json`: component API operational, `broken` in partial outage,
    `components` (name -> status), `incidents` (names) in `incident_status` with `impact`,
    `maintenances` (name -> status) among the scheduled maintenances."""
    parts = [{"name": "API", "status": "operational"}]
    if broken:
        parts.append({"name": broken, "status": "partial_outage"})
    parts += [{"name": name, "status": status} for name, status in (components or {}).items()]
    return json.dumps(
        {
            "page": {"name": "P"},
            "status": {"indicator": indicator, "description": f"indicator {indicator}"},
            "components": parts,
            "incidents": [
                {"name": n, "status": incident_status, "impact": impact} for n in incidents
            ],
            "scheduled_maintenances": [
                {"name": name, "status": status} for name, status in (maintenances or {}).items()
            ],
        }
    )


@dataclass
class FakeHealthServer:
    """Routes: path -> fixed response bytes, or an async handler writing to the socket."""

    routes: dict[str, bytes | Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    port: int = 0
    _server: asyncio.Server | None = None
    _hung: list[asyncio.StreamWriter] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._hung:
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                path = request.split(b" ", 2)[1].decode()
                self.hits[path] = self.hits.get(path, 0) + 1
                route = self.routes.get(path, response(404, "no such route"))
                if isinstance(route, bytes):
                    writer.write(route)
                    await writer.drain()
                else:
                    self._hung.append(writer)
                    await route(writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # loop shutdown with a hung connection; asyncio 3.11 logs a cancelled handler
        finally:
            writer.close()


async def never_answer(writer: asyncio.StreamWriter) -> None:
    await asyncio.Future()  # accept the request and then say nothing, ever


async def drip(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(0.05)


async def huge(writer: asyncio.StreamWriter) -> None:
    """Announce 100 MB and keep sending until the client hangs up."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")
    chunk = b'{"status": "ok", "pad": "' + b"x" * 65536
    for _ in range(1600):
        writer.write(chunk)
        await writer.drain()


def delayed(delay: float, raw: bytes) -> Handler:
    async def handler(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        writer.write(raw)
        await writer.drain()

    return handler


STATUS_OK = BodyCheck(path="status", equals="ok")
