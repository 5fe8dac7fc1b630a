"""Small modal forms: one line of text, a note of any lines, or one choice from a list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ScreenResultCallbackType
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from warroom.ui.screens.dialog import Dialog
from warroom.ui.screens.reused import reused, reused_if_free


class TextPrompt(Dialog[str | None]):
    """Ask for one line of text; enter answers it, escape cancels (answers None). One
    instance serves every question (`ask_text`): `ask` sets it up again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._question = ""
        self._value = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, id="text-question", markup=False)
            yield Input(self._value)

    def ask(self, question: str, value: str = "") -> None:
        """Ask `question`, `value` in the field (the cursor at its end)."""
        self._question, self._value = question, value
        if self.is_mounted:
            self.query_one("#text-question", Label).update(question)
            field = self.query_one(Input)
            field.value = value
            field.cursor_position = len(value)

    @on(Input.Submitted)
    def _answer(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteArea(TextArea):
    """A text area where enter submits: pasted text keeps its lines, ctrl+j starts one.

    Enter is handled here, in the order keys arrive, not by a screen binding: a binding
    would run before the characters typed just ahead of it reach the area.
    """

    BINDINGS = [Binding("ctrl+j", "new_line", "New line", show=False)]

    class Submitted(Message):
        """Enter was pressed."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.post_message(self.Submitted())
            return
        await super()._on_key(event)

    def action_new_line(self) -> None:
        self.insert("\n")


class NotePrompt(Dialog[str | None]):
    """Ask for a note, which may have several lines (a pasted stack trace keeps them all);
    `value` prefills it, every line of it, to correct a note.

    | Key | Does |
    | :- | :- |
    | enter | record the note (nothing typed: says so, records nothing) |
    | ctrl+j | start a new line |
    | escape | cancel |

    One instance serves every note (`ask_note`): `ask` sets it up again.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    HINT = "enter records · pasted lines are kept · ctrl+j new line"

    DEFAULT_CSS = """
    NotePrompt NoteArea { height: auto; max-height: 12; }
    NotePrompt #note-hint { color: $text-muted; }
    """

    def __init__(self, *, question: str = "", value: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, id="note-question", markup=False)
            yield NoteArea(self._value, soft_wrap=True, show_line_numbers=False)
            yield Label(self.HINT, id="note-hint")

    def on_mount(self) -> None:
        self._cursor_to_end()

    def _cursor_to_end(self) -> None:
        area = self.query_one(NoteArea)
        area.move_cursor(area.document.end)  # a correction usually adds to the end

    def ask(self, question: str, value: str = "") -> None:
        """Ask `question` again, with `value` in the note (and no history to undo into)."""
        self._question, self._value = question, value
        if not self.is_mounted:
            return  # composed with them
        self.query_one("#note-question", Label).update(question)
        self.query_one("#note-hint", Label).update(self.HINT)
        self.query_one(NoteArea).load_text(value)
        self._cursor_to_end()

    @on(NoteArea.Submitted)
    def _record(self) -> None:
        text = self.query_one(NoteArea).text.strip()
        if not text:
            # Never a silent nothing: the note the responder meant to keep would be lost.
            hint = self.query_one("#note-hint", Label)
            hint.update("Nothing to record: type the note, or escape.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_text(
    app: App[Any], question: str, then: ScreenResultCallbackType[str | None], *, value: str = ""
) -> None:
    """The one-line prompt asking `question`, `value` in it; `then` gets the text (stripped),
    or None when it is empty or cancelled. One prompt serves them all (`reused_if_free`)."""
    prompt = reused_if_free(app, TextPrompt)
    prompt.ask(question, value)
    app.push_screen(prompt, then)


def ask_note(
    app: App[Any], question: str, then: Callable[[str | None], None], *, value: str = ""
) -> None:
    """The note prompt asking `question`, `value` in it; `then` gets the note, or None when
    it is cancelled.

    One prompt serves every note (`reused`): a see-through dialog pushed new was composed,
    sized and drawn over the whole war room twice before it showed. Opening it, 100 keys in
    tmux at 200x60, p50 / p95: idle 40 / 62 ms new, 35 / 50 reused; at 300,000 lines/s
    48 / 76 and 36 / 58."""
    prompt = reused(app, NotePrompt)
    if prompt in app.screen_stack:
        return  # asked already: it is on screen
    prompt.ask(question, value)
    app.push_screen(prompt, then)


class ChoicePrompt(Dialog[str | None]):
    """Pick one of several options by id; escape cancels (answers None). One instance serves
    every question (`ask_choice`): `ask` sets it up again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._question = ""
        self._choices: list[tuple[str, str]] = []
        self._selected: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self._question, id="choice-question", markup=False)
            yield OptionList()

    def on_mount(self) -> None:
        self._fill()

    def ask(
        self, question: str, choices: Sequence[tuple[str, str]], selected: str | None = None
    ) -> None:
        """Ask `question` of `choices` (id, label), `selected` highlighted (else the first)."""
        self._question, self._choices, self._selected = question, list(choices), selected
        if self.is_mounted:
            self.query_one("#choice-question", Label).update(question)
            self._fill()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        # Labels come from the playbook: shown as written, never read as markup.
        options.add_options(Option(Text(label), id=key) for key, label in self._choices)
        keys = [key for key, _ in self._choices]
        if keys:
            options.highlighted = keys.index(self._selected) if self._selected in keys else 0

    @on(OptionList.OptionSelected)
    def _answer(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_choice(
    app: App[Any],
    question: str,
    choices: Sequence[tuple[str, str]],
    then: ScreenResultCallbackType[str | None],
    *,
    selected: str | None = None,
) -> None:
    """The choice prompt asking `question` of `choices` (id, label), `selected` highlighted;
    `then` gets the id chosen, or None when it is cancelled. One prompt serves them all
    (`reused_if_free`)."""
    prompt = reused_if_free(app, ChoicePrompt)
    prompt.ask(question, choices, selected)
    app.push_screen(prompt, then)
