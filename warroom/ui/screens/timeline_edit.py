"""Small modals the timeline uses to correct an entry: a time form.

`parse_entry_time` is pure (`warroom.timeparse` with the nearest-day rule): it reads what a
responder types for "when did this really happen" — `14:05`, `14:05:09` (in the playbook's
display zone) or a full ISO time — and answers an aware UTC datetime, or raises `ValueError`
with a sentence to show. `TimePrompt` keeps itself open with that sentence under the input
until the text parses or the user cancels, so a typo never records anything.

"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from warroom.timeparse import DayRule, parse_time
from warroom.ui.screens.dialog import Dialog

CLOCK_SKEW = timedelta(minutes=1)
"""How far past now an entry's time may be: two terminals' clocks rarely agree to the second."""


def parse_entry_time(text: str, *, near: datetime, zone: str, now: datetime) -> datetime:
    """`text` as an aware UTC time; raise `ValueError` saying what to type if it can't be read.

    `HH:MM` or `HH:MM:SS` is a time of day in `zone`, on whichever day puts it nearest to
    `near` (so 00:10 typed for an entry at 23:50 means ten past midnight the next day).
    A full ISO time without an offset is read in `zone` too; `Z` or an offset is honoured.
    Nothing on the timeline has happened later than `now` (give or take `CLOCK_SKEW`).
    """
    at = parse_time(text, zone=zone, near=near, rule=DayRule.NEAREST)
    if at > now + CLOCK_SKEW:
        local = at.astimezone(ZoneInfo(zone))
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M:%S %Z} is in the future: an entry records what happened."
        )
    return at


class TimePrompt(Dialog[datetime | None]):
    """Ask when an entry really happened; answers aware UTC, or None on escape.

    | Key | Does |
    | :- | :- |
    | enter | record the time (stays open with an error if it can't be read) |
    | escape | cancel: nothing recorded |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="time-cancel"),
    ]

    DEFAULT_CSS = """
    TimePrompt #time-error { color: $error; height: auto; }
    TimePrompt .hint { color: $text-muted; }
    """

    def __init__(
        self, *, question: Text | str, current: datetime, zone: str, now: datetime
    ) -> None:
        """`current` (aware) prefills the input as HH:MM:SS in `zone`; `now` bounds it."""
        super().__init__()
        self._question = question
        self._current = current
        self._zone = zone
        self._now = now

    def compose(self) -> ComposeResult:
        local = self._current.astimezone(ZoneInfo(self._zone))
        with Vertical(classes="prompt"):
            yield Static(self._question, markup=False)
            yield Static(
                f"HH:MM[:SS] in {self._zone}, or a full ISO time. "
                f"The entry says {local:%Y-%m-%d %H:%M:%S %Z}.",
                classes="hint",
                markup=False,
            )
            yield Input(value=f"{local:%H:%M:%S}", id="time-input")
            yield Static("", id="time-error", markup=False)

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            at = parse_entry_time(event.value, near=self._current, zone=self._zone, now=self._now)
        except ValueError as error:
            self.query_one("#time-error", Static).update(Text(str(error)))
            return
        self.dismiss(at)

    def action_cancel(self) -> None:
        self.dismiss(None)
