"""Publishing through the services' own HTTP APIs: Statuspage, a Slack webhook, PagerDuty.

`requests` builds each request exactly as sent (pure), `plan` makes them from the incident
and turns outcomes into events, `sender` sends them with httpx (timeouts, Retry-After,
bounded retries), `statuspage` creates once and updates afterwards without duplicates, and
`delivery` says how each ended in one sentence. Every secret is masked with
`safetext.masked` wherever a request, an error or a record would show it. Textual-free.
"""

from __future__ import annotations

from warroom.publish.delivery import Delivery
from warroom.publish.plan import (
    PUBLISH_TARGETS,
    NotPublishable,
    PublishPlan,
    channel_name,
    page_request,
    paged_event,
    plan_publish,
    publish,
    published_events,
    secrets_of,
)
from warroom.publish.requests import (
    COMPONENT_STATUSES,
    HEALTH_TO_COMPONENT,
    PAGING_SEVERITY,
    STATUSES,
    ApiRequest,
    StatusUpdate,
    Target,
    proposed_components,
)
from warroom.publish.sender import RetryPolicy, Sender, retry_after

__all__ = [
    "COMPONENT_STATUSES",
    "HEALTH_TO_COMPONENT",
    "PAGING_SEVERITY",
    "PUBLISH_TARGETS",
    "STATUSES",
    "ApiRequest",
    "Delivery",
    "NotPublishable",
    "PublishPlan",
    "RetryPolicy",
    "Sender",
    "StatusUpdate",
    "Target",
    "channel_name",
    "page_request",
    "paged_event",
    "plan_publish",
    "proposed_components",
    "publish",
    "published_events",
    "retry_after",
    "secrets_of",
]
