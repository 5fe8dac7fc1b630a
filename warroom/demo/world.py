"""The simulated outage behind `warroom demo` and the tests: all local, no Fly account.

`DemoWorld` serves, on 127.0.0.1 and a free port, the three Slurpy services' health
endpoints, four Statuspage-style `summary.json` pages and the outside services publishing
talks to (`published`: a Statuspage-compatible API, a webhook, an Events API, and Slurpy's
own status page showing what was published), answering as `scenario` says for the seconds
elapsed since the world started and for the image the backend runs (the fleet file: rolling
the bad release back makes the backend healthy). `demo_playbook` turns the shipped playbook
into one that polls that server, publishes and pages through it, and runs
`warroom.demo.fakefly` wherever it runs `fly` (log sources, quick checks, runbook steps,
emergency commands), so the whole product runs on the real playbook's phases, runbooks and
templates; the world's
`environment` gives the stand-in a fleet file, so a deploy or a scale made in the demo is
there for the next command.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from warroom.demo import scenario
from warroom.demo.fakefly_fleet import STATE_VARIABLE
from warroom.demo.published import (
    DEMO_API_KEY,
    DEMO_COMPONENTS,
    DEMO_PAGE_ID,
    DEMO_ROUTING_KEY,
    EVENTS_PATH,
    STATUSPAGE_PREFIX,
    WEBHOOK_PATH,
    Publications,
)
from warroom.playbook import ChatTarget, PagingTarget, Playbook, StatusPageTarget, Step

if TYPE_CHECKING:
    from warroom.demo.server import DemoServer

EPOCH_VARIABLE = "WARROOM_DEMO_EPOCH"
"""Environment variable through which `fakefly` learns when the outage script started."""

DEMO_SERVICE_INTERVAL = timedelta(seconds=2)
DEMO_PROVIDER_INTERVAL = timedelta(seconds=5)

_PROVIDER_SLUGS = {name.lower(): slug for slug, name in scenario.PROVIDERS.items()}

LISTEN_BACKLOG = 128
"""socketserver's own backlog of 5 had one SYN of the health monitor's round of seven polls,
all at once, dropped and retried a second later."""
READY_SECONDS = 10.0
"""How long `stop` waits for a server that was started to be up, so it can be shut down."""


class DemoWorld:
    """The outage's HTTP server: listening from the moment it is made, serving from `start`
    (entering it as a context starts it) in a background thread until `stop`. Connections
    made before `start` wait in the listen backlog: `warroom demo` starts it once its first
    screen is out, which the server's imports would otherwise hold back."""

    def __init__(self, *, epoch: float | None = None) -> None:
        self.epoch = time.time() if epoch is None else epoch
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)
        self.publications = Publications()
        """What the demo's status page API, webhook and Events API received."""
        self._fleet = tempfile.TemporaryDirectory(prefix="warroom-fleet-")
        self.fleet_file = Path(self._fleet.name) / "fleet.json"
        """Where the fake `fly` keeps deploys and scaling (its WARROOM_FAKEFLY_STATE)."""
        self._server: DemoServer | None = None
        self._up = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="warroom-demo-http", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoWorld:
        """Serve from now on (once; nothing if it already does)."""
        if self._thread.ident is None:
            self._thread.start()
        return self

    def _serve(self) -> None:
        from warroom.demo.server import DemoServer

        try:
            self._server = DemoServer(
                self._listener,
                epoch=self.epoch,
                fleet_file=self.fleet_file,
                publications=self.publications,
            )
        finally:
            self._up.set()
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread.ident is not None:
            self._up.wait(READY_SECONDS)
        if self._server is not None:
            self._server.shutdown()
        self._listener.close()
        self._fleet.cleanup()

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        """Variables the fake `fly` processes need to follow the same script and fleet."""
        return {
            EPOCH_VARIABLE: repr(self.epoch),
            STATE_VARIABLE: str(self.fleet_file),
        }


def demo_playbook(playbook: Playbook, base_url: str) -> Playbook:
    """`playbook` with every target pointed at the demo server and every log at fakefly."""
    services = tuple(
        service._replace(
            url=f"{base_url}/{service.name}{urlsplit(service.url).path}",
            interval=DEMO_SERVICE_INTERVAL,
        )
        for service in playbook.services
    )
    providers = tuple(
        provider._replace(
            page=f"{base_url}/status/{_PROVIDER_SLUGS.get(provider.name.lower(), 'unknown')}",
            interval=DEMO_PROVIDER_INTERVAL,
        )
        for provider in playbook.providers
    )
    log_sources = tuple(
        source._replace(command=_fake_fly(source.command)) for source in playbook.log_sources
    )
    runbooks = tuple(
        runbook._replace(
            diagnosis=_fake_steps(runbook.diagnosis),
            solutions=tuple(
                solution._replace(steps=_fake_steps(solution.steps))
                for solution in runbook.solutions
            ),
        )
        for runbook in playbook.runbooks
    )
    demo_key = {DEMO_API_KEY, DEMO_ROUTING_KEY, f"{base_url}{WEBHOOK_PATH}"}
    return playbook._replace(
        status_page=StatusPageTarget(
            page_id=DEMO_PAGE_ID,
            api_key=DEMO_API_KEY,
            api=f"{base_url}{STATUSPAGE_PREFIX}",
            components=MappingProxyType(dict(DEMO_COMPONENTS)),
        ),
        chat=ChatTarget(webhook=f"{base_url}{WEBHOOK_PATH}"),
        paging=PagingTarget(routing_key=DEMO_ROUTING_KEY, events_url=f"{base_url}{EVENTS_PATH}"),
        secrets=playbook.secrets | demo_key,
        services=services,
        providers=providers,
        log_sources=log_sources,
        quick_checks=_fake_steps(playbook.quick_checks),
        runbooks=runbooks,
        emergency_commands=tuple(
            command._replace(command=_fake_fly(command.command))
            for command in playbook.emergency_commands
        ),
    )


def _fake_steps(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    return tuple(step._replace(command=_fake_fly(step.command)) for step in steps)


def _fake_fly(command: tuple[str, ...]) -> tuple[str, ...]:
    if command[:1] in (("fly",), ("flyctl",)):
        return (sys.executable, "-m", "warroom.demo.fakefly", *command[1:])
    return command
