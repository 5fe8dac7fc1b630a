"""The whole incident as one JSON document, and back: `warroom export --format json` and
`warroom import`.

The document holds what makes the incident (every event as recorded, the whole output kept
beside each command run, every captured log line) and what is derived from it (state,
metrics, action items, a summary of the captured logs), so a reader needs no warroom and an
import needs nothing else. It is versioned (`FORMAT_VERSION`) and described by the JSON
Schema beside this module (`schema_path`). Exporting what an import restored gives the same
document: nothing in it depends on when it was made, except the metrics of an incident still
open, measured up to `measured_at`. Secrets from the playbook's `${VAR}`s never appear.

Pure: no I/O but reading the schema file; the caller reads the store and passes `now`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from warroom.incident.events import DECLARED, LOG_PINNED, Event, parse_time
from warroom.incident.fold import derive
from warroom.incident.metrics import metrics
from warroom.incident.state import IncidentState
from warroom.playbook import Playbook
from warroom.safetext import masked

FORMAT_VERSION = 1
"""Counted up whenever a reader of an older document would misread a newer one."""

LogRow = tuple[datetime, str, str]
"""(logged_at, source, line) as the store's log read methods return them."""


def schema_path() -> Path:
    """The JSON Schema every exported document validates against (shipped in the package)."""
    return Path(__file__).with_name("export.schema.json")


def _time(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="microseconds")


def _masked(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, str):
        return masked(value, secrets)
    if isinstance(value, Mapping):
        return {key: _masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item, secrets) for item in value]
    return value


def log_summary(rows: Sequence[LogRow], state: IncidentState) -> dict[str, Any]:
    """How many lines were captured from each source and over what time, and the pins."""
    sources: dict[str, dict[str, Any]] = {}
    for at, source, _line in rows:
        seen = sources.setdefault(source, {"lines": 0, "first": at, "last": at})
        seen["lines"] += 1
        seen["first"], seen["last"] = min(seen["first"], at), max(seen["last"], at)
    times = [at for at, _source, _line in rows]
    pinned = [
        {
            "at": _time(entry.at),
            "source": str(entry.event.payload.get("source", "")),
            "line": str(entry.event.payload.get("line", "")),
        }
        for entry in state.timeline
        if entry.kind == LOG_PINNED
    ]
    return {
        "lines": len(rows),
        "first": _time(min(times)) if times else None,
        "last": _time(max(times)) if times else None,
        "sources": {
            name: {
                "lines": seen["lines"],
                "first": _time(seen["first"]),
                "last": _time(seen["last"]),
            }
            for name, seen in sorted(sources.items())
        },
        "pinned": pinned,
    }


def _state(state: IncidentState) -> dict[str, Any]:
    return {
        "title": state.title,
        "severity": state.severity,
        "status": state.status,
        "declared_at": _time(state.declared_at),
        "declared_by": state.declared_by,
        "resolved_at": _time(state.resolved_at),
        "moments": {name: _time(at) for name, at in state.moments.items()},
        "roles": dict(state.roles),
        "fields": dict(state.fields),
        "health": dict(state.health),
        "ticked": {item: event.seq for item, event in state.ticked.items()},
        "escalation_level": state.escalation_level,
        "first_response_at": _time(state.first_response_at),
        "first_response_by": state.first_response_by,
        "last_status_update": _time(state.last_status_update),
        "postmortem": dict(state.postmortem),
    }


def export_document(
    events: Sequence[Event],
    playbook: Playbook,
    *,
    now: datetime,
    log_lines: Sequence[LogRow],
    command_outputs: Mapping[int, str],
) -> dict[str, Any]:
    """The incident of `events` as the JSON-ready document `warroom export` writes."""
    state = derive(events, playbook)
    measured_at = state.resolved_at if state.resolved_at is not None else now
    document = {
        "format_version": FORMAT_VERSION,
        "incident": {"id": state.id, "title": state.title, "severity": state.severity},
        "measured_at": _time(measured_at),
        "events": [
            {
                "seq": event.seq,
                "at": _time(event.at),
                "kind": event.kind,
                "actor": event.actor,
                "payload": dict(event.payload),
            }
            for event in events
        ],
        "state": _state(state),
        "metrics": [
            {
                "key": metric.key,
                "label": metric.label,
                "value": metric.value,
                "seconds": metric.seconds,
                "how": metric.how,
            }
            for metric in metrics(state, playbook, now=measured_at)
        ],
        "action_items": [
            {
                "key": item.key,
                "text": item.text,
                "owner": item.owner,
                "due": _time(item.due),
                "done": item.done,
                "done_at": _time(item.done_at),
                "done_by": item.done_by,
                "stage": item.stage,
            }
            for item in state.actions
        ],
        "logs": {
            "summary": log_summary(log_lines, state),
            "lines": [[_time(at), source, line] for at, source, line in log_lines],
        },
        "command_outputs": {str(seq): output for seq, output in sorted(command_outputs.items())},
    }
    masked_document: dict[str, Any] = _masked(document, playbook.secrets)
    return masked_document


def to_json(document: Mapping[str, Any]) -> str:
    """The document as written to a file: stable key order, UTF-8 kept, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class BadExport(ValueError):
    """The file is not a warroom export this version can read; the message says why."""


class Imported(NamedTuple):
    """What an import restores: the events as recorded, command outputs, captured lines."""

    events: list[Event]
    command_outputs: dict[int, str]
    log_lines: list[LogRow]


def _required_time(value: Any, where: str) -> datetime:
    at = parse_time(value)
    if at is None:
        raise BadExport(f"{where} has no readable time.")
    return at


def read_document(document: Any) -> Imported:
    """The incident in an exported document; `BadExport` when it is not one."""
    if not isinstance(document, dict) or "format_version" not in document:
        raise BadExport("It is not a warroom export: it has no format_version.")
    version = document["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BadExport(
            f"It was exported in format {version}, newer than this warroom reads "
            f"({FORMAT_VERSION}): upgrade warroom to import it."
        )
    try:
        incident_id = str(document["incident"]["id"])
        events = [
            Event(
                int(raw["seq"]),
                incident_id,
                _required_time(raw["at"], f"event {raw['seq']}"),
                str(raw["kind"]),
                str(raw["actor"]),
                dict(raw["payload"]),
            )
            for raw in document["events"]
        ]
        outputs = {int(seq): str(text) for seq, text in document["command_outputs"].items()}
        lines = [
            (_required_time(at, "a log line"), str(source), str(line))
            for at, source, line in document["logs"]["lines"]
        ]
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, BadExport):
            raise
        raise BadExport(f"It is not a complete warroom export ({error!r} is wrong).") from None
    if not events or events[0].kind != DECLARED:
        raise BadExport("It holds no incident: its events do not start with the declaration.")
    if any(later.seq <= earlier.seq for earlier, later in itertools.pairwise(events)):
        raise BadExport("Its events are not in order of their seq.")
    return Imported(events, outputs, lines)
