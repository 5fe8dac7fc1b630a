"""Messages any widget may post up to the war room screen."""

from __future__ import annotations

from textual.message import Message

from warroom.incident import NewEvent


class EventRequested(Message):
    """A widget asks for an event to be appended to the incident.

    The screen appends it to the store; the widget sees the result only through the
    state derived from the store, so nothing looks done before it is committed.
    """

    def __init__(self, new: NewEvent) -> None:
        super().__init__()
        self.new = new
