"""What a publish or a page will send, made from the incident, and the events recording it.

`plan_publish` fills the template exactly as copying does (`incident.comms`), picks create or
update from what the incident recorded, proposes the components' statuses from the health
it knows, and returns every request it would send: the dry run prints them, the preview
shows them, `publish` sends them. `published_events` and `paged_event` turn the outcomes
into the record, masked once more, so no secret reaches the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from warroom.incident import IncidentState, NewEvent, comms, comms_published, oncall_paged
from warroom.playbook import Playbook
from warroom.publish.delivery import Delivery
from warroom.publish.requests import (
    COMPONENT_STATUSES,
    STATUSES,
    ApiRequest,
    StatusUpdate,
    Target,
    chat_message,
    page_resolve,
    page_trigger,
    proposed_components,
    statuspage_create,
    statuspage_update,
)
from warroom.publish.sender import Sender
from warroom.publish.statuspage import send_status_page
from warroom.safetext import masked

PUBLISH_TARGETS: tuple[Target, ...] = ("statuspage", "chat")


class NotPublishable(ValueError):
    """The publish asked for cannot be made: one sentence saying why (bad input)."""


class PublishPlan(NamedTuple):
    """One publish of one template to its targets."""

    template: str
    text: str
    """The status text, as copying would produce it."""
    targets: tuple[Target, ...]
    requests: tuple[ApiRequest, ...]
    """In sending order; a status page's is its create or its update."""
    update: StatusUpdate | None = None
    """What the status page is told, when it is a target."""
    status_page_id: str = ""
    """The incident to update there; "" to create it."""
    look_first: bool = False
    """An earlier create got no answer: look for it before creating."""
    secrets: frozenset[str] = frozenset()
    """Everything to mask: the playbook's `${VAR}` values and the targets' keys."""

    def shown(self) -> str:
        """Every request, as the dry run prints and the preview shows them: secrets masked."""
        return "\n\n".join(request.shown(self.secrets) for request in self.requests)


def secrets_of(playbook: Playbook) -> frozenset[str]:
    """Every value that must never be shown or stored: the `${VAR}`s and the three keys,
    which count even when a file wrote one out."""
    found = set(playbook.secrets)
    for target in (playbook.status_page, playbook.chat, playbook.paging):
        if target is not None:
            found |= target.secrets()
    return frozenset(secret for secret in found if secret)


def channel_name(state: IncidentState, playbook: Playbook) -> str:
    """`#incident-YYYYMMDD`, the incident channel the playbook asks for, on the day the
    incident was declared in the display zone."""
    day = state.declared_at.astimezone(ZoneInfo(playbook.settings.display_timezone))
    return f"#incident-{day:%Y%m%d}"


def plan_publish(
    state: IncidentState,
    playbook: Playbook,
    template_name: str,
    *,
    targets: Sequence[Target],
    now: datetime,
    extra: Mapping[str, str] | None = None,
    components: Mapping[str, str] | None = None,
    health: Mapping[str, str] | None = None,
    propose: bool = True,
) -> PublishPlan:
    """The publish of `template_name` to `targets`. `extra`: field values for this text;
    `components`: component id -> status, over what `health` (target -> state; default
    what the incident recorded) proposes, or alone when not `propose` (a person chose every
    one). Raises `NotPublishable`, `comms.UnknownTemplate` or `comms.MissingFields`."""
    if template_name not in STATUSES:
        raise NotPublishable(
            f"{template_name!r} is not a status update; publish one of {', '.join(STATUSES)}."
        )
    for target in targets:
        if target not in PUBLISH_TARGETS:
            raise NotPublishable(f"{target!r} is not a publishing target: statuspage or chat.")
    text = comms.status_text(state, playbook, template_name, now=now, extra=extra)
    requests: list[ApiRequest] = []
    update = None
    if "statuspage" in targets:
        page = playbook.status_page
        if page is None:
            raise NotPublishable("The playbook has no [status_page] to publish to.")
        chosen = (
            proposed_components(
                page,
                state.health if health is None else health,
                resolved=template_name == "resolved",
            )
            if propose
            else {}
        )
        chosen.update(_checked_components(components or {}, page.components.values()))
        update = StatusUpdate(state.title, template_name, text, chosen)
        if state.status_page_id:
            requests.append(statuspage_update(page, state.status_page_id, update))
        else:
            requests.append(statuspage_create(page, update))
    if "chat" in targets:
        if playbook.chat is None:
            raise NotPublishable("The playbook has no [chat] webhook to publish to.")
        channel = channel_name(state, playbook)
        requests.append(chat_message(playbook.chat, f"{text}\n\nIncident channel: {channel}"))
    return PublishPlan(
        template=template_name,
        text=text,
        targets=tuple(targets),
        requests=tuple(requests),
        update=update,
        status_page_id=state.status_page_id,
        look_first=state.status_page_unconfirmed,
        secrets=secrets_of(playbook),
    )


