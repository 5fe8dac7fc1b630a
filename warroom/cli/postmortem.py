"""`warroom postmortem`, `warroom action` and `warroom actions`: writing the post-mortem and
keeping its action items from a shell, before (and beside) any review screen.

What a person writes is recorded as events (`postmortem.field_set`, `action.*`), so two
reviewers see each other's words and nothing is overwritten. Times typed (`--due`) are read
by `warroom.timeparse` in the playbook's display zone.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.cli.commands import assignments, with_store
from warroom.cli.options import CommandError, Options, load, playbook_path
from warroom.incident.actions import POSTMORTEM_WRITTEN, ActionItem
from warroom.incident.events import (
    Event,
    NewEvent,
    action_added,
    action_assigned,
    action_done,
    action_reopened,
    postmortem_field_set,
    utc_now,
)
from warroom.incident.fold import derive
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.timeparse import DayRule, parse_time

if TYPE_CHECKING:
    from warroom.store import EventStore


def _events(options: Options, incident_id: str) -> list[Event]:
    async def read(store: EventStore) -> list[Event]:
        await store.incident(incident_id)  # raises UnknownIncident for a bad id
        return await store.events(incident_id)

    return with_store(options, read, read_only=True)


def _append(options: Options, incident_id: str, new: list[NewEvent]) -> None:
    if options.read_only:
        raise CommandError("--read-only: this writes to the incident database; nothing was done.")

    async def append(store: EventStore) -> None:
        await store.incident(incident_id)  # raises UnknownIncident before any write
        entries = [(event.kind, event.payload) for event in new]
        await store.append_many(incident_id, entries, actor=options.actor)

    with_store(options, append)


def run_postmortem(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident.metrics import metrics
    from warroom.incident.postmortem import render_markdown

    playbook = load(playbook_path(options))
    written = assignments(args.assignments)
    if not written:
        state = derive(_events(options, args.incident_id), playbook)
        now = utc_now()
        found = metrics(state, playbook, now=now)
        sys.stdout.write(render_markdown(state, playbook, now=now, metrics=found))
        return 0
    unknown = [name for name in written if name not in POSTMORTEM_WRITTEN]
    if unknown:
        raise CommandError(
            f"There is no post-mortem section {unknown[0]!r}: use one of "
            f"{', '.join(POSTMORTEM_WRITTEN)}."
        )
    from_stdin = [name for name, text in written.items() if text == "-"]
    if len(from_stdin) > 1:
        raise CommandError("Only one section can be read from stdin (FIELD=-).")
    if from_stdin:
        written[from_stdin[0]] = sys.stdin.read().strip("\n")
    _append(options, args.incident_id, [postmortem_field_set(k, v) for k, v in written.items()])
    return 0


def _due(text: str | None, playbook: Playbook) -> datetime | None:
    if text is None:
        return None
    try:
        # A due date is in the future: a bare time of day means the next one.
        return parse_time(
            text, zone=playbook.settings.display_timezone, near=utc_now(), rule=DayRule.NEAREST
        )
    except ValueError as error:
        raise CommandError(f"--due: {error}") from None


def run_action(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    due = _due(args.due, playbook)
    text = " ".join(" ".join(args.words).split())
    if args.verb == "add":
        if not text:
            raise CommandError("The action item must say what to do; it is empty.")
        new = action_added(text, owner=(args.owner or "").strip(), due=due)
        _append(options, args.incident_id, [new])
        return 0
    state = derive(_events(options, args.incident_id), playbook)
    keys = [item.key for item in state.actions]
    key = text.removeprefix("#")
    if key not in keys:
        shown = ", ".join(keys) if keys else "none yet"
        raise CommandError(
            f"{args.incident_id} has no action item {text!r}; its items are: {shown}."
        )
    if args.verb == "assign":
        if args.owner is None and due is None:
            raise CommandError("assign needs --owner NAME, --due WHEN or both.")
        owner = args.owner.strip() if args.owner is not None else None
        change = action_assigned(key, owner=owner, due=due)
    else:
        change = action_done(key) if args.verb == "done" else action_reopened(key)
    _append(options, args.incident_id, [change])
    return 0


def _row(incident_id: str, item: ActionItem, now: datetime) -> dict[str, Any]:
    return {
        "incident": incident_id,
        "key": item.key,
        "text": item.text,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due is not None else None,
        "done": item.done,
        "overdue": item.overdue(now),
        "stage": item.stage,
    }


def run_actions(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))

    async def gather(store: EventStore) -> list[tuple[str, list[Event]]]:
        return [
            (summary.id, await store.events(summary.id)) for summary in await store.list_incidents()
        ]

    now = utc_now()
    rows = [
        _row(incident_id, item, now)
        for incident_id, events in with_store(options, gather, read_only=True)
        for item in derive(events, playbook).actions
        if not (args.open and item.done)
    ]
    far = "9999"
    rows.sort(key=lambda row: (not row["overdue"], row["done"], row["due"] or far))
    if args.json:
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if not rows:
        print("No action items." if not args.open else "No open action items.")
        return 0
    print(f"{'incident':<16}  {'item':<4}  {'state':<7}  {'due (UTC)':<16}  {'owner':<12}  text")
    for row in rows:
        state = "overdue" if row["overdue"] else "done" if row["done"] else "open"
        due = (row["due"] or "")[:16].replace("T", " ")
        owner = visible(row["owner"], limit=40) or "-"
        print(
            f"{row['incident']:<16}  {row['key']:<4}  {state:<7}  {due:<16}  {owner:<12}  "
            f"{visible(row['text'], limit=500)}"
        )
    return 0
