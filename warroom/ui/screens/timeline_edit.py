"""Small modals the timeline uses to correct an entry: a time form.

`parse_entry_time` is pure: it reads what a responder types for "when did this really
happen" — `14:05`, `14:05:09` (in the playbook's display zone) or a full ISO time — and
answers an aware UTC datetime, or raises `ValueError` with a sentence to show. `TimePrompt`
keeps itself open with that sentence under the input until the text parses or the user
cancels, so a typo never records anything.

"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_entry_time(text: str, *, near: datetime, zone: str) -> datetime:
    """`text` as an aware UTC time; raise `ValueError` saying what to type if it can't be read.

    `HH:MM` or `HH:MM:SS` is a time of day in `zone`, on whichever day puts it nearest to
    `near` (so 00:10 typed for an entry at 23:50 means ten past midnight the next day).
    A full ISO time without an offset is read in `zone` too; `Z` or an offset is honoured.
    """
    tz = ZoneInfo(zone)
    value = text.strip()
    clock = _CLOCK.match(value)
    if clock is not None:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        if hours > 23 or minutes > 59 or seconds > 59:
            raise ValueError(f"{value!r} is not a time of day (00:00:00 to 23:59:59).")
        day = near.astimezone(tz).date()
        candidates = [
            datetime.combine(day + timedelta(days=shift), time(hours, minutes, seconds), tz)
            for shift in (0, -1, 1)
        ]
        # min() keeps the first of equals, so a tie goes to the entry's own day.
        return min(candidates, key=lambda at: abs(at - near)).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"Can't read {value!r}: type HH:MM or HH:MM:SS ({zone}), "
            "or a full time like 2025-01-31T14:05:00Z."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


class TimePrompt(ModalScreen[datetime | None]):
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

    def __init__(self, *, question: Text | str, current: datetime, zone: str) -> None:
        """`current` (aware) prefills the input as HH:MM:SS in `zone`."""
        super().__init__()
        self._question = question
        self._current = current
        self._zone = zone

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
            at = parse_entry_time(event.value, near=self._current, zone=self._zone)
        except ValueError as error:
            self.query_one("#time-error", Static).update(Text(str(error)))
            return
        self.dismiss(at)

    def action_cancel(self) -> None:
        self.dismiss(None)
