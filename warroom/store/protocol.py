"""What every incident store promises, whatever keeps the events: the `EventStore` protocol,
its errors and the summary row `warroom list` shows."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from warroom.incident.events import Event


class UnknownIncident(LookupError):
    """No incident has this id; `args[0]` is the id asked for."""


class StoreError(Exception):
    """The database cannot be used; the message is one sentence for the user."""


class MissingStore(StoreError):
    """No store is where the target points, and the caller did not ask to create one."""


@dataclass(frozen=True)
class IncidentSummary:
    """One row of `warroom list`: enough to choose an incident without reading its events."""

    id: str
    title: str
    severity: str
    declared_at: datetime
    status: str
    """"open" or "resolved"."""
    last_event_at: datetime


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
        self, *, title: str, severity: str, actor: str, at: datetime | None = None
    ) -> Event: ...

    async def append(
        self,
        incident_id: str,
        kind: str,
        payload: Mapping[str, Any],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> Event: ...

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
    ) -> int: ...

    async def log_lines(
        self, incident_id: str, *, search: str = "", limit: int = 1000
    ) -> list[tuple[datetime, str, str]]: ...

    async def close(self) -> None: ...
