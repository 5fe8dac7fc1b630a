"""What each `warroom` subcommand does, given parsed options.

Every failure the user can fix is a `CommandError` with one clear sentence (exit 2 for bad
input, 1 for an operational failure); nothing here lets a traceback reach the terminal for
a predictable problem.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from warroom.cli.looks import looks_for
from warroom.cli.options import (
    OPERATIONAL_FAILURE,
    CommandError,
    Options,
    as_database,
    database_path,
    exists,
    load,
    playbook_path,
    say_if_created,
    shown,
)
from warroom.playbook import Playbook

if TYPE_CHECKING:
    from warroom.store import EventStore

T = TypeVar("T")


def with_store(
    options: Options,
    work: Callable[[EventStore], Awaitable[T]],
    *,
    create: bool = False,
    read_only: bool = False,
) -> T:
    """Open the incident database, run `work` on it and close it again; only `create` (for
    `warroom new`) makes a database that is not there, and `read_only` changes nothing."""
    from warroom.store import MissingStore, NewerSchema, StoreError, UnknownIncident, open_store

    path = database_path(options, create=create)
    existed = exists(path)

    async def run() -> T:
        async with await open_store(path, create=create, read_only=read_only) as store:
            return await work(store)

    try:
        result = asyncio.run(run())
        say_if_created(path, existed)
        return result
    except UnknownIncident as error:
        raise CommandError(f"There is no incident {error.args[0]} in {shown(path)}.") from None
    except MissingStore as error:  # a typo in --db or HOME: bad input, not a failure
        raise CommandError(str(error)) from None
    except NewerSchema as error:  # the wrong warroom for this file, not a broken file
        raise CommandError(str(error)) from None
    except StoreError as error:
        raise CommandError(str(error), OPERATIONAL_FAILURE) from None


def run_validate(options: Options, args: argparse.Namespace) -> int:
    path = playbook_path(options, args.path)
    playbook = load(path)
    from warroom.cli.launch import check_keys

    check_keys(playbook)
    print(
        f"{path}: ok ({len(playbook.severities)} severities, {len(playbook.services)} services, "
        f"{len(playbook.providers)} providers, {len(playbook.log_sources)} log sources, "
        f"{len(playbook.phases)} phases, {len(playbook.runbooks)} runbooks, "
        f"{len(playbook.templates)} templates)"
    )
    return 0


def run_new(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    severity = _known_severity(playbook, args.severity)
    title = " ".join(args.title.split())
    if not title:
        raise CommandError("The title must say what is wrong; it is empty.")

    async def declare(store: EventStore) -> str:
        event = await store.declare(title=title, severity=severity, actor=options.actor)
        return event.incident_id

    print(with_store(options, declare, create=True))
    return 0


def _known_severity(playbook: Playbook, level: str) -> str:
    levels = [severity.level for severity in playbook.severities]
    normalised = level.strip().upper()
    if normalised not in levels:
        raise CommandError(f"Unknown severity {level!r}: use one of {', '.join(levels)}.")
    return normalised


def run_note(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident import note_added

    if args.text == ["-"]:
        # Scripts and bots pipe their findings in: one note per line, blank lines skipped.
        notes = [line.strip() for line in sys.stdin if line.strip()]
    else:
        notes = [" ".join(args.text).strip()]
    if not notes or not notes[0]:
        raise CommandError("The note is empty.")

    async def append(store: EventStore) -> int:
        await store.incident(args.incident_id)  # raises UnknownIncident before any write
        # One commit for the lot: 10,000 piped lines take well under a second, not 10 s.
        entries = [(new.kind, new.payload) for new in map(note_added, notes)]
        return len(await store.append_many(args.incident_id, entries, actor=options.actor))

    with_store(options, append)
    return 0


def run_rename(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident import renamed

    title = " ".join(" ".join(args.title).split())
    if not title:
        raise CommandError("The new title must say what is wrong; it is empty.")

    async def rename(store: EventStore) -> None:
        summary = await store.incident(args.incident_id)  # raises UnknownIncident first
        if summary.title == title:
            return  # nothing to record: the timeline would say "Renamed" for no change
        new = renamed(title)
        await store.append(args.incident_id, new.kind, new.payload, actor=options.actor)

    with_store(options, rename)
    return 0


def run_ack(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident import acknowledged

    async def acknowledge(store: EventStore) -> None:
        await store.incident(args.incident_id)  # raises UnknownIncident before any write
        new = acknowledged()
        await store.append(args.incident_id, new.kind, new.payload, actor=options.actor)

    with_store(options, acknowledge)
    return 0


def run_list(options: Options, args: argparse.Namespace) -> int:
    async def fetch(store: EventStore) -> list[dict[str, str]]:
        return [
            {
                "id": summary.id,
                "severity": summary.severity,
                "status": summary.status,
                "declared_at": summary.declared_at.isoformat(),
                "last_event_at": summary.last_event_at.isoformat(),
                "title": summary.title,
            }
            for summary in await store.list_incidents()
        ]

    rows = with_store(options, fetch, read_only=True)
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print("No incidents yet. Declare one with: warroom new --severity P1 --title '...'")
        return 0
    from warroom.safetext import visible

    # Plain columns, whole titles: the listing is read in terminals and through pipes alike.
    print(f"{'id':<16}  {'sev':<3}  {'status':<8}  {'declared (UTC)':<16}  title")
    for row in rows:
        # Titles are typed by people and scripts: escape sequences are shown, not sent.
        incident_id, severity = visible(row["id"], limit=32), visible(row["severity"], limit=8)
        print(
            f"{incident_id:<16}  {severity:<3}  {row['status']:<8}  "
            f"{row['declared_at'][:16]:<16}  {visible(row['title'], limit=500)}"
        )
    return 0


def run_check(options: Options, args: argparse.Namespace) -> int:
    from warroom.cli.check import run_check as check

    playbook = load(playbook_path(options))
    return check(playbook, as_json=args.json, out=sys.stdout)


def run_status_text(options: Options, args: argparse.Namespace) -> int:
    from warroom.incident import Event, comms, derive, utc_now

    playbook = load(playbook_path(options))
    extra = assignments(args.assignments)

    async def events(store: EventStore) -> list[Event]:
        await store.incident(args.incident_id)  # raises UnknownIncident for a bad id
        return await store.events(args.incident_id)

    state = derive(with_store(options, events, read_only=True), playbook)
    try:
        text = comms.status_text(state, playbook, args.template, now=utc_now(), extra=extra)
    except comms.UnknownTemplate as error:
        raise CommandError(
            f"Unknown template {args.template!r}: use one of {', '.join(error.known)}."
        ) from None
    except comms.MissingFields as error:
        sets = " ".join(f"--set {name}=..." for name in error.names)
        raise CommandError(
            f"The incident has no value yet for {', '.join(error.names)}: give it with {sets}."
        ) from None
    warning = comms.status_warning(comms.template_named(playbook, args.template), state)
    if warning:  # on stderr: what is printed stays exactly the text to send
        print(f"Warning: {warning}", file=sys.stderr)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def assignments(pairs: list[str], *, what: str = "FIELD") -> dict[str, str]:
    """`--set NAME=VALUE` options as a dict; the value may hold any character, `=` too."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--set takes {what}=VALUE, not {pair!r}.")
        values[name.strip()] = value
    return values


