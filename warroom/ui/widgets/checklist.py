"""The phase checklist: every phase's items, ticked with a timestamp, keyboard only."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.incident import IncidentState
from warroom.playbook import Playbook
from warroom.ui.timefmt import clock_time


class ChecklistPane(OptionList):
    """Phases as headings, their items as lines to tick.

    | Key | Does |
    | :- | :- |
    | up/down | move between items |
    | space, enter | tick or untick the highlighted item |
    """

    BINDINGS = [
        Binding("space", "toggle_item", "Tick/untick", id="toggle-item"),
    ]

    DEFAULT_CSS = """
    ChecklistPane { height: 1fr; border: none; }
    """

    state: reactive[IncidentState | None] = reactive(None)
    """The incident as derived from its events; ticks shown are the ones in force."""

    class ItemToggled(Message):
        """The user asked to tick (`ticked=True`) or untick an item; nothing is changed yet."""

        def __init__(self, item_id: str, ticked: bool) -> None:
            super().__init__()
            self.item_id = item_id
            self.ticked = ticked

    def __init__(self, *, playbook: Playbook, timezone: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._playbook = playbook
        self._timezone = timezone

    def watch_state(self, state: IncidentState | None) -> None:
        highlighted = self.highlighted
        self.set_options(self._checklist_options(state))
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted
        elif self.option_count:
            self.highlighted = 1

    def _checklist_options(self, state: IncidentState | None) -> list[Option]:
        ticked = state.ticked if state is not None else {}
        options: list[Option] = []
        for phase in self._playbook.phases:
            done = sum(1 for item in phase.items if item.id in ticked)
            heading = Text.assemble(
                (phase.name, "bold"), f"  {done}/{len(phase.items)}", style="underline"
            )
            options.append(Option(heading, disabled=True))
            for item in phase.items:
                tick = ticked.get(item.id)
                line = Text("[x] " if tick else "[ ] ")
                line.append(item.text)
                if tick is not None:
                    line.append(f"  {clock_time(tick.at, self._timezone)} {tick.actor}", "dim")
                options.append(Option(line, id=item.id))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._toggle(event.option.id)

    def action_toggle_item(self) -> None:
        if self.highlighted is not None:
            self._toggle(self.get_option_at_index(self.highlighted).id)

    def _toggle(self, item_id: str | None) -> None:
        if item_id is None:
            return
        ticked = self.state is not None and item_id in self.state.ticked
        self.post_message(self.ItemToggled(item_id, ticked=not ticked))
