"""Messages any widget may post up to the war room screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.message import Message


class EventRequested(Message):
    """A widget asks for an event to be appended to the incident.

    The screen appends it to the store; the widget sees the result only through the
    state derived from the store, so nothing looks done before it is committed.
    """

    def __init__(self, kind: str, payload: Mapping[str, Any]) -> None:
        super().__init__()
        self.kind = kind
        self.payload = payload
