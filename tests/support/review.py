"""A recorded incident for review: built event by event at chosen times, with captured log
lines, written to a real SQLite file the way `warroom import` restores one."""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path

from tests.support.event_log import EventLog
from tests.support.playbooks import quiet_playbook
from tests.support.times import T0
from tests.support.war_room import war_room_app
from warroom.incident import events as ev
from warroom.playbook import LogSource, Playbook, Provider, Service
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.log_pane import LogPane

START = T0
"""When the reviewed incident was declared (the event log's T0)."""


def at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


def recorded_incident() -> EventLog:
    """P2 declared at START; backend down at 2, a tick at 5, P1 at 10, a note at 12, backend up
    at 20, resolved at 30."""
    log = EventLog(incident_id="INC-20250301-001")
    log.add(ev.declared("Checkout 503s", "P2"), minute=0)
    log.add(
        ev.health_changed("backend", "up", "down", status=503, reason="503 from /health"), minute=2
    )
    log.add(ev.item_ticked("alert-received"), minute=5)
    log.add(ev.severity_changed("P2", "P1"), minute=10)
    log.add(ev.note_added("rolled back the deploy"), minute=12)
    log.add(ev.health_changed("backend", "down", "up", status=200, reason=""), minute=20)
    log.add(ev.resolved(), minute=30)
    return log


def log_lines() -> list[tuple[datetime, str, str]]:
    """A captured line every minute of the incident, saying which minute it is."""
    return [
        (at(n), "backend", f"{at(n):%Y-%m-%dT%H:%M:%SZ} app[1] ord [info] minute {n}")
        for n in range(31)
    ]


async def write_incident(path: Path, log: EventLog) -> str:
    """Store `log` and its captured lines in a new database at `path`; the incident's id."""
    async with await open_store(path) as store:
        await store.import_incident(log.events, command_outputs={}, log_lines=log_lines())
    return log.incident_id


def offline_playbook(port: int, marker: Path) -> Playbook:
    """Services and a provider on a local port that records connections, and a log source
    that leaves `marker` behind if it is ever run."""
    url = f"http://127.0.0.1:{port}"
    return quiet_playbook(zone="UTC")._replace(
        services=(Service("backend", f"{url}/health"), Service("frontend", f"{url}/")),
        providers=(Provider("Fly.io", url),),
        log_sources=(LogSource("backend", ("sh", "-c", f"touch {marker}; sleep 30")),),
    )


def review_app(
    store: EventStore, incident_id: str, listener: RecordingListener, tmp_path: Path
) -> WarRoomApp:
    playbook = offline_playbook(listener.port, tmp_path / "spawned")
    return war_room_app(store, incident_id, playbook=playbook, review=True)


def log_text(screen: WarRoomScreen) -> list[str]:
    return [record.raw for record in screen.query_one(LogPane).tail.buffer.records()]


class RecordingListener:
    """A TCP socket on 127.0.0.1 that counts every connection made to it (none should be)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> RecordingListener:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()
