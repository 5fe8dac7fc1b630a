"""Declaring an incident from inside the app, when `warroom` finds none open."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from warroom.playbook import Playbook


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: str


class DeclareScreen(Screen[Declaration | None]):
    """Title, then severity; escape leaves without declaring anything."""

    BINDINGS = [Binding("escape", "leave", "Leave without declaring")]

    def __init__(self, *, playbook: Playbook) -> None:
        super().__init__()
        self._playbook = playbook

    def compose(self) -> ComposeResult:
        with Vertical(id="declare"):
            yield Label("No incident is open. Declare one:", classes="heading")
            yield Label("What is wrong? (one line, then enter)")
            yield Input(placeholder="e.g. Backend returning 503s", id="title")
            yield Label("Severity (enter to declare):")
            yield OptionList(
                *(Option(Text(s.choice_label), id=s.level) for s in self._playbook.severities),
                id="severity",
            )
        yield Footer()

    @on(Input.Submitted, "#title")
    def _title_given(self) -> None:
        self.query_one("#severity", OptionList).focus()

    @on(OptionList.OptionSelected, "#severity")
    def _severity_chosen(self, event: OptionList.OptionSelected) -> None:
        title_input = self.query_one("#title", Input)
        title = " ".join(title_input.value.split())
        if not title:
            self.notify("Say what is wrong first: the title is empty.", severity="error")
            title_input.focus()
            return
        assert event.option.id is not None
        self.dismiss(Declaration(title=title, severity=event.option.id))

    def action_leave(self) -> None:
        self.dismiss(None)