def run_open(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    from warroom.cli.launch import launch_war_room

    return launch_war_room(
        playbook,
        database_path(options),
        options.actor,
        incident_id=args.incident_id,
        looks=looks_for(options, playbook.settings.theme),
    )


def run_review(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    from warroom.cli.launch import launch_review

    return launch_review(
        playbook,
        database_path(options),
        options.actor,
        incident_id=args.incident_id,
        looks=looks_for(options, playbook.settings.theme),
    )


def run_default(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    from warroom.cli.launch import launch_war_room

    # With no incident open, the war room offers to declare one: it may create the database.
    return launch_war_room(
        playbook,
        database_path(options, create=True),
        options.actor,
        incident_id=None,
        looks=looks_for(options, playbook.settings.theme),
    )


def run_demo(options: Options, args: argparse.Namespace) -> int:
    from warroom.cli.launch import launch_demo

    # Only a database named on this command line: a WARROOM_DB exported for the real
    # incident must never receive the simulated outage's events.
    explicit = getattr(args, "db", None)
    named = options._replace(db=as_database(explicit)) if explicit else None
    db = database_path(named, create=True) if named is not None else None
    # The demo's playbook is the bundled one, which names no theme.
    return launch_demo(db=db, actor=options.actor, looks=looks_for(options))
