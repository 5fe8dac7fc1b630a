"""Every time shown says its zone: the parts that format times without a screen."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from warroom.logs.source import SourceState, SourceStatus


def test_a_stale_source_says_since_when_in_the_display_zone() -> None:
    since = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    status = SourceStatus(source="backend", state=SourceState.STALE, stale_since=since)
    described = status.describe(since, ZoneInfo("Asia/Kathmandu"))
    assert described.startswith("stale since 08:45:00 +0545")
