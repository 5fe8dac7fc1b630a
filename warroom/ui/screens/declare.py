"""Declaring an incident from inside the app, when `warroom` finds none open (or the
responder chose to declare another).

Two people who notice one outage at once must end up in one incident: while the form is
open the screen watches the store and offers to join any incident declared meanwhile, and
the declaration itself is refused by the store when an open incident the form did not know
of exists, so pressing enter a moment after the other person asks instead of doubling.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.store import DeclaredMeanwhile, EventStore, IncidentSummary, StoreError
from warroom.ui.screens.prompts import ask_choice
from warroom.ui.widgets.key_bar import KeyBar

DECLARE_ANYWAY = "declare-anyway"
"""The answer to the join offer that goes on declaring (it is no incident id)."""


class Declaration(NamedTuple):
    title: str
    severity: str


class DeclareScreen(Screen[str | None]):
    """Title, then severity; answers the id of the incident to open (declared here, or
    joined), or None when the responder leaves without declaring anything."""

    BINDINGS = [Binding("escape", "leave", "Leave without declaring")]

    WATCH_SECONDS = 0.5
    """How often the store is asked whether someone else declared meanwhile."""

    def __init__(
        self,
        *,
        playbook: Playbook,
        store: EventStore,
        actor: str,
        known_open: Collection[str] = (),
    ) -> None:
        """`known_open`: the open incidents the responder has been shown (none, or the
        ones offered to choose from); any other that opens is offered to join."""
        super().__init__()
        self._playbook = playbook
        self._store = store
        self._actor = actor
        self._known = set(known_open)
        self._asking = False

    def compose(self) -> ComposeResult:
        if self._known:
            heading = f"{len(self._known)} incidents are open. Declare another one:"
        else:
            heading = "No incident is open. Declare one:"
        with Vertical(id="declare"):
            yield Label(heading, classes="heading")
            yield Label("What is wrong? (one line, then enter)")
            yield Input(placeholder="e.g. Backend returning 503s", id="title")
            yield Label("Severity (enter to declare):")
            yield OptionList(
                *(Option(Text(s.choice_label), id=s.level) for s in self._playbook.severities),
                id="severity",
            )
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_interval(self.WATCH_SECONDS, self._look_for_others)

    async def _look_for_others(self) -> None:
        if self._asking:
            return
        try:
            listed = await self._store.list_incidents()
        except StoreError:
            return  # the declaration itself will say what is wrong with the store
        others = [s for s in listed if s.status == "open" and s.id not in self._known]
        if others and not self._asking:
            self._offer_to_join(others, then=None)

    @on(Input.Submitted, "#title")
    def _title_given(self) -> None:
        self.query_one("#severity", OptionList).focus()

    @on(OptionList.OptionSelected, "#severity")
    async def _severity_chosen(self, event: OptionList.OptionSelected) -> None:
        title_input = self.query_one("#title", Input)
        title = " ".join(title_input.value.split())
        if not title:
            self.notify("Say what is wrong first: the title is empty.", severity="error")
            title_input.focus()
            return
        assert event.option.id is not None
        await self._declare(Declaration(title=title, severity=event.option.id))

    async def _declare(self, declaration: Declaration) -> None:
        try:
            event = await self._store.declare(
                title=declaration.title,
                severity=declaration.severity,
                actor=self._actor,
                known_open=self._known,
            )
        except DeclaredMeanwhile as meanwhile:
            self._offer_to_join(meanwhile.incidents, then=declaration)
            return
        except StoreError as error:
            self.notify(
                f"Not declared: {visible(str(error), limit=200)}",
                severity="error",
                markup=False,
            )
            return
        self.dismiss(event.incident_id)

    def _offer_to_join(
        self, incidents: Sequence[IncidentSummary], *, then: Declaration | None
    ) -> None:
        """Ask whether to join one of `incidents` instead; `then` is the declaration the
        responder already made, carried out if they still want it."""
        self._asking = True
        choices = [
            (s.id, f"Join {s.id}  {visible(s.severity, limit=20)}  {visible(s.title, limit=80)}")
            for s in incidents
        ]
        choices.append((DECLARE_ANYWAY, "Declare a new incident anyway (another outage)"))
        count = "An incident was" if len(incidents) == 1 else f"{len(incidents)} incidents were"

        async def answered(choice: str | None) -> None:
            self._asking = False
            if choice is not None and choice != DECLARE_ANYWAY:
                self.dismiss(choice)
                return
            # Escape, too, is "I have seen them": they are not offered again.
            self._known.update(s.id for s in incidents)
            if choice == DECLARE_ANYWAY and then is not None:
                await self._declare(then)

        question = f"{count} declared meanwhile, by someone else. Join instead?"
        ask_choice(self.app, question, choices, answered)

    def action_leave(self) -> None:
        self.dismiss(None)
