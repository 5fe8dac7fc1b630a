"""Preview a communication template filled from the incident, fill its holes, copy it.

The screen shows the exact text that will be copied: both are `comms.pieces`, so the preview
is the copy character for character (plain text: markup stays literal). Placeholders the
incident cannot fill get one `Input` each; `e` shows the values filled before (and the
incident's title, `{description}`) to correct them; the preview follows what is typed. A
template written for the other status (the resolved update while the incident is open)
carries a warning, and copying it asks first. Copying runs `warroom.clipboard.copy_text` in a
thread worker (the local clipboard runs subprocesses), sending OSC 52 through
`App.copy_to_clipboard` on the way, then notifies what worked and dismisses with a
`CommsCopied` result. Recording is the caller's job: `CommsCopied.events()`, in order.

Where the caller offers publishing (`publish_health`), `p` opens `PublishScreen` on the same
values: the exact requests, the components' statuses proposed from that health; its send
key dismisses this screen with `CommsPublished`, which the caller sends and records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from warroom.clipboard import CopyReport, LocalClipboard, copy_text, system_clipboard
from warroom.incident import IncidentState, NewEvent, comms, comms_copied, field_set, renamed
from warroom.playbook import TEMPLATE_FIELDS, Playbook
from warroom.publish import STATUSES, NotPublishable, PublishPlan
from warroom.ui.screens.comms_publish import CommsPublished, publish_screen, publish_targets
from warroom.ui.screens.confirm import confirm
from warroom.ui.screens.dialog import Dialog


class CommsCopied(NamedTuple):
    """What the comms screen did; the caller records it as events."""

    template: str
    """The template's name, e.g. "investigating"."""
    text: str
    """The exact text copied."""
    typed: dict[str, str]
    """Placeholder values typed in the form, new or corrected: each one a `field.set`."""
    report: CopyReport
    """Which copy paths worked; `report.via` goes into `comms.copied`."""
    renamed: str | None = None
    """The incident's new title, when `{description}` was corrected in the form."""

    def events(self) -> list[NewEvent]:
        """What to record, in order: the rename and the fields the text was made from, then
        the copy itself, so the record (and every other terminal) holds what was sent."""
        first = [renamed(self.renamed)] if self.renamed is not None else []
        fields = [field_set(name, value) for name, value in self.typed.items()]
        return [*first, *fields, comms_copied(self.template, self.text, self.report.via)]


