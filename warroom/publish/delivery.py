"""What became of a request: `Delivery`, and the sentence each answer is reported with.

Pure: the sender hands over the status and body it got (or that none came), and this says
what that means for a person in the middle of an outage — which key is wrong, what the API
said it rejected — in one sentence with every secret masked and every control character
made visible (an error body is untrusted text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from warroom.publish.requests import TARGET_NAMES, ApiRequest
from warroom.safetext import visible

UNANSWERED = ("timed out", "no answer")
"""Outcomes after which the request may have been carried out all the same."""

MESSAGE_LIMIT = 300
"""Characters of an API's own error message kept in a report."""


class Delivery(NamedTuple):
    """The end of sending one request (after its retries)."""

    request: ApiRequest
    ok: bool
    outcome: str
    """"sent", "unauthorized", "not found", "rejected", "rate limited", "server error",
    "timed out" or "no answer" (the connection broke: either may have happened, UNANSWERED)
    or "failed" (not sent)."""
    message: str
    """One sentence for a person: what happened; secrets masked, control characters visible."""
    status: int | None = None
    """The last HTTP status; None when no answer came."""
    answer: Any = None
    """The JSON the API answered with, when it succeeded."""
    attempts: tuple[str, ...] = ()
    """Each try and how it ended, in order: "201", "500", "429 (waited 1s)", "timed out"."""
    remote_id: str = ""
    """The Statuspage incident's id, once known."""
    shortlink: str = ""
    """The Statuspage incident's public link, once known."""


def error_text(body: bytes, request: ApiRequest) -> str:
    """The API's own explanation in an error answer (Statuspage `{"error": …}`, Slack's
    plain-text reason, PagerDuty's `{"message", "errors"}`), made safe to show."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        parts: list[str] = []
        for key in ("error", "message", "errors"):
            value = data.get(key)
            if isinstance(value, list):
                parts += [str(item) for item in value]
            elif value:
                parts.append(str(value))
        if parts:
            text = "; ".join(parts)
    return visible(request.mask(text), limit=MESSAGE_LIMIT)


def answered_message(request: ApiRequest, status: int, explanation: str) -> tuple[str, str]:
    """(outcome, sentence) for an answer that is not a success."""
    where = TARGET_NAMES[request.target]
    said = f": {explanation}" if explanation else ""
    if status in (401, 403):
        why = {
            "statuspage": "the API key is wrong or its user lacks the Incident Manager role "
            "on the page",
            "chat": "the webhook URL is wrong or was revoked",
            "paging": "the routing key is wrong or its integration was removed",
        }[request.target]
        return "unauthorized", f"{where} refused the request (HTTP {status}): {why}{said}."
    if status == 404:
        why = {
            "statuspage": "check page_id (or the incident was deleted there)",
            "chat": "the webhook URL is wrong or was removed",
            "paging": "check events_url",
        }[request.target]
        return "not found", f"{where} answered HTTP 404 not found: {why}{said}."
    if status == 429:
        return "rate limited", f"{where} is still rate limiting (HTTP 429){said}; try again."
    if status >= 500:
        return "server error", f"{where} failed (HTTP {status}) on every try{said}."
    return "rejected", f"{where} rejected the request (HTTP {status}){said}."
