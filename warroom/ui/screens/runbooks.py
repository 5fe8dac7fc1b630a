"""The runbook browser: every runbook of the playbook, the suggested ones first with why,
and the highlighted one's symptoms, diagnosis and solutions; typing filters them.

Enter on a step that has a command closes the browser with a `RunRequested` for the war
room to run (it fills the placeholders and asks for confirmation, never the browser).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from warroom.playbook import Runbook, Step
from warroom.runbooks import Suggestion
from warroom.runbooks.search import matching
from warroom.safetext import visible
from warroom.ui.messages import RunRequested
from warroom.ui.screens.dialog import Dialog
from warroom.ui.screens.reused import reused


def step_text(number: int, step: Step, command_style: Style | str = "bold") -> Text:
    """A step as the browser shows it: label, the argv as text (in `command_style`), the log
    source, the note."""
    text = Text(f"{number}. ", style="bold")
    text.append(step.label, style="bold")
    if step.confirm:
        text.append("  (destructive: asks for the app name)", style="italic")
    if step.command:
        text.append("\n   $ ")
        text.append(visible(shlex.join(step.command), limit=500), style=command_style)
    if step.log_source:
        preset = f", preset {step.preset}" if step.preset else ""
        text.append(f"\n   logs: {step.log_source}{preset}", style="italic")
    for line in step.note.splitlines():
        text.append(f"\n   {line}")
    return text


class RunbookBrowser(Dialog[RunRequested | None]):
    """The playbook's runbooks, searchable; answers the step to run, or None. One instance
    serves the whole run (`browse_runbooks`): `ask` sets it up again.

    | Key | Does |
    | :- | :- |
    | type, / | filter the runbooks by words in their text |
    | up/down | choose a runbook (in the list), a step (in the detail) |
    | tab | move between the search, the list and the detail |
    | enter | on a step with a command: run it (asks first when destructive) |
    | escape | clear the search, or close |
    """

    BINDINGS = [
        Binding("escape", "back", "Close", id="runbooks-close"),
        Binding("slash", "search", "Search", id="runbooks-search"),
        # A modal screen hides the app's keys: its own `?` shows the key help.
        Binding("question_mark", "app.show_keys", "Keys", id="runbooks-keys"),
        Binding("right", "focus_detail", "Steps", show=False),
        Binding("left", "focus_list", "Runbooks", show=False),
    ]

    COMPONENT_CLASSES = {"runbooks--command", "runbooks--suggested"}
    DEFAULT_CSS = """
    RunbookBrowser {
        align: center middle;
        /* Opaque: at 95% of the screen the war room showed only as a dimmed frame, and
           drawing it again under the browser at each of its frames cost more than the
           browser itself (see warroom.ui.screens.dialog). */
        background: $background;
        .runbooks--command { color: $accent; text-style: bold; }
        .runbooks--suggested { color: $warning; text-style: bold; }
        & > Vertical {
            width: 95%; height: 95%; border: round $primary; background: $surface;
        }
        #rb-hint { color: $text-muted; padding: 0 1; }
        #rb-list { width: 40%; height: 1fr; }
        #rb-detail { width: 1fr; height: 1fr; }
        #rb-search { margin: 0 0 0 0; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._runbooks: list[Runbook] = []
        self._reasons: dict[str, str] = {}
        self._selected: str | None = None
        self._listed: tuple[object, ...] = ()
        """What the list holds: the search, the runbooks and the reasons it was filled for."""
        self._shown: tuple[Runbook | None, ...] = ()
        """The runbook the detail shows, when it shows one or none (else empty)."""
        self._hint = ""
        self._steps: dict[str, tuple[Runbook, Step]] = {}

    def ask(
        self,
        runbooks: Sequence[Runbook],
        suggestions: Sequence[Suggestion] = (),
        selected: str | None = None,
    ) -> None:
        """Show `runbooks`, the suggested first, `selected` (the name of the runbook to show
        first, else the best suggestion) chosen, the search empty and the list focused."""
        reasons = {s.runbook.name: s.reason for s in suggestions}
        order = [s.runbook.name for s in suggestions]
        suggested = sorted(
            (r for r in runbooks if r.name in reasons), key=lambda r: order.index(r.name)
        )
        self._runbooks = suggested + [r for r in runbooks if r.name not in reasons]
        self._reasons = reasons
        self._selected = selected
        if self.is_mounted:
            self._start()

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Runbooks"
        box.border_subtitle = "type to search · enter runs a step · escape closes · ? keys"
        with box:
            yield Input(
                placeholder="search runbooks: symptoms, steps, commands…",
                select_on_focus=False,  # typing from the list goes on with the search
                id="rb-search",
            )
            with Horizontal():
                yield OptionList(id="rb-list")
                yield OptionList(id="rb-detail")
            yield Label("", id="rb-hint", markup=False)

    def on_mount(self) -> None:
        self._start()

    def _start(self) -> None:
        search = self.query_one("#rb-search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self._fill_list("")
        self.query_one("#rb-list", OptionList).focus()

    # -- the list ---------------------------------------------------------------------------

    def _fill_list(self, query: str) -> None:
        found = matching(self._runbooks, query)
        options = self.query_one("#rb-list", OptionList)
        # Opened again on the same runbooks, the list is kept: filled anew, every line of it
        # was drawn again (~10 ms of the opening frame in a profile).
        listing = (query, self._runbooks, self._reasons)
        if listing != self._listed:
            self._listed = listing
            options.clear_options()
            # All at once: each option added alone has the list measure all its lines again.
            options.add_options([self._list_option(runbook) for runbook in found])
        names = [r.name for r in found]
        hint = f"{len(found)} of {len(self._runbooks)} runbooks" if query else ""
        if hint != self._hint:
            self._hint = hint
            self.query_one("#rb-hint", Label).update(hint)
        if not found:
            self._show(None)
            return
        wanted = self._selected if self._selected in names else names[0]
        options.highlighted = names.index(wanted)
        self._show(found[names.index(wanted)])

    def _list_option(self, runbook: Runbook) -> Option:
        prompt = Text(visible(runbook.title, limit=200), style="bold")
        reason = self._reasons.get(runbook.name)
        if reason:
            suggested = self.get_component_rich_style("runbooks--suggested")
            prompt = Text("★ ", style=suggested) + prompt
            prompt.append(f"\n  {visible(reason, limit=300)}", style=suggested)
        return Option(prompt, id=runbook.name)

    @on(OptionList.OptionHighlighted, "#rb-list")
    def _runbook_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        runbook = next((r for r in self._runbooks if r.name == event.option.id), None)
        if runbook is not None:
            self._selected = runbook.name
            self._show(runbook)

    @on(OptionList.OptionSelected, "#rb-list")
    def _runbook_chosen(self) -> None:
        self.action_focus_detail()

    # -- the detail -------------------------------------------------------------------------

    def _show(self, runbook: Runbook | None) -> None:
        if self._shown == (runbook,):
            return
        self._shown = (runbook,)
        detail = self.query_one("#rb-detail", OptionList)
        detail.clear_options()
        self._steps = {}
        if runbook is None:
            detail.add_option(Option(Text("No runbook matches the search."), disabled=True))
            return
        detail.add_options(list(self._detail_options(runbook)))

    def _detail_options(self, runbook: Runbook) -> Iterator[Option]:
        head = Text(visible(runbook.title, limit=200), style="bold")
        reason = self._reasons.get(runbook.name)
        if reason:
            suggested = self.get_component_rich_style("runbooks--suggested")
            head.append(f"\nSuggested: {visible(reason, limit=300)}", style=suggested)
        yield Option(head, id="title")
        if runbook.symptoms:
            symptoms = Text("Symptoms", style="bold underline")
            for symptom in runbook.symptoms:
                symptoms.append(f"\n • {visible(symptom, limit=300)}")
            yield Option(symptoms, id="symptoms")
        if runbook.diagnosis:
            yield Option(Text("Diagnosis", style="bold underline"), disabled=True)
            yield from self._step_options(runbook, runbook.diagnosis, "diagnosis")
        for n, solution in enumerate(runbook.solutions, 1):
            title = Text(f"Solution {n}: {visible(solution.title, limit=200)}", style="bold")
            if solution.when:
                title.append(f" — {visible(solution.when, limit=200)}", style="italic")
            yield Option(title, disabled=True)
            yield from self._step_options(runbook, solution.steps, f"solution-{n}")

    def _step_options(
        self, runbook: Runbook, steps: Sequence[Step], where: str
    ) -> Iterator[Option]:
        command = self.get_component_rich_style("runbooks--command")
        for number, step in enumerate(steps, 1):
            key = f"{where}-step-{number}"
            self._steps[key] = (runbook, step)
            yield Option(step_text(number, step, command), id=key)

    @on(OptionList.OptionSelected, "#rb-detail")
    def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        found = self._steps.get(event.option.id or "")
        if found is None:
            return
        runbook, step = found
        if not step.command:
            self.notify("Nothing to run: this step is advice.", markup=False)
            return
        self.dismiss(RunRequested(step.label, step.command, f"runbook:{runbook.name}"))

    # -- keys -------------------------------------------------------------------------------

    @on(Input.Changed, "#rb-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill_list(event.value)

    @on(Input.Submitted, "#rb-search")
    def _search_done(self) -> None:
        self.query_one("#rb-list", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        # Typing anywhere searches: the first printable key moves into the search field.
        search = self.query_one("#rb-search", Input)
        if self.focused is search or not event.is_printable or event.character in ("?", "/"):
            return
        if event.character is None or event.character == " ":
            return
        event.stop()
        event.prevent_default()
        search.focus()
        search.insert_text_at_cursor(event.character)

    def action_search(self) -> None:
        self.query_one("#rb-search", Input).focus()

    def action_focus_detail(self) -> None:
        self.query_one("#rb-detail", OptionList).focus()

    def action_focus_list(self) -> None:
        self.query_one("#rb-list", OptionList).focus()

    def action_back(self) -> None:
        search = self.query_one("#rb-search", Input)
        if search.value:
            search.value = ""
            self.action_focus_list()
        else:
            self.dismiss(None)


def browse_runbooks(
    app: App[Any],
    then: Callable[[RunRequested | None], None],
    *,
    runbooks: Sequence[Runbook],
    suggestions: Sequence[Suggestion] = (),
    selected: str | None = None,
) -> None:
    """The runbook browser over the war room (see `RunbookBrowser.ask`); `then` gets the
    step to run, or None when it is closed.

    One browser serves every opening (`reused`): built new, it was composed, styled, laid
    out and drawn twice before it showed. Opening it (`bench/keys.py`, tmux at 200x60, a
    playbook without runbooks), p50 / p95 ms, idle and at 300,000 lines/s: see-through and
    new 69 / 87 and 79 / 97; opaque and new 53 / 63 and 55 / 72; opaque and reused 37 / 44
    and 45 / 50."""
    browser = reused(app, RunbookBrowser)
    if browser in app.screen_stack:
        return  # open already
    browser.ask(runbooks, suggestions, selected)
    app.push_screen(browser, then)
