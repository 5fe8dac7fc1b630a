"""The post-mortem editor: the sections only a person can write, each in a multi-line area,
the playbook's blameless guidance beside them and the rendered document below.

The screen never keeps its own copy of the post-mortem: a saved section goes to the store
as a `postmortem.field_set` event and comes back through the war room's session, so what
another terminal saves shows up here the same way as what this one saved.

| Key | Does |
| :- | :- |
| up/down, enter | choose a section; enter starts editing it |
| enter (in the text) | save the section |
| ctrl+j | new line in the text |
| tab / shift+tab | move between sections, text, guidance and preview |
| escape | close |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from warroom.incident import Clock, IncidentState
from warroom.incident.actions import POSTMORTEM_WRITTEN
from warroom.incident.metrics import metrics
from warroom.incident.postmortem import render_markdown
from warroom.playbook import Playbook
from warroom.ui.screens.prompts import NoteArea

SaveField = Callable[[str, str], Awaitable[bool]]
"""Records one section's text; False if it was not recorded (the caller said why)."""


def preview(state: IncidentState, playbook: Playbook, clock: Clock) -> str:
    now = clock()
    return render_markdown(state, playbook, now=now, metrics=metrics(state, playbook, now=now))


class PostmortemEditor(Screen[None]):
    """Write the post-mortem's sections; `refresh_from(state)` shows another state."""

    BINDINGS = [Binding("escape", "close", "Close")]

    DEFAULT_CSS = """
    PostmortemEditor #pm-left { width: 2fr; }
    PostmortemEditor #pm-right { width: 1fr; }
    PostmortemEditor #pm-fields { height: auto; max-height: 7; }
    PostmortemEditor NoteArea { height: 1fr; min-height: 5; }
    PostmortemEditor #pm-hint, PostmortemEditor #pm-guidance { color: $text-muted; }
    PostmortemEditor #pm-preview { height: 1fr; border-top: solid $primary; }
    """

    def __init__(
        self,
        *,
        playbook: Playbook,
        state: IncidentState,
        clock: Clock,
        save: SaveField,
        follow: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`follow`, if given, runs while the editor is open (its worker ends with it)."""
        super().__init__()
        self._follow = follow
        self.playbook = playbook
        self.clock = clock
        self._save = save
        self._state = state
        self.field = next(iter(POSTMORTEM_WRITTEN))
        """The section in the text area."""
        self._loaded = ""
        """The section's recorded text when it was put in the area: while the area still
        holds it, another terminal's newer text replaces it; typed text is never replaced."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="pm-left"):
                yield OptionList(id="pm-fields")
                yield Label("", id="pm-hint", markup=False)
                yield NoteArea("", soft_wrap=True, show_line_numbers=False)
                with VerticalScroll(id="pm-preview"):
                    yield Static("", id="pm-document", markup=False)
            with VerticalScroll(id="pm-right"):
                yield Label("Blameless post-mortem", markup=False)
                guidance = self.playbook.postmortem_guidance or ("(the playbook has none)",)
                yield Static(Text("\n".join(f"- {g}" for g in guidance)), id="pm-guidance")

    def on_mount(self) -> None:
        self.refresh_from(self._state)
        self._load(self.field)
        self.query_one(OptionList).focus()
        if self._follow is not None:
            self.run_worker(self._follow(), group="postmortem-follow")

    def refresh_from(self, state: IncidentState) -> None:
        """Sections, the area (unless it is being edited) and the preview from `state`."""
        self._state = state
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for key, name in POSTMORTEM_WRITTEN.items():
            written = "written" if state.postmortem.get(key) else "empty"
            options.add_option(Option(Text(f"{name} ({written})"), id=key))
        options.highlighted = highlighted if highlighted is not None else 0
        area = self.query_one(NoteArea)
        recorded = state.postmortem.get(self.field, "")
        if area.text == self._loaded and recorded != self._loaded:
            self._load(self.field)
        self.query_one("#pm-document", Static).update(preview(state, self.playbook, self.clock))

    def _load(self, field: str) -> None:
        self.field = field
        self._loaded = self._state.postmortem.get(field, "")
        area = self.query_one(NoteArea)
        area.load_text(self._loaded)
        area.move_cursor(area.document.end)
        self._hint("enter saves · pasted lines are kept · ctrl+j new line · escape closes")

    def _hint(self, text: str) -> None:
        name = POSTMORTEM_WRITTEN[self.field]
        self.query_one("#pm-hint", Label).update(f"{name}: {text}")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._load(event.option.id)
            self.query_one(NoteArea).focus()

    @on(NoteArea.Submitted)
    async def _submitted(self) -> None:
        field, text = self.field, self.query_one(NoteArea).text.strip()
        if text == self._state.postmortem.get(field, ""):
            self._hint("unchanged, nothing recorded.")
            return
        if await self._save(field, text):
            # The area now holds what is recorded, so newer text from elsewhere replaces it.
            self._loaded = text
            self._hint("saved.")

    def action_close(self) -> None:
        self.dismiss(None)
