"""Who else has this incident open: each terminal announces itself to the store while it
runs (person, host, the region it shows) and reads who else is there.

An announcement runs out `TTL` after it was made, so a terminal that was killed drops out of
the others' headers within that time without anyone cleaning up; one that closes normally
departs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Callable
from datetime import timedelta

from warroom.store import EventStore, Presence, StoreError

HEARTBEAT = timedelta(seconds=2)
"""How often a terminal renews its announcement and reads who else is there."""

TTL = timedelta(seconds=10)
"""How long an announcement runs: a terminal that stopped renewing is gone after this."""


class PresenceBeacon:
    """One terminal's presence on one incident, renewed while `run` runs."""

    def __init__(
        self,
        store: EventStore,
        incident_id: str,
        *,
        actor: str,
        region: Callable[[], str],
        on_change: Callable[[tuple[Presence, ...]], None],
        heartbeat: timedelta = HEARTBEAT,
        ttl: timedelta = TTL,
    ) -> None:
        """`region` says what this terminal shows now; `on_change` gets the others present
        (longest there first) whenever that list changes."""
        self.store = store
        self.incident_id = incident_id
        self.actor = actor
        self.host = socket.gethostname()
        self.holder = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._region = region
        self._on_change = on_change
        self._heartbeat = heartbeat
        self._ttl = ttl

    async def run(self) -> None:
        """Announce and look every heartbeat until cancelled, then depart."""
        shown: tuple[Presence, ...] | None = None
        try:
            while True:
                try:
                    others = await self.beat()
                except StoreError:
                    others = shown or ()  # the store is away: keep showing what was known
                if others != shown:
                    shown = others
                    self._on_change(others)
                await asyncio.sleep(self._heartbeat.total_seconds())
        finally:
            with contextlib.suppress(StoreError):
                await self.store.depart(self.incident_id, self.holder)

    async def beat(self) -> tuple[Presence, ...]:
        """Renew this terminal's announcement; the others present."""
        await self.store.announce(
            self.incident_id,
            self.holder,
            actor=self.actor,
            host=self.host,
            region=self._region(),
            ttl=self._ttl,
        )
        present = await self.store.present(self.incident_id)
        return tuple(p for p in present if p.holder != self.holder)
