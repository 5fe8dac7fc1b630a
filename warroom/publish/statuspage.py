"""Publishing to Statuspage: create the incident once, update it afterwards, and never turn
a create that got no answer into a second incident.

The incident id is what the first successful publish returned (`IncidentState.status_page_id`,
folded from `comms.published`). Without one, a create is sent; if it times out, the page's
unresolved incidents are looked up by name: found, it was created after all; absent, it is
created again (once); a broken connection counts as no answer too; the lookup failing
as well leaves the state "unconfirmed", and the next
publish looks before it creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.playbook import StatusPageTarget
from warroom.publish.delivery import UNANSWERED, Delivery
from warroom.publish.requests import (
    StatusUpdate,
    statuspage_create,
    statuspage_unresolved,
    statuspage_update,
)
from warroom.publish.sender import Sender


async def send_status_page(
    sender: Sender,
    target: StatusPageTarget,
    update: StatusUpdate,
    *,
    remote_id: str,
    look_first: bool,
) -> Delivery:
    """Create or update the incident on the page; the `Delivery` carries its id and link."""
    attempts: tuple[str, ...] = ()
    if not remote_id and look_first:
        found, failed = await _look_up(sender, target, update.name)
        if failed is not None:
            return _refused_lookup(failed, "an earlier create got no answer")
        attempts = ("looked up: found" if found else "looked up: absent",)
        remote_id = str(found.get("id", "")) if found else ""
    if remote_id:
        delivery = await sender.send(statuspage_update(target, remote_id, update))
        return _identified(delivery, attempts, remote_id)
    delivery = await sender.send(statuspage_create(target, update))
    if delivery.outcome not in UNANSWERED:
        return _identified(delivery, attempts)
    found, failed = await _look_up(sender, target, update.name)
    attempts = (*attempts, *delivery.attempts)
    if failed is not None:
        message = (
            f"{delivery.message.rstrip('.')}, and looking it up failed too: the next publish "
            "looks again before creating."
        )
        return delivery._replace(message=message, attempts=attempts)
    if found:
        answer = delivery._replace(
            ok=True,
            outcome="sent",
            message="the status page created it (found after the create got no answer).",
            answer=found,
            attempts=(*attempts, "looked up: found"),
        )
        return _identified(answer, ())
    again = await sender.send(statuspage_create(target, update))
    return _identified(again, (*attempts, "looked up: absent"))


async def _look_up(
    sender: Sender, target: StatusPageTarget, name: str
) -> tuple[Mapping[str, Any] | None, Delivery | None]:
    """(the unresolved incident called `name`, None) or (None, the failed lookup)."""
    delivery = await sender.send(statuspage_unresolved(target))
    if not delivery.ok:
        return None, delivery
    incidents = delivery.answer if isinstance(delivery.answer, list) else []
    for incident in incidents:
        if isinstance(incident, dict) and incident.get("name") == name:
            return incident, None
    return None, None


def _refused_lookup(failed: Delivery, why: str) -> Delivery:
    message = (
        f"Nothing was sent: {why}, and looking for the incident it may have made failed: "
        f"{failed.message}"
    )
    return failed._replace(message=message)


def _identified(delivery: Delivery, before: tuple[str, ...], remote_id: str = "") -> Delivery:
    answer = delivery.answer if isinstance(delivery.answer, dict) else {}
    return delivery._replace(
        attempts=(*before, *delivery.attempts),
        remote_id=str(answer.get("id") or remote_id),
        shortlink=str(answer.get("shortlink") or ""),
    )
