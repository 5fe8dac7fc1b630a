"""`append` and `append_many`, the same on every backend: each backend writes through its own
`_append`, which commits the entries together (or queues them, on a server that is away)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from warroom.incident.events import Event


class Appends(ABC):
    """The two public writes of events, in terms of the backend's `_append`."""

    @abstractmethod
    async def _append(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        actor: str,
        at: datetime | None,
        key: str | None,
    ) -> list[Event]:
        """Write `entries` in order as one commit, `key` (one entry only) its idempotency key."""

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
        """Append one event; it is committed when this returns. UnknownIncident for a bad id;
        DuplicateEvent when `key` was used on the incident before."""
        (event,) = await self._append(incident_id, [(kind, payload)], actor, at, key)
        return event

    async def append_many(
        self,
        incident_id: str,
        entries: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> list[Event]:
        """Append (kind, payload) events in order, all committed together or none."""
        return await self._append(incident_id, entries, actor, at, None)
