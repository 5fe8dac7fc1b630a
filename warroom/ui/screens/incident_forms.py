"""Small forms for incident command: a key moment with its time, the incident's roles.

They only answer what was typed; the war room turns the answer into events.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from warroom.incident import ROLES
from warroom.playbook import KEY_MOMENTS, KeyMoment
from warroom.timeparse import DayRule, parse_time
from warroom.ui.screens.dialog import Dialog
from warroom.ui.timefmt import clock_time
from warroom.ui.widgets.command_panel import ROLE_TITLES

CLEAR_WORD = "clear"
"""What to type to clear a key moment: an empty answer never does (a laggy link's Ctrl+U
followed by Enter must not erase when the incident was detected)."""


def parse_moment_time(text: str, *, now: datetime, timezone: str) -> datetime | None:
    """A typed time in the display zone as aware UTC; None for `clear` (clear the moment).

    'HH:MM[:SS]' is the latest such time not after `now` (so 23:50 typed at 00:10 is
    yesterday's); 'YYYY-MM-DD HH:MM[:SS]' is that instant. Raises ValueError, with a
    sentence to show, for anything else (also nothing) or for a time in the future.
    """
    if text.strip().lower() == CLEAR_WORD:
        return None
    if not text.strip():
        raise ValueError(f"Type when it happened, or {CLEAR_WORD} to clear the moment.")
    return parse_time(
        text, zone=timezone, near=now, rule=DayRule.LATEST_NOT_AFTER, allow_future=False
    )


class MomentAnswer(NamedTuple):
    """What the moment form answers: which moment, and when (None clears it)."""

    moment: KeyMoment
    at: datetime | None


class MomentForm(Dialog[MomentAnswer | None]):
    """Pick a key moment, then confirm or edit its time (defaults to now). One form serves
    every opening (`reused_if_free`): `ask` sets it up again.

    | Key | Does |
    | :- | :- |
    | up/down, enter | pick the moment, then edit the time |
    | enter (in the time) | set it; `clear` clears the moment, nothing typed sets nothing |
    | tab | between the list and the time |
    | escape | cancel |
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="moment-cancel")]

    DEFAULT_CSS = """
    MomentForm OptionList { height: auto; max-height: 6; }
    MomentForm #moment-error { color: $error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._moments: Mapping[KeyMoment, datetime] = {}
        self._now = datetime.now(UTC)
        self._timezone = "UTC"

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label("Key moment:", classes="heading")
            yield OptionList(id="moment-choice")
            yield Label("", id="moment-when")
            yield Input(id="moment-time")
            yield Label("", id="moment-error", markup=False)

    def on_mount(self) -> None:
        self._fill()

    def ask(self, moments: Mapping[KeyMoment, datetime], now: datetime, timezone: str) -> None:
        """The key moments as recorded, a typed time read in `timezone` as of `now`."""
        self._moments, self._now, self._timezone = dict(moments), now, timezone
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        choice = self.query_one(OptionList)
        choice.clear_options()
        choice.add_options(Option(self._moment_line(m), id=m) for m in KEY_MOMENTS)
        zone = self._now.astimezone(ZoneInfo(self._timezone)).tzname()
        when = f"When ({zone}; HH:MM[:SS] or YYYY-MM-DD HH:MM; {CLEAR_WORD} clears):"
        self.query_one("#moment-when", Label).update(when)
        self.query_one("#moment-error", Label).update("")
        # The next moment not yet recorded is the likely one to set.
        unset = [m for m in KEY_MOMENTS if m not in self._moments]
        choice.highlighted = KEY_MOMENTS.index(unset[0]) if unset else 0
        choice.focus()

    def _moment_line(self, moment: KeyMoment) -> str:
        at = self._moments.get(moment)
        return f"{moment.capitalize():<11} {clock_time(at, self._timezone) if at else '— not set'}"

    @on(OptionList.OptionHighlighted)
    def _moment_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        at = self._moments.get(event.option.id or "", self._now)  # type: ignore[call-overload]
        local = at.astimezone(ZoneInfo(self._timezone))
        self.query_one(Input).value = f"{local:%Y-%m-%d %H:%M:%S}"

    @on(OptionList.OptionSelected)
    def _moment_chosen(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _time_entered(self, event: Input.Submitted) -> None:
        highlighted = self.query_one(OptionList).highlighted_option
        if highlighted is None or highlighted.id not in KEY_MOMENTS:
            return
        try:
            at = parse_moment_time(event.value, now=self._now, timezone=self._timezone)
        except ValueError as problem:
            self.query_one("#moment-error", Label).update(str(problem))
            return
        self.dismiss(MomentAnswer(highlighted.id, at))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RoleForm(Dialog[dict[str, str] | None]):
    """The three roles' names, prefilled; answers only the ones changed ("" clears one). One
    form serves every opening (`reused_if_free`): `ask` sets it up again.

    | Key | Does |
    | :- | :- |
    | tab, shift+tab | between the roles |
    | enter | save |
    | escape | cancel |
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="roles-cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._roles: Mapping[str, str] = {}
        self._suggestion = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label("Roles (enter saves, an empty name clears the role):", classes="heading")
            for role in ROLES:
                yield Label(ROLE_TITLES.get(role, role))
                yield Input(id=f"role-{role}")

    def on_mount(self) -> None:
        self._fill()

    def ask(self, roles: Mapping[str, str], suggestion: str) -> None:
        """The roles' names as they are, `suggestion` the example name in each empty one."""
        self._roles, self._suggestion = dict(roles), suggestion
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        for role in ROLES:
            field = self.query_one(f"#role-{role}", Input)
            field.value = self._roles.get(role, "")
            field.placeholder = f"e.g. {self._suggestion}"
        self.query_one(f"#role-{ROLES[0]}", Input).focus()

    @on(Input.Submitted)
    def _save(self) -> None:
        names = {role: self.query_one(f"#role-{role}", Input).value.strip() for role in ROLES}
        self.dismiss({r: n for r, n in names.items() if n != self._roles.get(r, "")})

    def action_cancel(self) -> None:
        self.dismiss(None)
