"""The sources' status line: trouble first, and what does not fit still counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.cells import cell_len

from warroom.logs.source import SourceState, SourceStatus
from warroom.logs.status_line import status_line

NOW = datetime(2026, 12, 3, 3, 0, 0, tzinfo=UTC)


def streaming(name: str) -> SourceStatus:
    return SourceStatus(name, SourceState.STREAMING)


MISSING = SourceStatus(
    "mcp", SourceState.NOT_FOUND, retry_at=NOW + timedelta(seconds=4), detail="no program fly"
)
STALE = SourceStatus(
    "worker",
    SourceState.RECONNECTING,
    retry_at=NOW + timedelta(seconds=2),
    stale_since=NOW - timedelta(minutes=3),
)


def line(*statuses: SourceStatus, width: int) -> str:
    return status_line(statuses, width, now=NOW, tz=UTC)


def test_everything_fits_worst_first_and_otherwise_in_playbook_order() -> None:
    shown = line(streaming("front"), streaming("back"), MISSING, STALE, width=200)
    assert shown == (
        "mcp: not found: no program fly (retry in 4s) · "
        "worker: stale since 02:57:00 UTC, restarting in 2s · "
        "front: streaming · back: streaming"
    )


def test_what_does_not_fit_is_counted_by_state() -> None:
    sources = [streaming(name) for name in ("front", "back", "api", "web")]
    shown = line(*sources, MISSING, width=60)
    assert shown == "mcp: not found: no program fly (retry in 4s) · +4 streaming"
    assert cell_len(shown) <= 60
    wider = line(*sources, MISSING, width=80)
    assert wider == (
        "mcp: not found: no program fly (retry in 4s) · front: streaming · +3 streaming"
    )


def test_trouble_that_does_not_fit_is_counted_too() -> None:
    shown = line(streaming("front"), STALE, MISSING, width=70)
    assert shown == "mcp: not found: no program fly (retry in 4s) · +1 stale, +1 streaming"


def test_a_source_too_long_for_the_width_is_cut_and_the_count_kept() -> None:
    shown = line(MISSING, streaming("front"), width=30)
    assert shown.endswith("… · +1 streaming") and shown.startswith("mcp: not")
    assert cell_len(shown) <= 30


def test_each_part_is_measured_as_shown() -> None:
    # Measured before `show`, "front: streaming · back: streaming" would not fit in 30.
    sources = [streaming("front"), streaming("back")]
    shown = status_line(sources, 30, now=NOW, tz=UTC, show=lambda text: text.replace("ront", ""))
    assert shown == "f: streaming · back: streaming"
