"""One beat for everything that redraws on a schedule, so that it is all drawn in one frame.

A Textual interval counts from the moment its task first ran: the header's clock, the health
ages and the log status, each on its own one-second timer, started tens of milliseconds apart
while the screen mounts, paint three frames a second where one would do (a frame costs
milliseconds of compositing at 200x60). Here each call is timed afresh to the next whole
multiple of its period on the monotonic clock (the one Textual's timers run on), so callers
fire together and their repaints share a frame, however late any one of them started.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from textual.message_pump import MessagePump


def on_beat(owner: MessagePump, period: float, callback: Callable[[], Any]) -> None:
    """Call `callback` every `period` seconds, in phase with every other `on_beat` caller."""

    def schedule() -> None:
        now = time.monotonic()
        owner.set_timer((math.floor(now / period) + 1) * period - now, fire)

    def fire() -> None:
        schedule()
        callback()

    schedule()
