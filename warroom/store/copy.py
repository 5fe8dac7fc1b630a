"""Incidents carried whole from one store to another (`warroom db copy`): a laptop's SQLite
into the team's PostgreSQL, or the team's incidents into a file for review on a plane.

Only the `EventStore` protocol is used, so any two backends pair up. Each incident goes
across as `import_incident` takes it: its id, every event with its seq, time and actor, the
output beside each command run and every captured log line, in one commit. Running the copy
again changes nothing: an incident the target already holds, event for event, is left
alone; one that holds the same id with other events (two databases each numbered an
INC-…-001 of their own) is not overwritten, and is reported as a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from warroom.incident.events import COMMAND_RUN
from warroom.store.protocol import EventStore, UnknownIncident

ALL_LINES = 2**62
"""A `log_lines` limit no archive reaches: a copy carries every captured line."""


@dataclass
class CopyReport:
    """What a copy did, incident by incident."""

    copied: list[tuple[str, int, int, int]] = field(default_factory=list)
    """(id, events, log lines, command outputs) of each incident copied."""
    present: list[str] = field(default_factory=list)
    """Incidents the target already held exactly as the source does."""
    conflicts: list[str] = field(default_factory=list)
    """Incidents whose id the target holds with other events: left as they were."""


async def copy_incidents(
    source: EventStore, target: EventStore, only: Sequence[str] = ()
) -> CopyReport:
    """Copy every incident of `source` (or those in `only`, UnknownIncident for one it has
    not) into `target`, oldest first."""
    ids = list(only) or [summary.id for summary in reversed(await source.list_incidents())]
    report = CopyReport()
    for incident_id in ids:
        await source.incident(incident_id)
        events = await source.events(incident_id)
        try:
            await target.incident(incident_id)
        except UnknownIncident:
            pass
        else:
            there = await target.events(incident_id)
            (report.present if there == events else report.conflicts).append(incident_id)
            continue
        lines = await source.log_lines(incident_id, limit=ALL_LINES)
        outputs: dict[int, str] = {}
        for event in events:
            if event.kind == COMMAND_RUN:
                output = await source.command_output(incident_id, event.seq)
                if output is not None:
                    outputs[event.seq] = output
        await target.import_incident(events, command_outputs=outputs, log_lines=lines)
        report.copied.append((incident_id, len(events), len(lines), len(outputs)))
    return report
