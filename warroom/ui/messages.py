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


class RunRequested(Message):
    """A widget (the runbook browser) asks for a command to be run through the war room's
    run flow: placeholders picked or typed, confirmation if destructive, output shown and
    the run recorded.

    `argv` is the playbook's, `<placeholders>` unfilled; `name` is what the run is recorded
    as (the command's name in the playbook, or a runbook step's label) and `source` says where
    it was asked from ("runbook:site-down"), recorded as the name when `name` is "".
    """

    def __init__(self, name: str, argv: tuple[str, ...], source: str) -> None:
        super().__init__()
        self.name = name
        self.argv = argv
        """As the playbook writes it, `<placeholders>` unfilled."""
        self.source = source
