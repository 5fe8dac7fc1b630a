"""Bounded waits: check a condition until it holds, never a fixed sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], object],
    *,
    what: str,
    tries: int = 500,
    pause: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Await until `condition()` holds, checking up to `tries` times with `pause` (20 ms of
    the event loop unless given) between; fails naming `what` if it never does."""
    for _ in range(tries):
        if condition():
            return
        await (pause() if pause is not None else asyncio.sleep(0.02))
    raise AssertionError(f"never happened: {what}")
