"""`warroom export` and `warroom import`: the post-mortem document, and the whole incident
carried losslessly to another database (`warroom.incident.export` says what is in it)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.cli.commands import with_store
from warroom.cli.options import CommandError, Options, load, playbook_path
from warroom.incident.events import COMMAND_RUN, Event, utc_now
from warroom.incident.export import BadExport, LogRow, export_document, read_document, to_json

if TYPE_CHECKING:
    from warroom.store import EventStore

ALL_LINES = 2**62
"""A `log_lines` limit no archive reaches: an export carries every captured line."""


async def _read_all(
    store: EventStore, incident_id: str
) -> tuple[list[Event], list[LogRow], dict[int, str]]:
    await store.incident(incident_id)  # raises UnknownIncident for a bad id
    events = await store.events(incident_id)
    lines = await store.log_lines(incident_id, limit=ALL_LINES)
    outputs: dict[int, str] = {}
    for event in events:
        if event.kind == COMMAND_RUN:
            output = await store.command_output(incident_id, event.seq)
            if output is not None:
                outputs[event.seq] = output
    return events, lines, outputs


def run_export(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident.fold import derive
    from warroom.incident.metrics import metrics
    from warroom.incident.postmortem import render_markdown

    playbook = load(playbook_path(options))

    async def read(store: EventStore) -> tuple[list[Event], list[LogRow], dict[int, str]]:
        return await _read_all(store, args.incident_id)

    events, lines, outputs = with_store(options, read, read_only=True)
    now = utc_now()
    if args.format == "json":
        document = export_document(
            events, playbook, now=now, log_lines=lines, command_outputs=outputs
        )
        text = to_json(document)
    else:
        state = derive(events, playbook)
        text = render_markdown(state, playbook, now=now, metrics=metrics(state, playbook, now=now))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot write {target}: {error.strerror or error}.") from None
    print(f"Wrote {args.incident_id} ({args.format}) to {target}", file=sys.stderr)
    return 0


def _document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CommandError(f"{path} is not JSON: warroom import reads what export wrote.") from None


def run_import(options: Options, args: argparse.Namespace) -> int:
    from warroom.store import AlreadyStored

    path = Path(args.file).expanduser()
    try:
        incident = read_document(_document(path))
    except BadExport as error:
        raise CommandError(f"Cannot import {path}: {error}") from None
    incident_id = incident.events[0].incident_id

    async def restore(store: EventStore) -> None:
        await store.import_incident(
            incident.events,
            command_outputs=incident.command_outputs,
            log_lines=incident.log_lines,
        )

    try:
        with_store(options, restore, create=True)
    except AlreadyStored:
        raise CommandError(
            f"The database already has an incident {incident_id}; nothing was imported."
        ) from None
    print(incident_id)
    return 0
