"""A yes/no question that needs a deliberate answer."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from warroom.ui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Ask before doing something that adds to the record; answers True only on yes.

    | Key | Does |
    | :- | :- |
    | y | yes |
    | n, escape | no |
    | enter | the focused button (No, unless moved) |
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n", "answer(False)", "No", id="confirm-no"),
        Binding("escape", "answer(False)", "Cancel", show=False, id="confirm-cancel"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen Label { width: 1fr; }
    ConfirmScreen Horizontal { height: auto; margin-top: 1; }
    ConfirmScreen Button { margin-right: 2; }
    """

    def __init__(
        self, *, question: str | Text, detail: str | Text = "", yes: str = "Yes", no: str = "No"
    ) -> None:
        """`question` and `detail` may quote untrusted text: they are never read as markup."""
        super().__init__()
        self._question = question
        self._detail = detail
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, markup=False, classes="heading")
            if self._detail:
                yield Label(self._detail, markup=False)
            with Horizontal():
                yield Button(f"{self._yes} (y)", id="yes", variant="error")
                yield Button(f"{self._no} (n)", id="no")

    def on_mount(self) -> None:
        # A stray enter must not resolve an incident: the safe answer has the focus.
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
