"""`warroom publish` and `warroom page`: the status page, chat and on-call from a shell.

Both read the incident, build the requests with `warroom.publish` (the same ones the war
room previews), and with `--dry-run` print them, secrets masked, and send nothing. Otherwise
they send, print one line per target, and record each outcome as an event
(`comms.published`, `oncall.paged`) whether it worked or not. `--read-only` refuses both.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from warroom.cli.options import OPERATIONAL_FAILURE, CommandError, Options, load, playbook_path
from warroom.incident import IncidentState, derive, utc_now
from warroom.playbook import Playbook
from warroom.safetext import masked, visible

if TYPE_CHECKING:
    from warroom.publish import Delivery, Target
    from warroom.store import EventStore


def _targets(playbook: Playbook, written: str | None) -> list[Target]:
    configured: list[Target] = []
    if playbook.status_page is not None:
        configured.append("statuspage")
    if playbook.chat is not None:
        configured.append("chat")
    if written is None:
        if not configured:
            raise CommandError("The playbook has no [status_page] or [chat] to publish to.")
        return configured
    chosen: list[Target] = []
    for name in (part.strip() for part in written.split(",")):
        if name not in ("statuspage", "chat"):
            raise CommandError(f"--to takes statuspage and chat, not {name!r}.")
        if name not in chosen:
            chosen.append(name)  # type: ignore[arg-type]
    return chosen


def _components(playbook: Playbook, pairs: list[str]) -> dict[str, str]:
    from warroom.cli.commands import assignments

    named = assignments(pairs, what="NAME")
    mapping = dict(playbook.status_page.components) if playbook.status_page else {}
    return {mapping.get(name, name): status for name, status in named.items()}


def _refuse_if_read_only(options: Options, playbook: Playbook) -> None:
    if options.read_only or playbook.settings.read_only:
        raise CommandError("--read-only: publishing acts on the world; nothing was sent.")


def run_publish(options: Options, args: argparse.Namespace) -> int:
    from warroom.cli.commands import assignments, with_store
    from warroom.incident import comms
    from warroom.publish import NotPublishable, Sender, plan_publish, publish, published_events

    playbook = load(playbook_path(options))
    _refuse_if_read_only(options, playbook)
    targets = _targets(playbook, args.to)
    extra = assignments(args.assignments)
    components = _components(playbook, args.components)

    async def work(store: EventStore) -> list[Delivery] | None:
        state = await _read(store, args.incident_id, playbook)
        try:
            plan = plan_publish(
                state,
                playbook,
                args.template,
                targets=targets,
                now=utc_now(),
                extra=extra,
                components=components,
            )
        except (NotPublishable, comms.UnknownTemplate) as error:
            raise CommandError(str(error)) from None
        except comms.MissingFields as error:
            sets = " ".join(f"--set {name}=..." for name in error.names)
            raise CommandError(
                f"The incident has no value yet for {', '.join(error.names)}: give it with {sets}."
            ) from None
        warning = comms.status_warning(comms.template_named(playbook, args.template), state)
        if warning:
            print(f"Warning: {warning}", file=sys.stderr)
        if args.dry_run:
            _print_lines(plan.shown())
            return None
        async with Sender() as sender:
            deliveries = await publish(plan, playbook, sender)
        entries = [(new.kind, new.payload) for new in published_events(plan, deliveries)]
        await store.append_many(args.incident_id, entries, actor=options.actor)
        return deliveries

    deliveries = with_store(options, work, read_only=args.dry_run)
    return 0 if deliveries is None else _report(deliveries, playbook)


def run_page(options: Options, args: argparse.Namespace) -> int:
    from warroom.cli.commands import with_store
    from warroom.publish import NotPublishable, Sender, page_request, paged_event

    playbook = load(playbook_path(options))
    _refuse_if_read_only(options, playbook)

    async def work(store: EventStore) -> list[Delivery] | None:
        state = await _read(store, args.incident_id, playbook)
        try:
            request = page_request(state, playbook, resolve=args.resolve)
        except NotPublishable as error:
            raise CommandError(str(error)) from None
        if args.dry_run:
            _print_lines(request.shown(playbook.secrets))
            return None
        async with Sender() as sender:
            delivery = await sender.send(request)
        event = paged_event(delivery, playbook)
        await store.append_many(
            args.incident_id, [(event.kind, event.payload)], actor=options.actor
        )
        return [delivery]

    deliveries = with_store(options, work, read_only=args.dry_run)
    return 0 if deliveries is None else _report(deliveries, playbook)


def _print_lines(text: str) -> None:
    # Line by line: `visible` would show the request's own line breaks as ␊.
    for line in text.splitlines():
        print(visible(line, limit=None))


async def _read(store: EventStore, incident_id: str, playbook: Playbook) -> IncidentState:
    await store.incident(incident_id)  # raises UnknownIncident for a bad id
    return derive(await store.events(incident_id), playbook)


def _report(deliveries: list[Delivery], playbook: Playbook) -> int:
    """One line per target: what was done on stdout, what failed on stderr."""
    from warroom.publish import secrets_of

    secrets = secrets_of(playbook)
    failed = False
    for delivery in deliveries:
        target = delivery.request.target
        if delivery.ok:
            link = f" {delivery.shortlink}" if delivery.shortlink else ""
            ident = f" (incident {delivery.remote_id})" if delivery.remote_id else ""
            line = f"{target}: {delivery.message}{link}{ident}"
            print(visible(masked(line, secrets), limit=None))
        else:
            failed = True
            print(f"{target}: {masked(delivery.message, secrets)}", file=sys.stderr)
    return OPERATIONAL_FAILURE if failed else 0
