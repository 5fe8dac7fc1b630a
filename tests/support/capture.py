"""An incident's log archive and capture lease in memory, for the archiver's own tests; the
store's real lease is proven on SQLite in tests/integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from warroom.logchunks import LogChunk, Row, rows_of


@dataclass
class SharedArchive:
    """What the store would hold: the archived rows and who holds the lease."""

    rows: list[Row] = field(default_factory=list)
    holder: str | None = None

    def terminal(self, name: str, *, renew_seconds: float = 0.02) -> TerminalCapture:
        """One terminal's view of this archive."""
        return TerminalCapture(self, name, renew_seconds)


@dataclass
class TerminalCapture:
    """A `Capture` as one terminal holds it; the lease never runs out by itself here: a
    test says when a holder is gone with `shared.holder = None`."""

    shared: SharedArchive
    name: str
    renew_seconds: float
    writing: Callable[[], Awaitable[object]] | None = None
    """Awaited inside each write before the rows are kept: a slow or stuck store."""

    async def claim(self) -> bool:
        if self.shared.holder is None:
            self.shared.holder = self.name
        return self.shared.holder == self.name

    async def keep(self, chunks: Sequence[LogChunk]) -> bool:
        if self.writing is not None:
            await self.writing()
        if self.shared.holder != self.name:
            return False
        self.shared.rows.extend(rows_of(chunks))
        return True

    async def newest(self) -> Mapping[str, tuple[datetime, str]]:
        newest: dict[str, tuple[datetime, str]] = {}
        for at, source, line in self.shared.rows:
            newest[source] = (at, line)
        return newest

    async def release(self) -> None:
        if self.shared.holder == self.name:
            self.shared.holder = None
