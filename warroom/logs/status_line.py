"""Every log source's state in one line of a given width: trouble first, the rest counted.

With many sources the line is wider than the pane; cut at the right, the sources listed
last vanish, and with them a "not found" or "stale". So the worst states come first, and
what does not fit is still said as a count ("+3 streaming"). No Textual here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo

from rich.cells import cell_len, set_cell_size

from warroom.logs.source import SourceState, SourceStatus

SEPARATOR = " · "

_WORST_FIRST = (
    SourceState.NOT_FOUND,
    SourceState.STALE,
    SourceState.RECONNECTING,
    SourceState.STOPPED,
    SourceState.STARTING,
    SourceState.STREAMING,
)


def shown_state(status: SourceStatus) -> SourceState:
    """The state the line names: a source restarting because it went silent is stale."""
    if status.stale_since is not None and status.state != SourceState.STREAMING:
        return SourceState.STALE
    return status.state


def status_line(
    statuses: Iterable[SourceStatus],
    width: int,
    *,
    now: datetime,
    tz: tzinfo,
    show: Callable[[str], str] = str,
) -> str:
    """`name: state` for each source, worst state first (playbook order among equals),
    as many as fit in `width` cells, then a count of the others by state.

    `show` makes each part what will be displayed (masked, escapes made visible), so what
    is measured is what is shown. A `width` below 1 (not laid out yet) fits everything.
    """
    ranked = sorted(statuses, key=lambda status: _WORST_FIRST.index(shown_state(status)))
    parts = [show(f"{status.source}: {status.describe(now, tz)}") for status in ranked]
    states = [shown_state(status) for status in ranked]
    line = SEPARATOR.join(parts)
    if width < 1 or cell_len(line) <= width:
        return line
    kept = 1
    while kept < len(parts) and cell_len(_joined(parts, states, kept + 1)) <= width:
        kept += 1
    line = _joined(parts, states, kept)
    if cell_len(line) <= width:
        return line
    # Not even the worst source fits beside the count: it is cut, the count stays whole.
    count = _count(states[1:])
    rest = SEPARATOR + count if count else ""
    room = max(width - cell_len(rest) - 1, 1)
    return set_cell_size(parts[0], room) + "…" + rest


def _joined(parts: list[str], states: list[SourceState], kept: int) -> str:
    """The first `kept` parts and a count of the sources after them."""
    count = _count(states[kept:])
    return SEPARATOR.join([*parts[:kept], *([count] if count else [])])


def _count(states: list[SourceState]) -> str:
    counted = Counter(states)
    return ", ".join(f"+{counted[state]} {state}" for state in _WORST_FIRST if counted[state])
