"""The playbook's publishing targets: [status_page], [chat] and [paging], each optional.

Each holds a secret (the Statuspage API key, the webhook URL, the PagerDuty routing key),
written in the file as `${VAR}`: `secrets()` names them so that `warroom.publish` masks them
wherever a request, an error or a record would show them, even when a file wrote one out.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

STATUSPAGE_API = "https://api.statuspage.io/v1"
"""Atlassian Statuspage REST API v1, the default `[status_page] api`."""
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
"""PagerDuty Events API v2, the default `[paging] events_url`."""


class StatusPageTarget(NamedTuple):
    """`[status_page]`: where Publish creates and updates the incident."""

    page_id: str
    """The page's id in Statuspage."""
    api_key: str
    """Sent as `Authorization: OAuth KEY`; its user needs the Incident Manager role."""
    api: str = STATUSPAGE_API
    """Base URL of the REST API (a compatible local one in the demo and the tests)."""
    components: Mapping[str, str] = MappingProxyType({})
    """[[service]] or [[provider]] name -> the Statuspage component id that shows it."""

    def secrets(self) -> frozenset[str]:
        return frozenset({self.api_key})


class ChatTarget(NamedTuple):
    """`[chat]`: a Slack incoming webhook the same text is posted to."""

    webhook: str
    """The webhook URL, which is itself the secret."""

    def secrets(self) -> frozenset[str]:
        return frozenset({self.webhook})


class PagingTarget(NamedTuple):
    """`[paging]`: PagerDuty Events API v2, for "Page on-call" and its resolve."""

    routing_key: str
    """The integration's routing key (a secret)."""
    events_url: str = PAGERDUTY_EVENTS_URL
    """Where events are sent."""

    def secrets(self) -> frozenset[str]:
        return frozenset({self.routing_key})
