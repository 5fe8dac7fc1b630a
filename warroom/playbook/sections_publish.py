"""Reading where the war room publishes: [status_page], [chat] and [paging].

All three are optional; a table that is there must be whole (its secret given, usually as
`${VAR}`), and every component in [status_page] must name a [[service]] or [[provider]],
so that the health pane's view of it can propose the component's status.
"""

from __future__ import annotations

from types import MappingProxyType

from warroom.playbook.model_publish import (
    PAGERDUTY_EVENTS_URL,
    STATUSPAGE_API,
    ChatTarget,
    PagingTarget,
    StatusPageTarget,
)
from warroom.playbook.toml_table import Table


def status_page(root: Table, targets: set[str]) -> StatusPageTarget | None:
    """[status_page]; `targets` are the service and provider names a component may map."""
    table = root.table("status_page", None)
    if table is None:
        return None
    api = table.url("api", STATUSPAGE_API).rstrip("/")
    page_id = table.text("page_id")
    api_key = table.text("api_key")
    components: dict[str, str] = {}
    mapping = table.table("components", None)
    if mapping is not None:
        for name in list(mapping.data):
            component = mapping.text(name)
            if name not in targets:
                known = ", ".join(sorted(targets)) or "none"
                mapping.problem(
                    name, f"{name!r} is not a [[service]] or [[provider]] name (known: {known})"
                )
            components[name] = component
        mapping.done()
    table.done()
    return StatusPageTarget(
        page_id=page_id, api_key=api_key, api=api, components=MappingProxyType(components)
    )


def chat(root: Table) -> ChatTarget | None:
    """[chat]: the Slack incoming webhook."""
    table = root.table("chat", None)
    if table is None:
        return None
    webhook = table.url("webhook")
    table.done()
    return ChatTarget(webhook=webhook)


def paging(root: Table) -> PagingTarget | None:
    """[paging]: the PagerDuty Events API v2 integration."""
    table = root.table("paging", None)
    if table is None:
        return None
    routing_key = table.text("routing_key")
    events_url = table.url("events_url", PAGERDUTY_EVENTS_URL)
    table.done()
    return PagingTarget(routing_key=routing_key, events_url=events_url)