def _checked_components(chosen: Mapping[str, str], known: Iterable[str]) -> dict[str, str]:
    ids = set(known)
    for component, status in chosen.items():
        if component not in ids:
            raise NotPublishable(
                f"{component!r} is not a component id in [status_page] components."
            )
        if status not in COMPONENT_STATUSES:
            raise NotPublishable(
                f"{status!r} is not a component status: one of {', '.join(COMPONENT_STATUSES)}."
            )
    return dict(chosen)


async def publish(plan: PublishPlan, playbook: Playbook, sender: Sender) -> list[Delivery]:
    """Send the plan's requests, each to its end; one `Delivery` per target, in order."""
    deliveries: list[Delivery] = []
    for request in plan.requests:
        if request.target == "statuspage" and playbook.status_page and plan.update:
            deliveries.append(
                await send_status_page(
                    sender,
                    playbook.status_page,
                    plan.update,
                    remote_id=plan.status_page_id,
                    look_first=plan.look_first,
                )
            )
        else:
            deliveries.append(await sender.send(request))
    return deliveries


def published_events(plan: PublishPlan, deliveries: Sequence[Delivery]) -> list[NewEvent]:
    """One `comms.published` per target, with how it ended; nothing secret in any field."""

    def clean(text: str) -> str:
        return masked(text, plan.secrets)

    events = []
    for delivery in deliveries:
        body = delivery.request.body or {}
        sent = body.get("text") if delivery.request.target == "chat" else plan.text
        events.append(
            comms_published(
                delivery.request.target,
                plan.template,
                clean(str(sent)),
                status=plan.template,
                outcome=delivery.outcome,
                ok=delivery.ok,
                message=clean(delivery.message),
                http_status=delivery.status,
                attempts=[clean(attempt) for attempt in delivery.attempts],
                remote_id=clean(delivery.remote_id),
                shortlink=clean(delivery.shortlink),
            )
        )
    return events


def page_request(state: IncidentState, playbook: Playbook, *, resolve: bool) -> ApiRequest:
    """The Events API v2 trigger (or resolve) for the incident; `NotPublishable` without
    [paging]."""
    if playbook.paging is None:
        raise NotPublishable("The playbook has no [paging] routing key to page with.")
    if resolve:
        return page_resolve(playbook.paging, state.id)
    summary = f"[{state.severity}] {state.title} ({state.id})"
    source = playbook.settings.product or "warroom"
    return page_trigger(
        playbook.paging, state.id, summary=summary, severity=state.severity, source=source
    )


def paged_event(delivery: Delivery, playbook: Playbook) -> NewEvent:
    """The `oncall.paged` recording a trigger or resolve and how it ended."""
    secrets = secrets_of(playbook)
    body = delivery.request.body or {}
    return oncall_paged(
        str(body.get("event_action", "")),
        outcome=delivery.outcome,
        ok=delivery.ok,
        message=masked(delivery.message, secrets),
        http_status=delivery.status,
        attempts=list(delivery.attempts),
        dedup_key=masked(str(body.get("dedup_key", "")), secrets),
    )
