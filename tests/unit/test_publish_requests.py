"""The publishing requests, built without sending: their shapes, the masked view a person
sees, severity and component mappings, and `Retry-After` read both ways."""

from __future__ import annotations

import email.utils
import time
from types import MappingProxyType

from warroom.playbook import ChatTarget, PagingTarget, StatusPageTarget
from warroom.publish import PAGING_SEVERITY, StatusUpdate, proposed_components, retry_after
from warroom.publish.requests import (
    chat_message,
    page_resolve,
    page_trigger,
    statuspage_create,
    statuspage_update,
)

PAGE = StatusPageTarget(
    page_id="pg1",
    api_key="k-secret-1",
    api="https://api.example/v1",
    components=MappingProxyType({"backend": "c1", "Fly.io": "c2", "mcp": "c3"}),
)
UPDATE = StatusUpdate("Backend down", "investigating", "We are on it.", {"c1": "major_outage"})


def test_create_and_update_share_the_incident_object() -> None:
    create = statuspage_create(PAGE, UPDATE)
    update = statuspage_update(PAGE, "inc9", UPDATE)

    assert (create.method, create.url) == ("POST", "https://api.example/v1/pages/pg1/incidents")
    assert (update.method, update.url) == (
        "PATCH",
        "https://api.example/v1/pages/pg1/incidents/inc9",
    )
    assert create.headers["Authorization"] == "OAuth k-secret-1"
    assert create.body == {
        "incident": {
            "name": "Backend down",
            "status": "investigating",
            "body": "We are on it.",
            "component_ids": ["c1"],
            "components": {"c1": "major_outage"},
            "deliver_notifications": True,
        }
    }
    assert update.body is not None and "deliver_notifications" not in update.body["incident"]
    assert not create.repeatable and update.repeatable


def test_what_a_person_is_shown_masks_every_secret() -> None:
    hook = ChatTarget(webhook="https://hooks.example/services/T0/B0/zzsecret")
    paging = PagingTarget(routing_key="rk-secret-2")

    shown = "\n".join(
        request.shown()
        for request in (
            statuspage_create(PAGE, UPDATE),
            chat_message(hook, "hello"),
            page_trigger(paging, "INC-1", summary="s", severity="P0", source="x"),
        )
    )

    assert "Authorization: OAuth •••" in shown and "POST •••" in shown
    assert '"routing_key": "•••"' in shown and '"text": "hello"' in shown
    for secret in ("k-secret-1", "zzsecret", "rk-secret-2"):
        assert secret not in shown


def test_paging_maps_severities_and_resolve_has_no_payload() -> None:
    paging = PagingTarget(routing_key="rk")
    trigger = page_trigger(paging, "INC-1", summary="s", severity="P2", source="Slurpy")

    assert PAGING_SEVERITY == {"P0": "critical", "P1": "error", "P2": "warning", "P3": "info"}
    assert trigger.body is not None and trigger.body["payload"]["severity"] == "warning"
    assert trigger.url == "https://events.pagerduty.com/v2/enqueue"
    assert page_resolve(paging, "INC-1").body == {
        "routing_key": "rk",
        "event_action": "resolve",
        "dedup_key": "INC-1",
    }


def test_components_are_proposed_from_health() -> None:
    health = {"backend": "down", "Fly.io": "degraded", "mcp": "up", "other": "down"}

    assert proposed_components(PAGE, health) == {
        "c1": "major_outage",
        "c2": "degraded_performance",
        "c3": "operational",
    }
    assert proposed_components(PAGE, {"backend": "unknown"}) == {}
    assert set(proposed_components(PAGE, health, resolved=True).values()) == {"operational"}


def test_retry_after_reads_seconds_and_dates() -> None:
    later = email.utils.formatdate(time.time() + 120, usegmt=True)

    assert retry_after("7", default=1) == 7
    assert 100 < retry_after(later, default=1) <= 120
    assert retry_after(None, default=1.5) == 1.5
    assert retry_after("soon", default=2) == 2
