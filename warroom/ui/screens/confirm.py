"""A yes/no question that needs a deliberate answer."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ScreenResultCallbackType
from textual.widgets import Button, Label

from warroom.ui.screens.dialog import Dialog
from warroom.ui.screens.reused import reused_if_free


class ConfirmScreen(Dialog[bool]):
    """Ask before doing something that adds to the record; answers True only on yes. One
    instance serves every question (`confirm`): `ask` sets it up again.

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

    def __init__(self) -> None:
        super().__init__()
        self._question: str | Text = ""
        self._detail: str | Text = ""
        self._yes = "Yes"
        self._no = "No"

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, markup=False, classes="heading", id="confirm-question")
            yield Label(self._detail, markup=False, id="confirm-detail")
            with Horizontal():
                yield Button(f"{self._yes} (y)", id="yes", variant="error")
                yield Button(f"{self._no} (n)", id="no")

    def on_mount(self) -> None:
        self._show()

    def ask(
        self, question: str | Text, *, detail: str | Text = "", yes: str = "Yes", no: str = "No"
    ) -> None:
        """Ask `question` (and `detail`: both may quote untrusted text, and are never read as
        markup), with `yes` and `no` on the buttons."""
        self._question, self._detail, self._yes, self._no = question, detail, yes, no
        if self.is_mounted:
            self.query_one("#confirm-question", Label).update(question)
            self.query_one("#confirm-detail", Label).update(detail)
            self.query_one("#yes", Button).label = f"{yes} (y)"
            self.query_one("#no", Button).label = f"{no} (n)"
            self._show()

    def _show(self) -> None:
        self.query_one("#confirm-detail", Label).display = bool(self._detail)
        # A stray enter must not resolve an incident: the safe answer has the focus.
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def confirm(
    app: App[Any],
    then: ScreenResultCallbackType[bool],
    question: str | Text,
    *,
    detail: str | Text = "",
    yes: str = "Yes",
    no: str = "No",
) -> None:
    """Ask `question` (see `ConfirmScreen.ask`); `then` gets True only on yes. One screen
    serves them all (`reused_if_free`)."""
    screen = reused_if_free(app, ConfirmScreen)
    screen.ask(question, detail=detail, yes=yes, no=no)
    app.push_screen(screen, then)