class CommsScreen(Dialog[CommsCopied | CommsPublished | None]):
    """Preview and copy one template, or publish it.

    | key | action |
    |---|---|
    | `c` | copy (when no text box has focus); asks first under a status warning |
    | `p` | publish to the status page and chat: shows the requests, sends on its own key |
    | `e` | edit the fields filled before (when no text box has focus) |
    | `enter` | in a text box: next empty one, else the next one, or copy; on a button: it |
    | `escape` | close without copying (answers None) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy", id="comms-copy"),
        Binding("e", "edit", "Edit fields", id="comms-edit"),
        Binding("p", "publish", "Publish", id="comms-publish"),
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
    CommsScreen #comms-warning { background: $error; color: $text; text-style: bold reverse; }
    CommsScreen .comms-edit { display: none; }
    CommsScreen #comms-form.-editing .comms-edit { display: block; }
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
        publish_health: Mapping[str, str] | None = None,
    ) -> None:
        """`fallback_dir` receives the text when no clipboard is confirmed; `local=None`
        skips the host clipboard (tests); `publish_health` (target -> state shown) offers
        publishing, None not (review, read-only). Raises `comms.UnknownTemplate`."""
        super().__init__()
        self._playbook = playbook
        self._state = state
        self._now = now
        self._targets = publish_targets(playbook)
        self._health = publish_health
        self._publishable = (
            publish_health is not None and bool(self._targets) and template_name in STATUSES
        )
        self._template = comms.template_named(playbook, template_name)
        self._filled = comms.fields_for(state, playbook, now=now)
        self._missing = comms.missing_fields(self._template, self._filled)
        self._editable = [
            name
            for name in comms.editable_fields(self._template, state)
            if name not in self._missing
        ]
        self._warning = comms.status_warning(self._template, state)
        self._fallback_dir = fallback_dir
        self._local = local
        self._copying = False

    def compose(self) -> ComposeResult:
        with Vertical(id="comms"):
            yield Label(self._template.title, markup=False, classes="comms-heading")
            if self._warning:
                yield Label(f"⚠ NOT YET: {self._warning}", markup=False, id="comms-warning")
            with VerticalScroll(id="comms-preview"):
                yield Static(self._preview(self._filled), id="comms-text")
            if self._missing or self._editable:
                with VerticalScroll(id="comms-form"):
                    for name in self._missing:
                        yield self._field_row(name, "")
                    for name in self._editable:
                        yield self._field_row(name, self._filled[name], classes="comms-edit")
            with Horizontal(id="comms-actions"):
                yield Button("Copy (c)", id="comms-copy", variant="primary", compact=True)
                if self._publishable:
                    yield Button("Publish (p)", id="comms-publish", compact=True)
                if self._editable:
                    yield Button("Edit fields (e)", id="comms-edit", compact=True)
                yield Label(self._hint(), markup=False)

    def _field_row(self, name: str, value: str, *, classes: str = "") -> Horizontal:
        # The title is the description: correcting it renames the incident, and says so.
        label = "title (renames)" if name == "description" and value else name
        field = Input(
            value=value,
            id=f"field-{name}",
            placeholder=TEMPLATE_FIELDS.get(name, name),
            compact=True,
        )
        return Horizontal(Label(f"{label}:", markup=False), field, classes=f"comms-field {classes}")

    def _hint(self) -> str:
        edit = "e: edit fields · " if self._editable else ""
        return f"enter: next field, then copy · {edit}esc: cancel"

    def on_mount(self) -> None:
        inputs = self._shown_fields()
        (inputs[0] if inputs else self.query_one("#comms-copy", Button)).focus()

    def _shown_fields(self) -> list[Input]:
        """The text boxes on screen, in order: the holes, and the others once editing."""
        editing = bool(self.query("#comms-form.-editing"))
        names = [*self._missing, *(self._editable if editing else ())]
        return [self.query_one(f"#field-{name}", Input) for name in names]

    def _values(self) -> dict[str, str]:
        """The values the text is made of now: the incident's, as corrected in the form."""
        values = dict(self._filled)
        for name in (*self._missing, *self._editable):
            typed = self.query_one(f"#field-{name}", Input).value.strip()
            if typed:
                values[name] = typed
            else:
                values.pop(name, None)  # emptied: a hole again, not the value it had
        return values

    def _changes(self, values: dict[str, str]) -> tuple[dict[str, str], str | None]:
        """(fields to record as typed or corrected, the new title if `{description}` changed)."""
        changed = {
            name: values[name]
            for name in (*self._missing, *self._editable)
            if name in values and values[name] != self._filled.get(name)
        }
        return changed, changed.pop("description", None)

    def _preview(self, values: dict[str, str]) -> Text:
        """The text as it will be copied; holes still open are shown reversed as ⟨name⟩."""
        preview = Text(no_wrap=False, end="")
        # Into a plain Text, so nothing is read as markup.
        for text, hole in comms.pieces(self._template, values):
            if hole is None:
                preview.append(text)
            else:
                preview.append(f"⟨{hole}⟩", style="reverse")
        return preview

    @on(Input.Changed)
    def _refresh_preview(self) -> None:
        self.query_one("#comms-text", Static).update(self._preview(self._values()))

    @on(Input.Submitted)
    def _next_or_copy(self, event: Input.Submitted) -> None:
        event.stop()
        shown = self._shown_fields()
        empty = [field for field in shown if not field.value.strip()]
        if empty:
            empty[0].focus()
        elif event.input in shown and event.input is not shown[-1]:
            shown[shown.index(event.input) + 1].focus()
        else:
            self.action_copy()

    def action_edit(self) -> None:
        """Show the fields filled before, to correct them before this copy."""
        if not self._editable:
            self.notify("Nothing filled before to correct in this text.", severity="warning")
            return
        self.query_one("#comms-form").add_class("-editing")
        self.query_one(f"#field-{self._editable[0]}", Input).focus()

    @on(Button.Pressed, "#comms-edit")
    def _edit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_edit()

    @on(Button.Pressed, "#comms-copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    def action_copy(self) -> None:
        """Copy the text, or point at the first field still empty."""
        if self._copying:
            return
        values = self._values()
        missing = comms.missing_fields(self._template, values)
        if missing:
            if missing[0] in self._editable:  # emptied while correcting it
                self.query_one("#comms-form").add_class("-editing")
            self.query_one(f"#field-{missing[0]}", Input).focus()
            self.notify(f"Fill in before copying: {', '.join(missing)}", severity="warning")
            return
        if not self._warning:
            self._copy(values)
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._copy(values)

        # Not refused: a reopened incident or a correction may need it. But never by accident.
        question = "Copy it anyway?"
        confirm(self.app, answered, question, detail=self._warning)

    def _copy(self, values: dict[str, str]) -> None:
        text = comms.render(self._template, values)
        typed, title = self._changes(values)
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
            return CommsCopied(self._template.name, text, typed, report, renamed=title)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Publish is offered only where the caller allows it and the playbook has targets."""
        return self._publishable if action == "publish" else True

    @on(Button.Pressed, "#comms-publish")
    def _publish_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_publish()

    def action_publish(self) -> None:
        """Preview the requests that publish this text; sending needs that screen's key."""
        if not self._publishable or self._copying:
            return
        values = self._values()
        missing = comms.missing_fields(self._template, values)
        if missing:
            self.query_one(f"#field-{missing[0]}", Input).focus()
            self.notify(f"Fill in before publishing: {', '.join(missing)}", severity="warning")
            return
        try:
            screen = publish_screen(
                state=self._state,
                playbook=self._playbook,
                template=self._template.name,
                now=self._now,
                values=values,
                targets=self._targets,
                health=self._health or {},
                warning=self._warning,
            )
        except (NotPublishable, comms.MissingFields) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        typed, title = self._changes(values)

        def sent(plan: PublishPlan | None) -> None:
            if plan is not None:
                self.dismiss(CommsPublished(plan, typed, renamed=title))

        self.app.push_screen(screen, sent)

    def action_cancel(self) -> None:
        """Close without copying."""
        self.dismiss(None)
