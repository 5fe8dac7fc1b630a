"""`IncidentSession`: the incident a war room shows, kept in step with the store.

The screen shows `state` and asks the session to write; only the store's answer changes the
state, so nothing looks done before it is committed. The recording policies live here so
that every front end keeps them: a health change is recorded once however many terminals
poll, log lines are captured only while the incident is open, a refused write is reported.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum

from warroom.commands import RunResult, run_event
from warroom.incident import (
    HEALTH_CHANGED,
    META_KINDS,
    Clock,
    Event,
    IncidentFold,
    IncidentState,
    NewEvent,
    item_ticked,
    item_unticked,
)
from warroom.logchunks import LogChunk
from warroom.playbook import Playbook
from warroom.store import DuplicateEvent, EventStore, NotCapturer, Queued, StoreError

AUTOMATIC_ACTOR = "warroom"
"""The actor of events no person caused, such as a health check changing state."""

StateListener = Callable[[IncidentState], None]
RefusalListener = Callable[[str, Exception], None]
"""Told the event kind that was not recorded and why."""

CAPTURE_LEASE = timedelta(seconds=6)
"""How long a terminal that stopped renewing (crashed, frozen, cut off) keeps the log
capture: another terminal on the incident takes over at most this long after."""

WRITE_ATTEMPTS = 5
"""How often a conditional write reads what came meanwhile and tries again before giving up."""


class Written(Enum):
    """What became of a write that is made only if it is still needed."""

    RECORDED = "recorded"
    ALREADY = "already"
    """The incident already held it (another terminal was first): nothing was added."""
    REFUSED = "refused"
    """The store refused; `on_refused` was told."""


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
        self._known_seq = 0
        """Every event up to this one has been taken in (a later one may have come first)."""

    async def load(self) -> None:
        """Read every event recorded so far."""
        self.ingest(await self.store.events(self.incident_id))
        self._loaded.set()

    async def follow(self) -> None:
        """Take in events appended by this process and by any other, until the store closes."""
        async for batch in self.store.follow(self.incident_id, after_seq=self.last_seq):
            self.ingest(batch)

    @property
    def events(self) -> list[Event]:
        """Every event taken in so far, in seq order (what replay folds)."""
        return [self._events[seq] for seq in sorted(self._events)]

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
        while self._known_seq + 1 in self._events:
            self._known_seq += 1
        if fresh[0].seq < self._fold.last_seq or any(e.kind in META_KINDS for e in fresh):
            events = [self._events[seq] for seq in sorted(self._events)]
            self._fold = IncidentFold.from_events(events, self.playbook)
        else:
            for event in fresh:
                self._fold.apply(event)
        self.state = self._fold.state()
        self._on_state(self.state)

    async def record(
        self, new: NewEvent, *, actor: str | None = None, key: str | None = None
    ) -> Event | None:
        """Append `new` (at its time, default now; by `actor`, default this terminal's person).

        If the store refuses, `on_refused` is told and None returned: nothing may look
        recorded that is not. With `key`, an event another terminal already appended with
        that key is no refusal: None is returned and what it wrote is read.
        """
        try:
            event = await self.store.append(
                self.incident_id,
                new.kind,
                new.payload,
                actor=actor or self.actor,
                at=new.at or self.clock(),
                key=key,
            )
        except DuplicateEvent:
            self.ingest(await self.store.events(self.incident_id, self._known_seq))
            return None
        except Queued:
            return None  # waits in the outbox (the header counts it); shown once it is sent
        except Exception as error:  # whatever the backend raises, the room stays open
            self._on_refused(new.kind, error)
            return None
        self.ingest([event])
        return event

    async def record_command_run(self, result: RunResult) -> Event | None:
        """Record a finished run (`warroom.commands`) by this terminal's person: the event
        with its head and tail, and its whole output (capped) beside it in the same commit.

        Recorded whatever the outcome (a missing `fly` or a timeout is part of the story);
        a refusal goes to `on_refused` and None is returned, as for `record`.
        """
        new = run_event(result)
        try:
            event = await self.store.append_command_run(
                self.incident_id, new.payload, result.output, actor=self.actor, at=self.clock()
            )
        except Exception as error:  # whatever the backend raises, the room stays open
            self._on_refused(new.kind, error)
            return None
        self.ingest([event])
        return event

    async def record_health_change(self, change: NewEvent) -> Event | None:
        """Record a health transition unless the incident already holds that state.

        Every terminal on the incident polls; only a state the log does not already hold is
        recorded, so pairing and restarts add no duplicate entries. Two terminals that see
        the change before either has read the other's record write under one idempotency
        key, the target's next transition number, and the store keeps the first. A resolved
        incident's record is closed to the poller.
        """
        if self.state is None or not self.state.is_open:
            return None
        target = str(change.payload["target"])
        if change.payload["to"] == self.state.health.get(target, "up"):
            return None
        number = 1 + sum(
            event.kind == HEALTH_CHANGED and event.payload.get("target") == target
            for event in self._events.values()
        )
        # Observed by the poller, not done by the person at this terminal.
        return await self.record(
            change, actor=AUTOMATIC_ACTOR, key=f"{HEALTH_CHANGED}:{target}:{number}"
        )

    async def record_tick(self, item_id: str, *, ticked: bool) -> Written:
        """Tick (`ticked`) or untick an item, unless the store already has it so."""
        change = item_ticked(item_id) if ticked else item_unticked(item_id)
        return await self.record_once(
            change, done=lambda state: (item_id in state.ticked) == ticked
        )

    async def record_once(self, new: NewEvent, *, done: Callable[[IncidentState], bool]) -> Written:
        """Append `new` unless `done(state)` holds for the incident as the store has it when
        the write is made, not only as this terminal last saw it.

        The write holds only onto the newest event this session has taken in; when another
        terminal wrote meanwhile, what it wrote is read and `done` asked again. So two
        terminals ticking one item record one tick, whoever is first.
        """
        for _ in range(WRITE_ATTEMPTS):
            if self.state is not None and done(self.state):
                return Written.ALREADY
            try:
                event = await self.store.append_after(
                    self.incident_id,
                    self._known_seq,
                    new.kind,
                    new.payload,
                    actor=self.actor,
                    at=new.at or self.clock(),
                )
                if event is None:
                    self.ingest(await self.store.events(self.incident_id, self._known_seq))
                    continue
            except Exception as error:  # whatever the backend raises, the room stays open
                self._on_refused(new.kind, error)
                return Written.REFUSED
            self.ingest([event])
            return Written.RECORDED
        self._on_refused(new.kind, StoreError("The incident kept changing while writing."))
        return Written.REFUSED

    def log_capture(self, *, lease: timedelta = CAPTURE_LEASE) -> LogCapture:
        """This terminal's share in capturing the incident's log lines (`logs.archive.Capture`)."""
        return LogCapture(self, lease=lease)

    async def loaded(self) -> IncidentState | None:
        """The state once the first load is done."""
        await self._loaded.wait()
        return self.state


class LogCapture:
    """The capture lease of one incident, as one terminal's archiver holds it.

    Every terminal tails the same sources; only the lease holder archives, so the incident
    keeps one copy of each line however many watch (`warroom.logs.archive`). Log lines are
    kept only while the incident is open: a resolved incident's captured window is its
    record, and opening it again for review must not push the outage's lines out.
    """

    def __init__(self, session: IncidentSession, *, lease: timedelta) -> None:
        self._session = session
        self._store = session.store
        self._incident_id = session.incident_id
        self._lease = lease
        self.renew_seconds = lease.total_seconds() / 3
        self.holder = f"{session.actor}/{uuid.uuid4().hex}"
        """Names this terminal's claim: unique even for two sessions in one process."""

    async def claim(self) -> bool:
        # The store's own clock: the lease is about real time, not the incident's clock.
        return await self._store.claim_capture(self._incident_id, self.holder, lease=self._lease)

    async def keep(self, chunks: Sequence[LogChunk]) -> bool:
        state = await self._session.loaded()  # lines can come before the status is known
        if state is not None and not state.is_open:
            return True
        try:
            await self._store.archive_log_chunks(
                self._incident_id,
                chunks,
                cap=self._session.playbook.settings.capture_max_lines,
                capturer=self.holder,
            )
        except NotCapturer:
            return False
        return True

    async def newest(self) -> Mapping[str, tuple[datetime, str]]:
        return await self._store.newest_log_lines(self._incident_id)

    async def release(self) -> None:
        await self._store.release_capture(self._incident_id, self.holder)
