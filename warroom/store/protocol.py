"""What every incident store promises, whatever keeps the events: the `EventStore` protocol,
its errors and the summary row `warroom list` shows."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

from warroom.incident.events import Event
from warroom.logchunks import LogChunk

MAX_COMMAND_OUTPUT_BYTES = 1024 * 1024
"""The most of one command run's output a store keeps (UTF-8 bytes); the rest is cut."""


class UnknownIncident(LookupError):
    """No incident has this id; `args[0]` is the id asked for."""


class StoreError(Exception):
    """The database cannot be used; the message is one sentence for the user."""


class NewerSchema(StoreError):
    """The database was written by a newer warroom: this one must not read or change it."""


class AlreadyStored(LookupError):
    """An incident with this id is already in the store; `args[0]` is the id."""


class Queued(StoreError):
    """The server is away: the write waits in the local outbox and is sent, in order and
    once, when it is back. Nothing is on the server yet; `EventStore.queued` counts it."""


class MissingStore(StoreError):
    """No store is where the target points, and the caller did not ask to create one."""


class DuplicateEvent(LookupError):
    """The incident already has an event appended with this idempotency key: nothing was
    written. `args[0]` is the key."""


class NotCapturer(Exception):
    """Another terminal holds the incident's log capture lease: nothing was archived."""


class DeclaredMeanwhile(Exception):
    """An open incident the declarer did not know of exists: nothing was declared.

    `incidents` are those incidents, newest first, to offer joining instead.
    """

    def __init__(self, incidents: Sequence[IncidentSummary]) -> None:
        super().__init__(", ".join(summary.id for summary in incidents))
        self.incidents = list(incidents)


class IncidentSummary(NamedTuple):
    """One row of `warroom list`: enough to choose an incident without reading its events."""

    id: str
    title: str
    severity: str
    declared_at: datetime
    status: str
    """"open" or "resolved"."""
    last_event_at: datetime


class Presence(NamedTuple):
    """One terminal that has an incident open, as it last announced itself."""

    holder: str
    """The terminal (one process), unique among every terminal on the incident."""
    actor: str
    host: str
    region: str
    """The region it shows: "health", "logs", "checklist" or "timeline"."""
    since: datetime
    """When it first announced itself."""


class LineSelector(Protocol):
    """Which lines of a batch match a search: what `logs.filter.CompiledFilter` is.

    The store takes the compiled filter from its caller, so that the filter syntax stays
    with the log tail and the store never imports `logs`.
    """

    @property
    def sources(self) -> frozenset[str] | None:
        """The only sources that can match (None: any); the store skips the others' blocks."""
        ...

    def select(
        self,
        raws: Sequence[str],
        sources: Sequence[str],
        base: int,
        levels: dict[str, str] | None = None,
    ) -> list[int]:
        """Numbers (`base + i`) of the matching lines; `levels` carries each source's level
        from one batch to the next, for continuation lines."""
        ...


class LogMatches(NamedTuple):
    """What a search of the archive found: the first `limit` lines and how many in all."""

    rows: list[tuple[datetime, str, str]]
    """(logged_at, source, line), in the order archived."""
    total: int
    """Every matching line in the archive (and time range), also those past the limit."""


