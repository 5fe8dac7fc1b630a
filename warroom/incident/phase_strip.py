"""The phase strip: every workflow phase and where it stands, in one line of text.

`✓Detection ▶Investigation 7:12/10m  Mitigation  Resolution  Post-Mortem` — done (✓), the
current phase (▶, time since its window opened against the window's length), overdue (!,
with how late when it is the current one) and not started (no mark). The marks say it all,
so the line reads the same without colour; a UI only styles each part by its `mark`.

Pure: it reads the `Clocks` the screen counts each second, and `fit` shortens names until
the line fits the width it is given, so five phases stay on screen at 80 columns.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import NamedTuple

from warroom.incident.clocks import Clocks, PhaseProgress, span

_HOUR = timedelta(hours=1)
_SEPARATOR = " "


class PhaseMark(StrEnum):
    """Where a phase stands, as its part of the strip says it."""

    DONE = "done"
    CURRENT = "current"
    OVERDUE = "overdue"
    WAITING = "waiting"


SYMBOLS = {
    PhaseMark.DONE: "✓",
    PhaseMark.CURRENT: "▶",
    PhaseMark.OVERDUE: "!",
    PhaseMark.WAITING: " ",
}


class StripPart(NamedTuple):
    """One phase on the strip."""

    mark: PhaseMark
    name: str
    timing: str
    """After the name: '7:12/10m' for the current phase, '+2:30' when it is late, else ''."""

    def text(self, name_width: int | None = None) -> str:
        """The part as shown, its name cut to `name_width` characters (with '…') if given."""
        name = self.name
        if name_width is not None and len(name) > name_width:
            name = name[: max(name_width - 1, 1)] + "…"
        timing = f" {self.timing}" if self.timing else ""
        return f"{SYMBOLS[self.mark]}{name}{timing}"


def window_length(length: timedelta) -> str:
    """A window's length, short: '10m', '24h', '90m'."""
    if length >= 2 * _HOUR and length % _HOUR == timedelta(0):
        return f"{length // _HOUR}h"
    return f"{int(length.total_seconds()) // 60}m"


def _part(progress: PhaseProgress, since_declared: timedelta) -> StripPart:
    phase = progress.phase
    if progress.complete:
        return StripPart(PhaseMark.DONE, phase.name, "")
    if progress.overdue and progress.overdue_by is not None:
        late = f"+{span(progress.overdue_by)}" if progress.is_current else ""
        return StripPart(PhaseMark.OVERDUE, phase.name, late)
    if progress.is_current:
        # Counted from when the window opened: a phase reached early has spent no time yet.
        inside = max(since_declared - phase.window_start, timedelta(0))
        length = window_length(phase.window_end - phase.window_start)
        return StripPart(PhaseMark.CURRENT, phase.name, f"{span(inside)}/{length}")
    return StripPart(PhaseMark.WAITING, phase.name, "")


def strip_parts(at: Clocks) -> tuple[StripPart, ...]:
    """Every phase's part, in playbook order."""
    return tuple(_part(progress, at.since_declared) for progress in at.phases)


def fit(parts: tuple[StripPart, ...], width: int) -> tuple[str, ...]:
    """Each part's text, names shortened (the current phase's last) until the joined line
    fits `width`; at the narrowest every phase keeps its mark and a letter or two."""

    def texts(others: int | None, current: int | None) -> tuple[str, ...]:
        return tuple(part.text(current if part.timing else others) for part in parts)

    def length(shown: tuple[str, ...]) -> int:
        return sum(len(text) for text in shown) + len(_SEPARATOR) * (len(shown) - 1)

    shown = texts(None, None)
    if length(shown) <= width:
        return shown
    longest = max((len(part.name) for part in parts), default=0)
    for others in range(longest - 1, 1, -1):
        shown = texts(others, None)
        if length(shown) <= width:
            return shown
    for current in range(longest - 1, 1, -1):
        shown = texts(2, current)
        if length(shown) <= width:
            return shown
    return texts(2, 2)


def strip_line(at: Clocks, width: int) -> str:
    """The whole strip as one line of at most `width` characters where that can be done."""
    return _SEPARATOR.join(fit(strip_parts(at), width))
