"""Times a responder types, read the same way everywhere they can type one.

The key-moment form, the timeline's "when did this really happen" and the log pane's "go to
time" all call `parse_time`. It is pure (no Textual, no clock): the caller passes the display
zone, the instant the text is read against (`near`) and a `DayRule` saying which day a bare
time of day falls on, so each place keeps its own sense of "which day" while the grammar, the
daylight-saving handling and the error sentences are shared.

Accepted, after stripping spaces:

- `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ffffff`: a time of day in the display zone, on the day
  the rule picks;
- `YYYY-MM-DD HH:MM[:SS]` and anything else `datetime.fromisoformat` reads (`T`, `Z`, an
  offset): that instant; without an offset it is read in the display zone.

A wall time the clocks skipped (02:30 on the spring-forward night in Europe/Berlin) is refused;
one they passed twice (02:30 on the autumn night) is the one of the two the rule prefers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import Enum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from warroom.safetext import visible

__all__ = ["DayRule", "parse_time"]

_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,6}))?)?")
_SHOWN = 40
"""Characters of the typed text quoted back in an error."""


class DayRule(Enum):
    """Which day a bare time of day (`HH:MM[:SS]`) falls on, relative to `near`."""

    NEAREST = "nearest"
    """The day that puts it nearest `near`: 00:10 typed for 23:50 is just after midnight.
    A tie goes to `near`'s own day."""

    LATEST_NOT_AFTER = "latest-not-after"
    """The latest such time not after `near`: 23:50 typed at 00:10 is yesterday's."""

    SAME_DAY = "same-day"
    """`near`'s own day in the display zone, even when that puts it after `near`."""


class _Reading(NamedTuple):
    """One instant a typed wall time can mean."""

    at: datetime
    """The instant, in UTC."""
    wall: datetime
    """The naive wall time it reads."""
    shown: bool
    """False when the clocks skipped `wall` (this is then a reading either side of the jump)."""


def parse_time(
    text: str,
    *,
    zone: str | tzinfo,
    near: datetime,
    rule: DayRule,
    allow_future: bool = True,
) -> datetime:
    """`text` as an aware UTC datetime; raise `ValueError` with a sentence to show if it can't be.

    `zone` is the display zone (an IANA name or a tzinfo); `near` (aware) is the instant a bare
    time of day is placed against by `rule`, and the one an ambiguous wall time is resolved
    against. With `allow_future=False` a result later than `near` is refused, so pass the
    current time as `near` there.
    """
    if near.tzinfo is None:
        raise TypeError("near must be an aware datetime")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    zone_name = zone if isinstance(zone, str) else str(zone)
    value = text.strip()
    if clock := _CLOCK.fullmatch(value):
        hours, minutes, seconds = (int(part or 0) for part in clock.groups()[:3])
        if hours > 23 or minutes > 59 or seconds > 59:
            raise ValueError(f"{_quote(value)} is not a time of day (00:00 to 23:59:59).")
        of_day = time(hours, minutes, seconds, int((clock[4] or "0").ljust(6, "0")))
        home = near.astimezone(tz).date()
        shifts = (0,) if rule is DayRule.SAME_DAY else (0, -1, 1)
        walls = [datetime.combine(home + timedelta(days=shift), of_day) for shift in shifts]
    else:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(_unreadable(value, zone_name)) from None
        if parsed.tzinfo is not None:
            return _checked(parsed.astimezone(UTC), near, tz, allow_future=allow_future)
        walls = [parsed]
    chosen = _choose([r for wall in walls for r in _readings(wall, tz)], near, rule)
    if not chosen.shown:
        raise ValueError(
            f"{_quote(value)} never happened on {chosen.wall:%Y-%m-%d} in {zone_name}: the "
            "clocks skipped it. Type a time before or after the jump, or give an offset, like "
            f"{chosen.wall.replace(tzinfo=tz).isoformat(timespec='minutes')}."
        )
    return _checked(chosen.at, near, tz, allow_future=allow_future)


def _readings(wall: datetime, tz: tzinfo) -> list[_Reading]:
    """What a naive wall time can mean in `tz`: one instant, two when the clocks went back
    over it, or two never-shown ones (either side of the jump) when they skipped it."""
    readings: list[_Reading] = []
    for fold in (0, 1):
        at = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        # Naive comparison ignores `fold`; a skipped wall time does not come back unchanged.
        shown = at.astimezone(tz).replace(tzinfo=None) == wall
        if all(at != seen.at for seen in readings):
            readings.append(_Reading(at, wall, shown))
    return readings


def _choose(readings: list[_Reading], near: datetime, rule: DayRule) -> _Reading:
    if rule is DayRule.LATEST_NOT_AFTER:
        past = [r for r in readings if r.at <= near]
        # Only a full date and time can be wholly after `near`; then take its earliest reading.
        return max(past, key=lambda r: r.at) if past else min(readings, key=lambda r: r.at)
    # min() keeps the first of equals, and the readings start on `near`'s own day.
    return min(readings, key=lambda r: abs(r.at - near))


def _checked(at: datetime, near: datetime, tz: tzinfo, *, allow_future: bool) -> datetime:
    if not allow_future and at > near:
        local, now = at.astimezone(tz), near.astimezone(tz)
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M:%S %Z} is in the future: "
            f"type a time up to now ({now:%H:%M:%S %Z})."
        )
    return at


def _quote(value: str) -> str:
    return f"'{visible(value, limit=_SHOWN)}'"


def _unreadable(value: str, zone_name: str) -> str:
    what = f"Can't read {_quote(value)} as a time" if value else "No time typed"
    return (
        f"{what}: type HH:MM or HH:MM:SS ({zone_name}), YYYY-MM-DD HH:MM, "
        "or a full time like 2025-01-31T14:05:00Z."
    )
