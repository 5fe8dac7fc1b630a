"""Preview a communication template filled from the incident, fill its holes, copy it.

The screen shows the exact text that will be copied (plain text: markup stays literal,
control characters are shown, never sent to the terminal). Placeholders the incident cannot
fill get one `Input` each; the preview follows what is typed. Copying runs
`warroom.clipboard.copy_text` in a thread worker (the local clipboard runs subprocesses),
sending OSC 52 through `App.copy_to_clipboard` on the way, then notifies what worked and
dismisses with a `CommsCopied` result. Recording is the caller's job: one `field.set` per
typed value, then `comms.copied {template, text, via}`.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from warroom.clipboard import CopyReport, LocalClipboard, copy_text, system_clipboard
from warroom.incident import IncidentState, comms
from warroom.playbook import TEMPLATE_FIELDS, Playbook
from warroom.safetext import message_text


@dataclass(frozen=True)
class CommsCopied:
    """What the comms screen did; the caller records it as events."""

    template: str
    """The template's name, e.g. "investigating"."""
    text: str
    """The exact text copied."""
    typed: dict[str, str]
    """Placeholder values typed in the form: record each as `field.set {name, value}`."""
    report: CopyReport
    """Which copy paths worked; `report.via` goes into `comms.copied`."""


class CommsScreen(ModalScreen[CommsCopied | None]):
    """Preview and copy one template.

    | key | action |
    |---|---|
    | `c` | copy (when no text box has focus) |
    | `enter` | in a text box: next empty one, or copy; on the button: copy |
    | `escape` | close without copying (answers None) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy", id="comms-copy"),
        Binding("escape", "cancel", "Cancel", id="comms-cancel"),
    ]

    # Sized for 80x24: the preview takes what the form and the button leave; each missing
    # field is one compact line, so even the e-mail's four fit.
    DEFAULT_CSS = """
    CommsScreen { align: center middle; }
    CommsScreen > #comms { width: 92%; max-width: 110; height: 95%;
        border: round $primary; background: $surface; padding: 0 1; }
    CommsScreen #comms-preview { height: 1fr; min-height: 4; border: solid $panel; }
    CommsScreen #comms-form { height: auto; max-height: 6; margin-top: 1; }
    CommsScreen .comms-field { height: 1; }
    CommsScreen .comms-field > Label { width: 18; }
    CommsScreen .comms-field > Input { width: 1fr; }
    CommsScreen .comms-heading { text-style: bold; }
    CommsScreen #comms-actions { height: 1; margin-top: 1; }
    CommsScreen #comms-actions > Label { margin-left: 2; color: $text-muted; }
    """

    def __init__(
        self,
        *,
        playbook: Playbook,
        state: IncidentState,
        template_name: str,
        now: datetime,
        fallback_dir: Path,
        local: LocalClipboard | None = system_clipboard,
    ) -> None:
        """`fallback_dir` receives the text when no clipboard is confirmed; `local=None`
        skips the host clipboard (tests). Raises `comms.UnknownTemplate`."""
        super().__init__()
        self._template = comms.template_named(playbook, template_name)
        self._filled = comms.fields_for(state, playbook, now=now)
        self._missing = comms.missing_fields(self._template, self._filled)
        self._fallback_dir = fallback_dir
        self._local = local
        self._copying = False

    def compose(self) -> ComposeResult:
        with Vertical(id="comms"):
            yield Label(self._template.title, markup=False, classes="comms-heading")
            with VerticalScroll(id="comms-preview"):
                yield Static(self._preview(), id="comms-text")
            if self._missing:
                with VerticalScroll(id="comms-form"):
                    for name in self._missing:
                        with Horizontal(classes="comms-field"):
                            yield Label(f"{name}:", markup=False)
                            yield Input(
                                id=f"field-{name}",
                                placeholder=TEMPLATE_FIELDS.get(name, name),
                                compact=True,
                            )
            with Horizontal(id="comms-actions"):
                yield Button("Copy (c)", id="comms-copy", variant="primary", compact=True)
                yield Label("enter: next field, then copy · esc: cancel")

    def on_mount(self) -> None:
        inputs = self.query(Input)
        (inputs.first() if inputs else self.query_one("#comms-copy", Button)).focus()

    def _typed(self) -> dict[str, str]:
        typed: dict[str, str] = {}
        for name in self._missing:
            value = self.query_one(f"#field-{name}", Input).value.strip()
            if value:
                typed[name] = value
        return typed

    def _preview(self, typed: dict[str, str] | None = None) -> Text:
        """The text as it will be copied; holes still open are shown reversed as ⟨name⟩."""
        values = {**self._filled, **(typed or {})}
        preview = Text(no_wrap=False, end="")
        if self._template.subject:
            preview.append("Subject: ")
            self._append_filled(preview, self._template.subject, values)
            preview.append("\n\n")
        self._append_filled(preview, self._template.text, values)
        return preview

    @staticmethod
    def _append_filled(preview: Text, source: str, values: dict[str, str]) -> None:
        # The same characters `comms.render` copies: the playbook's text as it is, each value
        # as `message_text` makes it. Into a plain Text, so nothing is read as markup.
        for literal, name, _spec, _conversion in string.Formatter().parse(source):
            preview.append(literal)
            if name is None:
                continue
            value = values.get(name, "")
            if value.strip():
                preview.append(message_text(value))
            else:
                preview.append(f"⟨{name}⟩", style="reverse")

    @on(Input.Changed)
    def _refresh_preview(self) -> None:
        self.query_one("#comms-text", Static).update(self._preview(self._typed()))

    @on(Input.Submitted)
    def _next_or_copy(self, event: Input.Submitted) -> None:
        event.stop()
        for field in self.query(Input):
            if not field.value.strip():
                field.focus()
                return
        self.action_copy()

    @on(Button.Pressed, "#comms-copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    def action_copy(self) -> None:
        """Copy the text, or point at the first field still empty."""
        if self._copying:
            return
        typed = self._typed()
        missing = comms.missing_fields(self._template, {**self._filled, **typed})
        if missing:
            self.query_one(f"#field-{missing[0]}", Input).focus()
            self.notify(f"Fill in before copying: {', '.join(missing)}", severity="warning")
            return
        text = comms.render(self._template, {**self._filled, **typed})
        self._copying = True
        self.query_one("#comms-copy", Button).disabled = True
        app = self.app

        def osc52(payload: str) -> None:
            app.call_from_thread(app.copy_to_clipboard, payload)

        def work() -> CommsCopied:
            report = copy_text(
                text,
                osc52=osc52,
                fallback_dir=self._fallback_dir,
                name=self._template.name,
                local=self._local,
            )
            return CommsCopied(self._template.name, text, typed, report)

        self.run_worker(work, name="comms-copy", thread=True, exit_on_error=False)

    @on(Worker.StateChanged)
    def _copied(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "comms-copy":
            return
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, CommsCopied)
            report = result.report
            severity: SeverityLevel = (
                "information" if report.local_confirmed else ("warning" if report.ok else "error")
            )
            self.app.notify(report.summary, title="Copy status", severity=severity, markup=False)
            self.dismiss(result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._copying = False
            self.query_one("#comms-copy", Button).disabled = False
            self.notify(f"Copy failed: {event.worker.error}", severity="error", markup=False)

    def action_cancel(self) -> None:
        """Close without copying."""
        self.dismiss(None)
