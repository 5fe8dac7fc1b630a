"""Log ingest that steps aside while a key is answered.

Under a flood the event loop reads a chunk of log lines, strips, splits and buffers it
(~3 ms for 256 KB), then lets other work run, then reads the next. A key's answer takes
several hops through the loop (the app, the focused widget, the binding, the frame), and
behind each hop waits a chunk: at 300,000 lines a second a region switch reached the screen
in 65 ms at p95 where an idle one takes 30. While held, the sources wait between chunks, as
they wait for the archive (`Archiver.room`): nothing is dropped, the pipe fills and the
source is read a little later. The UI holds it when a key arrives and releases it once the
key's frame is out. A hold lasts `longest` at most (a key a widget answers, such as one typed
into the filter box, releases nothing), and after each hold the sources read for `TURN` times
as long before the next can start: keys held down (50 a second in `bench/flood.py`) slow the
tail by a fifth at most and never stop it.
"""

from __future__ import annotations

import asyncio

LONGEST_HOLD_SECONDS = 0.06
"""How long one key may hold ingest back: longer than a region switch takes at p99 under a
flood (in the app, from the key's arrival to its frame's write)."""
TURN = 4
"""After a hold, the sources read this many times as long as it lasted before the next hold."""


class StepAside:
    """A gate the log sources pass between chunks; create it in the loop it is used on."""

    def __init__(self, longest: float = LONGEST_HOLD_SECONDS) -> None:
        self._longest = longest
        self._open = asyncio.Event()
        self._open.set()
        self._cap: asyncio.TimerHandle | None = None
        self._held_since = 0.0
        self._next_hold = 0.0
        """Loop time before which no new hold starts: the sources' turn."""

    @property
    def held(self) -> bool:
        """Whether the sources wait now."""
        return not self._open.is_set()

    def hold(self) -> None:
        """A key arrived: the sources wait until `release` or `longest` seconds, unless a
        hold is on already or the sources have not yet had their turn after the last."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.held or now < self._next_hold:
            return
        self._open.clear()
        self._held_since = now
        self._cap = loop.call_later(self._longest, self.release)

    def release(self) -> None:
        """The key is answered: the sources read on."""
        if not self.held:
            return
        if self._cap is not None:
            self._cap.cancel()
            self._cap = None
        now = asyncio.get_running_loop().time()
        self._next_hold = now + TURN * (now - self._held_since)
        self._open.set()

    async def wait(self) -> None:
        """Return at once unless held; else when released."""
        if self.held:
            await self._open.wait()
