"""Playbook durations: "30s", "5m", "1h", "2d" read into a `timedelta`, within a sane bound."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"(\d+)([smhd])")
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=3650)
"""The longest duration a playbook may write ("3650d", ten years): anything longer is a typo,
and `timedelta` itself overflows not far above (or a deadline past the year 9999 would)."""


def parse_duration(text: str, *, shown: str | None = None) -> timedelta:
    """Parse "30s", "5m", "1h" or "2d" (a whole number and one unit) into a timedelta.

    Raises ValueError for anything else, including "1h30m", "5 m", "-5m" and anything longer
    than MAX_DURATION. The message names the text as `shown` says (default: quoted), so that
    a caller can keep a value it must not print out of it.
    """
    shown = repr(text) if shown is None else shown
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{shown} is not a duration like '30s', '5m', '1h' or '2d'")
    digits = match.group(1).lstrip("0") or "0"
    # Compared as digits first: int() refuses numbers over 4300 digits with its own error.
    seconds = int(digits) * _DURATION_SECONDS[match.group(2)] if len(digits) <= 20 else None
    if seconds is None or seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{shown} is too long; the longest duration is '{MAX_DURATION.days}d'")
    return timedelta(seconds=seconds)
