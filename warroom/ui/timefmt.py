"""Times shown to people: stored in UTC, displayed in the playbook's zone, zone named."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def clock_time(moment: datetime, timezone: str) -> str:
    """'14:05:09 UTC' — the time of day in the display zone, with the zone's abbreviation."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%H:%M:%S} {local.tzname()}"


def elapsed(span: timedelta) -> str:
    """'1:02:03' for a span; a negative one (a declaration after now: a clock or data bug) is
    shown as '−0:05:00', never as zero."""
    if span < timedelta(0):
        return "−" + elapsed(-span)
    seconds = int(span.total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
