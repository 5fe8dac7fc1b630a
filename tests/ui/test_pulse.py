"""on_beat: every scheduled repaint on one beat of the monotonic clock, however late it began."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from textual.message_pump import MessagePump

from warroom.ui import pulse


class Owner:
    """Takes the timers on_beat asks for, so the test fires them at the times it chooses."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, Callable[[], Any]]] = []

    def set_timer(self, delay: float, callback: Callable[[], Any]) -> None:
        self.timers.append((delay, callback))


def test_each_call_is_timed_to_the_next_whole_beat(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [12.3]
    monkeypatch.setattr("warroom.ui.pulse.time.monotonic", lambda: clock[0])
    owner, calls = Owner(), []
    pulse.on_beat(cast(MessagePump, owner), 1.0, lambda: calls.append(clock[0]))
    delay, fire = owner.timers[-1]
    assert delay == pytest.approx(0.7)  # started at 12.3: first call on 13.0, not 13.3

    clock[0] = 13.04  # fired late (a busy loop): the next one still comes on 14.0
    fire()
    assert calls == [13.04]
    assert owner.timers[-1][0] == pytest.approx(0.96)
