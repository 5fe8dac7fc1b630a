"""The war room while its PostgreSQL server is away: the header counts what waits in the
outbox, and the notes reach the timeline once the server is back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tests.support.postgres import fresh_database
from tests.support.tcp_proxy import TcpProxy, through
from tests.support.waiting import eventually
from tests.support.war_room import declare, war_room_app, war_room_screen
from warroom import incident as inc
from warroom.store.postgres import open_postgres_store
from warroom.ui.widgets.incident_header import IncidentHeader


async def test_the_header_says_offline_and_how_many_wait(tmp_path: Path) -> None:
    async with fresh_database() as database:
        parts = urlsplit(database)
        assert parts.hostname is not None and parts.port is not None
        proxy = TcpProxy(parts.hostname, parts.port)
        await proxy.start()
        store = await open_postgres_store(
            through(database, proxy), outbox=tmp_path / "outbox.db", follow_poll_seconds=0.05
        )
        try:
            incident = await declare(store)
            app = war_room_app(store, incident)
            async with app.run_test(size=(160, 40)) as pilot:
                screen = war_room_screen(app)
                header = screen.query_one(IncidentHeader)
                assert header.shown("offline") == ""
                await proxy.cut()
                for text in ("rolled back", "pool raised"):
                    assert await screen.session.record(inc.note_added(text)) is None
                await eventually(
                    lambda: header.shown("offline") == "offline — 2 events queued",
                    what="the header says offline",
                    pause=lambda: pilot.pause(0.1),
                )
                await proxy.start()
                await eventually(
                    lambda: (
                        header.shown("offline") == ""
                        and [e.text for e in screen.state.timeline][-2:]
                        == ["rolled back", "pool raised"]
                        if screen.state
                        else False
                    ),
                    what="the notes sent and shown",
                    tries=1500,
                    pause=lambda: pilot.pause(0.1),
                )
        finally:
            await store.close()
            await proxy.cut()
