"""Log ingest that steps aside while a key is answered.

Under a flood the event loop reads a chunk of log lines, strips, splits and buffers it
(~3 ms for 256 KB), then lets other work run, then reads the next. A key's answer takes
several hops through the loop (the app, the focused widget, the binding, the frame), and
behind each hop waits a chunk: at 300,000 lines a second a region switch reached the screen
in 65 ms at p95 where an idle one takes 30. While held, the sources wait between chunks, as
they wait for the archive (`Archiver.room`): nothing is dropped, the pipe fills and the
source is read a little later. The UI holds it when a key arrives and releases it once the
key's frame is out. A hold lasts `longest` at most (a key a widget answers, such as one typed
into the filter box, releases nothing). Holds are paid from a budget that grows by one
second for every `TURN` seconds the sources read, and keeps at most `longest`: keys held
down (50 a second in `bench/flood.py`) slow the tail by a fifth at most and never stop it,
while a key pressed on its own, after the sources have read a few times as long as the last
hold, is held for as long as its frame takes.
"""

from __future__ import annotations

import asyncio
import gc

LONGEST_HOLD_SECONDS = 0.06
"""How long one key may hold ingest back: longer than a region switch takes at p99 under a
flood (in the app, from the key's arrival to its frame's write)."""
TURN = 4
"""Seconds the sources read for each second of hold they may later be held (the budget)."""
SHORTEST_HOLD_SECONDS = 0.005
"""No hold is started with less budget than this: it would end before the key's frame."""


class StepAside:
    """A gate the log sources pass between chunks; create it in the loop it is used on."""

    def __init__(
        self, longest: float = LONGEST_HOLD_SECONDS, *, pause_collector: bool = False
    ) -> None:
        """`pause_collector`: Python's cyclic garbage collector waits while held, too. In a
        flood it walks some 20,000 objects every few seconds (~11 ms), and a key's frame,
        which allocates more than most, was often where it ran: in 3 of the 5 slowest dialog
        openings of a trace. Held, it runs just after the frame instead."""
        self._longest = longest
        self._pause_collector = pause_collector
        self._collector_paused = False
        self._open = asyncio.Event()
        self._open.set()
        self._cap: asyncio.TimerHandle | None = None
        self._held_since = 0.0
        self._budget = longest
        """Seconds of hold the sources have earned, as of `_budget_at` (loop time)."""
        self._budget_at = 0.0

    @property
    def held(self) -> bool:
        """Whether the sources wait now."""
        return not self._open.is_set()

    def hold(self) -> None:
        """A key arrived: the sources wait until `release`, `longest` seconds or the budget
        is spent, unless a hold is on already or the budget is too small for one."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self.held:
            return
        earned = (now - self._budget_at) / TURN
        self._budget, self._budget_at = min(self._longest, self._budget + earned), now
        if self._budget < SHORTEST_HOLD_SECONDS:
            return
        self._open.clear()
        if self._pause_collector and gc.isenabled():
            gc.disable()
            self._collector_paused = True
        self._held_since = now
        self._cap = loop.call_later(self._budget, self.release)

    def release(self) -> None:
        """The key is answered: the sources read on."""
        if not self.held:
            return
        if self._cap is not None:
            self._cap.cancel()
            self._cap = None
        now = asyncio.get_running_loop().time()
        self._budget -= now - self._held_since
        self._budget_at = now
        if self._collector_paused:
            self._collector_paused = False
            gc.enable()
        self._open.set()

    async def wait(self) -> None:
        """Return at once unless held; else when released."""
        if self.held:
            await self._open.wait()
