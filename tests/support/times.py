"""Fixed moments the tests declare their incidents at, shared where tests meant the same one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
"""When the pure tests' incident is declared (derived state, clocks)."""

NEAR_MIDNIGHT = datetime(2025, 3, 1, 23, 58, tzinfo=UTC)
"""Two minutes before a UTC day ends: the store tests number incidents across midnight."""


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
