"""What the log pane's keys decide, apart from any widget: the filter a cycling key moves to,
the row a typed time lands on, the next mark, and the file an export writes.

`LogPane` keeps the wiring (keys in, widgets updated); the choices live here so that the pane
stays a view and each rule reads in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from warroom.logs.buffer import LogBuffer
from warroom.logs.filter import FilterSpec
from warroom.playbook import LogPreset
from warroom.safetext import visible
from warroom.timeparse import DayRule, parse_time

LEVELS = ("", "info", "warn", "error")
"""The minimum levels `v` cycles through ('' = all)."""


def next_level(spec: FilterSpec) -> FilterSpec:
    """`spec` with the level after its own in `LEVELS`; one outside them (a preset's debug)
    counts as ''."""
    current = spec.min_level if spec.min_level in LEVELS else ""
    level = LEVELS[(LEVELS.index(current) + 1) % len(LEVELS)]
    return spec._replace(min_level=level)


def next_source(spec: FilterSpec, names: Sequence[str]) -> FilterSpec:
    """`spec` showing the next of `names` alone, wrapping round through 'every source'."""
    cycle: list[str | None] = [None, *names]
    current = next(iter(spec.sources)) if spec.sources else None
    index = cycle.index(current) if current in cycle else 0
    nxt = cycle[(index + 1) % len(cycle)]
    return spec._replace(sources=None if nxt is None else frozenset({nxt}))


def next_preset(
    spec: FilterSpec, current: str, presets: Sequence[LogPreset]
) -> tuple[FilterSpec, str]:
    """The filter and name of the preset after `current` ('' = none), keeping the source."""
    names = ["", *(p.name for p in presets)]
    index = names.index(current) if current in names else 0
    name = names[(index + 1) % len(names)]
    if not name:
        return FilterSpec(sources=spec.sources), ""
    preset = next(p for p in presets if p.name == name)
    chosen = FilterSpec(
        include=preset.include,
        exclude=preset.exclude,
        ignore_case=preset.ignore_case,
        min_level=preset.min_level,
        sources=spec.sources,
    )
    return chosen, name


def row_at_typed_time(
    buffer: LogBuffer, text: str, *, zone: tzinfo, clock: Callable[[], datetime]
) -> int:
    """The shown row at or after the time typed as `text`; ValueError says what is wrong."""
    # A bare time means that time on the day of the newest line (in the display zone).
    latest = buffer.time_at_row(buffer.match_count - 1) if buffer.match_count else None
    when = parse_time(text, zone=zone, near=latest or clock(), rule=DayRule.SAME_DAY)
    return min(buffer.row_at_time(when), max(0, buffer.match_count - 1))


async def write_export(lines: Sequence[tuple[str, str]], folder: Path, at: datetime) -> Path:
    """Write `lines` (source, raw) to `folder`, in a file named for `at`; OSError if it can't."""
    path = folder / f"incident-logs-{at.strftime('%Y%m%d-%H%M%S')}.log"

    def write() -> None:
        with path.open("w", encoding="utf-8") as out:
            out.writelines(f"{source} {visible(raw, limit=None)}\n" for source, raw in lines)

    # Off the event loop: an export of 100,000 lines must not freeze the screen.
    await asyncio.to_thread(write)
    return path


def next_mark(marks: Iterable[int], buffer: LogBuffer, here: int, direction: int) -> int | None:
    """The marked line still held nearest after `here` (`direction` > 0) or before it."""
    held = sorted(seq for seq in marks if buffer.raw(seq) is not None)
    beyond = [seq for seq in held if (seq > here if direction > 0 else seq < here)]
    if not beyond:
        return None
    return beyond[0] if direction > 0 else beyond[-1]
