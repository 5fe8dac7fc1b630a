"""Small modal forms: one line of text, or one choice from a list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; enter answers it, escape cancels (answers None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, markup=False)
            yield Input(value=self._value, placeholder=self._placeholder)

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of several options by id; escape cancels (answers None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, *, question: str, choices: list[tuple[str, str]], selected: str | None = None
    ) -> None:
        super().__init__()
        self._question = question
        self._choices = choices
        self._selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, markup=False)
            # Labels come from the playbook: shown as written, never read as markup.
            yield OptionList(*(Option(Text(label), id=key) for key, label in self._choices))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self._choices]
        if self._selected in keys:
            options.highlighted = keys.index(self._selected)

    @on(OptionList.OptionSelected)
    def _answer(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
