"""`IncidentSession`: the incident a war room shows, kept in step with the store.

The screen shows `state` and asks the session to write; only the store's answer changes the
state, so nothing looks done before it is committed. The recording policies live here so
that every front end keeps them: a health change is recorded once however many terminals
poll, log lines are captured only while the incident is open, a refused write is reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from warroom.incident import (
    META_KINDS,
    Clock,
    Event,
    IncidentFold,
    IncidentState,
    NewEvent,
)
from warroom.playbook import Playbook
from warroom.store import EventStore

AUTOMATIC_ACTOR = "warroom"
"""The actor of events no person caused, such as a health check changing state."""

StateListener = Callable[[IncidentState], None]
RefusalListener = Callable[[str, Exception], None]
"""Told the event kind that was not recorded and why."""


class IncidentSession:
    """One incident's events, their derived state, and the one write path to the store."""

    def __init__(
        self,
        *,
        store: EventStore,
        incident_id: str,
        playbook: Playbook,
        actor: str,
        clock: Clock,
        on_state: StateListener,
        on_refused: RefusalListener,
    ) -> None:
        """`on_state` is called with each new state; `on_refused` when the store refuses a write."""
        self.store = store
        self.incident_id = incident_id
        self.playbook = playbook
        self.actor = actor
        self.clock = clock
        self._on_state = on_state
        self._on_refused = on_refused
        self._events: dict[int, Event] = {}
        self._fold = IncidentFold(playbook, edits={})
        self.state: IncidentState | None = None
        self._loaded = asyncio.Event()

    async def load(self) -> None:
        """Read every event recorded so far."""
        self.ingest(await self.store.events(self.incident_id))
        self._loaded.set()

    async def follow(self) -> None:
        """Take in events appended by this process and by any other, until the store closes."""
        async for batch in self.store.follow(self.incident_id, after_seq=self.last_seq):
            self.ingest(batch)

    @property
    def last_seq(self) -> int:
        """The newest event taken in so far (0 before any)."""
        return max(self._events, default=0)

    def ingest(self, batch: Sequence[Event]) -> None:
        """Take in events (duplicates and already seen ones are ignored) and tell `on_state`.

        New events are folded into the state one by one, at a cost that does not grow with
        the incident; a correction, or an event older than one already folded in, makes
        the fold start over from the first event.
        """
        fresh = sorted(
            (event for event in batch if event.seq not in self._events), key=lambda e: e.seq
        )
        if not fresh:
            return
        self._events.update((event.seq, event) for event in fresh)
        if fresh[0].seq < self._fold.last_seq or any(e.kind in META_KINDS for e in fresh):
            events = [self._events[seq] for seq in sorted(self._events)]
            self._fold = IncidentFold.from_events(events, self.playbook)
        else:
            for event in fresh:
                self._fold.apply(event)
        self.state = self._fold.state()
        self._on_state(self.state)

    async def record(self, new: NewEvent, *, actor: str | None = None) -> Event | None:
        """Append `new` (at its time, default now; by `actor`, default this terminal's person).

        If the store refuses, `on_refused` is told and None returned: nothing may look
        recorded that is not.
        """
        try:
            event = await self.store.append(
                self.incident_id,
                new.kind,
                new.payload,
                actor=actor or self.actor,
                at=new.at or self.clock(),
            )
        except Exception as error:  # whatever the backend raises, the room stays open
            self._on_refused(new.kind, error)
            return None
        self.ingest([event])
        return event

    async def record_health_change(self, change: NewEvent) -> Event | None:
        """Record a health transition unless the incident already holds that state.

        Every terminal on the incident polls; only a state the log does not already hold is
        recorded, so pairing and restarts add no duplicate entries. A resolved incident's
        record is closed to the poller.
        """
        if self.state is None or not self.state.is_open:
            return None
        if change.payload["to"] == self.state.health.get(str(change.payload["target"]), "up"):
            return None
        # Observed by the poller, not done by the person at this terminal.
        return await self.record(change, actor=AUTOMATIC_ACTOR)

    async def capture_log_lines(self, rows: Sequence[tuple[datetime, str, str]]) -> int:
        """Keep log lines with the incident while it is open; returns how many were kept.

        A resolved incident's captured window is its record: opening it again for review
        must not push the outage's lines out with today's.
        """
        await self._loaded.wait()  # lines can arrive before the incident's status is known
        if self.state is not None and not self.state.is_open:
            return 0
        return await self.store.archive_log_lines(
            self.incident_id, rows, cap=self.playbook.settings.capture_max_lines
        )
