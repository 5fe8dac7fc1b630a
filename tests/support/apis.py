"""A raw asyncio HTTP/1.1 server on 127.0.0.1 playing Statuspage, a Slack webhook and the
PagerDuty Events API for the publishing tests: it reads each whole request (headers and
body), keeps it, and answers from a script per route — fixed bytes built with
`tests.support.health.response`, or a handler that may never answer (`never_answer`)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tests.support.health import Handler, response
from warroom.playbook import ChatTarget, PagingTarget, Playbook, StatusPageTarget


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    """Names in lower case."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def json_answer(status: int, body: Any, *, headers: dict[str, str] | None = None) -> bytes:
    return response(
        status, json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})}
    )


@dataclass
class FakeApiServer:
    """`script[(METHOD, path)]`: the answers in order; the last one repeats."""

    script: dict[tuple[str, str], list[bytes | Handler]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, method: str, path: str, *answers: bytes | Handler) -> None:
        self.script[(method, path)] = list(answers)

    def requests(self, method: str, path: str) -> list[Seen]:
        return [seen for seen in self.seen if (seen.method, seen.path) == (method, path)]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                first, *lines = head.split("\r\n")
                method, path, _version = first.split(" ", 2)
                headers = {}
                for line in lines:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.seen.append(Seen(method, path, headers, body))
                answers = self.script.get((method, path), [response(404, "no such route")])
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, bytes):
                    writer.write(answer)
                    await writer.drain()
                else:
                    await answer(writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # loop shutdown with a hung connection
        finally:
            writer.close()


KEY = "sp-key-Zq81x"
"""The Statuspage API key the publishing tests' playbooks hold."""
HOOK_SECRET = "T0B0-hook-s3cr3t"
"""The secret part of their webhook URL."""
ROUTING_KEY = "rk-Pd7731abc"
"""Their PagerDuty routing key."""
SECRETS = (KEY, HOOK_SECRET, ROUTING_KEY)

PAGE = "/pages/pg1/incidents"
"""Where the tests' status page creates incidents."""


def publishing_playbook(server: FakeApiServer, base: Playbook) -> Playbook:
    """`base` publishing to `server`: page pg1 (component cmp-backend for the service
    backend, cmp-fly for the provider Fly.io), a webhook and the Events API."""
    return base._replace(
        status_page=StatusPageTarget(
            page_id="pg1",
            api_key=KEY,
            api=server.url(""),
            components=MappingProxyType({"backend": "cmp-backend", "Fly.io": "cmp-fly"}),
        ),
        chat=ChatTarget(webhook=server.url(f"/hooks/{HOOK_SECRET}")),
        paging=PagingTarget(routing_key=ROUTING_KEY, events_url=server.url("/v2/enqueue")),
        secrets=base.secrets | {KEY, server.url(f"/hooks/{HOOK_SECRET}"), ROUTING_KEY},
    )


PUBLISHING_TOML = """
[status_page]
api = "{api}"
page_id = "pg1"
api_key = "${{STATUSPAGE_API_KEY}}"
components = {{ backend = "cmp-backend", "Fly.io" = "cmp-fly" }}

[chat]
webhook = "${{SLACK_WEBHOOK}}"

[paging]
routing_key = "${{PAGERDUTY_ROUTING_KEY}}"
events_url = "{events}"
"""


def publishing_environment(server: FakeApiServer) -> dict[str, str]:
    """The variables `PUBLISHING_TOML` reads its secrets from."""
    return {
        "STATUSPAGE_API_KEY": KEY,
        "SLACK_WEBHOOK": server.url(f"/hooks/{HOOK_SECRET}"),
        "PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
    }


def write_publishing_playbook(server: FakeApiServer, shipped: Path, folder: Path) -> Path:
    """The shipped playbook with [status_page], [chat] and [paging] at `server`."""
    path = folder / "playbook.toml"
    extra = PUBLISHING_TOML.format(api=server.url(""), events=server.url("/v2/enqueue"))
    path.write_text(shipped.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


async def hang_up(writer: asyncio.StreamWriter) -> None:
    """Take the request, then close the connection without a word: the create may have
    happened, and the client cannot know."""
    writer.close()
