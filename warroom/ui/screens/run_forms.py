"""The forms before a command runs: a value for one `<placeholder>` (picked from what the
real command listed, or typed), the typed confirmation of a destructive command, and the
release to roll back to. Each only answers; the war room's run flow decides what runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from warroom.commands.fleet import RELEASES_SHOWN, Release, preselected, release_label, running
from warroom.ui.screens.dialog import Dialog


class PickScreen(Dialog[str | None]):
    """A value for `<placeholder>`: one of `choices` (value, label) or typed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, *, placeholder: str, choices: Sequence[tuple[str, str]], note: str = ""
    ) -> None:
        """`note` says where the choices came from, or why there are none."""
        super().__init__()
        self._placeholder = placeholder
        self._values = [value for value, _ in choices]
        self._labels = [label for _, label in choices]
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(f"Value for <{self._placeholder}>:", markup=False, classes="heading")
            if self._note:
                yield Label(self._note, markup=False)
            if self._values:
                # Labels quote flyctl's output: shown as written, never read as markup.
                yield OptionList(*(Option(Text(label)) for label in self._labels))
            yield Input(placeholder="or type it, then enter")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._values[event.option_index])

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmRunScreen(Dialog[str | None]):
    """A destructive command, shown exactly as it will run (one argument a line); answers
    what was typed, which the plan checks against `word`."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, name: str, argv: Sequence[str], word: str) -> None:
        super().__init__()
        self._name = name
        self._argv = tuple(argv)
        self._word = word

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(f"{self._name} is destructive. It runs:", markup=False, classes="heading")
            yield Static(Text("\n".join(self._argv)), id="argv", classes="argv")
            yield Label(f"Type {self._word} to run it (escape: do not):", markup=False)
            yield Input(id="confirmation")

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RollbackScreen(Dialog[str | None]):
    """The app's recent releases, the running one marked, the newest before the incident
    pre-selected; answers the chosen release's image ref."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, *, app_name: str, releases: Sequence[Release], started: datetime, now: datetime
    ) -> None:
        super().__init__()
        self._app_name = app_name
        self.releases = tuple(releases[:RELEASES_SHOWN])
        self.chosen = preselected(self.releases, started)
        self._now = now

    def compose(self) -> ComposeResult:
        current = running(self.releases)
        with Vertical(classes="prompt"):
            yield Label(f"Roll back {self._app_name} to:", markup=False, classes="heading")
            labels = [release_label(r, now=self._now, current=current) for r in self.releases]
            yield OptionList(*(Option(Text(label)) for label in labels))

    def on_mount(self) -> None:
        if self.chosen is not None:
            self.query_one(OptionList).highlighted = self.releases.index(self.chosen)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.releases[event.option_index].image)

    def action_cancel(self) -> None:
        self.dismiss(None)