class EventStore(Protocol):
    """What the rest of warroom may assume about where incidents are kept.

    Used as `async with await open_store(target) as store:`; closing ends every follower.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def declare(
        self,
        *,
        title: str,
        severity: str,
        actor: str,
        at: datetime | None = None,
        known_open: Collection[str] | None = None,
    ) -> Event:
        """Open a new incident and append its declaration.

        With `known_open` (the open incidents the person declaring was shown), refuse with
        DeclaredMeanwhile when any other incident is open, checked in the same transaction
        as the declaration: two people declaring one outage at once get one incident.
        """
        ...

    async def append(
        self,
        incident_id: str,
        kind: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
        key: str | None = None,
    ) -> Event:
        """Append one event. With `key` (an idempotency key, e.g. one per health transition),
        DuplicateEvent, and nothing written, when the incident already has an event appended
        with that key, checked in the write's own transaction: N terminals that saw the same
        change record it once."""
        ...

    async def append_many(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> list[Event]:
        """Append (kind, payload) events in order in one commit: all of them or none."""
        ...

    async def append_after(
        self,
        incident_id: str,
        last_seq: int,
        kind: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> Event | None:
        """Append one event only if the incident's newest event is still `last_seq`, checked
        in the write's own transaction; None, and nothing written, when any came since."""
        ...

    async def append_command_run(
        self,
        incident_id: str,
        payload: Mapping[str, Any],
        output: str,
        *,
        actor: str,
        at: datetime | None = None,
    ) -> Event:
        """Append a `command.run` event with `payload` (`incident.command_run`) and keep
        `output`, cut at MAX_COMMAND_OUTPUT_BYTES, beside it: both in one commit."""
        ...

    async def command_output(self, incident_id: str, seq: int) -> str | None:
        """The output kept beside event `seq` by `append_command_run`; None if there is none."""
        ...

    async def events(self, incident_id: str, after_seq: int = 0) -> list[Event]: ...

    def follow(self, incident_id: str, after_seq: int = 0) -> AsyncGenerator[list[Event], None]:
        """Batches of events after `after_seq`, from this process or any other, until the
        store closes; how new events are noticed is the backend's business."""
        ...

    async def incident(self, incident_id: str) -> IncidentSummary: ...

    async def list_incidents(self) -> list[IncidentSummary]: ...

    async def active_incident(self) -> IncidentSummary | None: ...

    async def archive_log_lines(
        self,
        incident_id: str,
        rows: Sequence[tuple[datetime, str, str]],
        *,
        cap: int = 1_000_000,
        capturer: str | None = None,
    ) -> int:
        """Keep (logged_at, source, line) rows, the newest `cap` of them; how many were kept.

        With `capturer`, only while it holds the capture lease (NotCapturer otherwise,
        nothing kept): a terminal that lost the lease while stalled cannot double lines.
        """
        ...

    async def archive_log_chunks(
        self,
        incident_id: str,
        chunks: Sequence[LogChunk],
        *,
        cap: int = 1_000_000,
        capturer: str | None = None,
    ) -> int:
        """`archive_log_lines` for lines already gathered in chunks (how the capture of a
        flood hands them over): the same cap and lease, no row built per line."""
        ...

    async def claim_capture(
        self, incident_id: str, holder: str, *, lease: timedelta, at: datetime | None = None
    ) -> bool:
        """Make `holder` the one capturer of the incident's log lines until `at` (now) +
        `lease`, unless another holder's lease is still running; True if `holder` has it."""
        ...

    async def release_capture(self, incident_id: str, holder: str) -> None:
        """Give the lease up, if `holder` has it, so another terminal can take over at once."""
        ...

    async def newest_log_lines(self, incident_id: str) -> dict[str, tuple[datetime, str]]:
        """Source -> the (logged_at, line) archived last from it: where a new capturer
        resumes from its own copy of the stream."""
        ...

    async def log_lines(
        self, incident_id: str, *, search: str = "", limit: int = 1000
    ) -> list[tuple[datetime, str, str]]: ...

    async def search_log_lines(
        self,
        incident_id: str,
        selector: LineSelector,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> LogMatches:
        """The incident's whole archive searched with `selector`, lines logged in [`since`,
        `until`] only (when given): the first `limit` matches in order and the total."""
        ...

    async def import_incident(
        self,
        events: Sequence[Event],
        *,
        command_outputs: Mapping[int, str],
        log_lines: Sequence[tuple[datetime, str, str]],
    ) -> None:
        """Restore an incident exactly as recorded elsewhere (`warroom import`): its id, every
        event with its own seq, time and actor, the outputs beside its command runs (by seq)
        and its captured (logged_at, source, line) rows, all in one commit.
        AlreadyStored, and nothing written, when the store has an incident with that id."""
        ...

    async def announce(
        self,
        incident_id: str,
        holder: str,
        *,
        actor: str,
        host: str,
        region: str,
        ttl: timedelta,
        at: datetime | None = None,
    ) -> None:
        """Say that terminal `holder` has the incident open, until `ttl` after `at` (now; on
        a server, the server's now): a terminal renews this while it runs, and one that died
        drops out of `present` when its last announcement runs out. `since` is kept from
        the first announcement. UnknownIncident for a bad id."""
        ...

    async def present(self, incident_id: str, *, at: datetime | None = None) -> list[Presence]:
        """The terminals whose announcement still runs at `at` (now), longest there first."""
        ...

    async def depart(self, incident_id: str, holder: str) -> None:
        """`holder` closed the incident: it leaves `present` at once."""
        ...

    def queued(self) -> int:
        """Events written while the server was away and not yet sent (always 0 for a store
        that needs no server); asking costs no I/O."""
        ...

    async def close(self) -> None: ...
