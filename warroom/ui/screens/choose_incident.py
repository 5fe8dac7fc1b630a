"""Choosing the incident to open, when `warroom` finds several open: opening the newest
would put a responder silently into the wrong one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from warroom.safetext import visible
from warroom.store import IncidentSummary
from warroom.ui.timefmt import clock_time
from warroom.ui.widgets.key_bar import KeyBar

DECLARE_NEW = "declare-new"
"""The answer that declares another incident instead (it is no incident id)."""


class ChooseIncidentScreen(Screen[str | None]):
    """The open incidents, newest first, and a last line to declare a new one.

    | Key | Does |
    | :- | :- |
    | up/down | move |
    | enter | open the incident (or declare a new one) |
    | escape | leave |

    Answers the incident id, `DECLARE_NEW`, or None to leave.
    """

    BINDINGS = [Binding("escape", "leave", "Leave")]

    def __init__(self, *, incidents: Sequence[IncidentSummary], timezone: str) -> None:
        super().__init__()
        self._incidents = list(incidents)
        self._timezone = timezone

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-incident"):
            yield Label(
                f"{len(self._incidents)} incidents are open. Which one? (enter opens)",
                classes="heading",
            )
            yield OptionList(
                *(Option(self._line(s), id=s.id) for s in self._incidents),
                Option(Text("+ Declare a new incident"), id=DECLARE_NEW),
                id="incidents",
            )
        yield KeyBar()

    def _line(self, summary: IncidentSummary) -> Text:
        declared = clock_time(summary.declared_at, self._timezone)
        return Text.assemble(
            (summary.id, "bold"),
            f"  {visible(summary.severity, limit=20)}  {visible(summary.title, limit=80)}",
            (f"  declared {summary.declared_at:%Y-%m-%d} {declared}", "dim"),
        )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_leave(self) -> None:
        self.dismiss(None)
