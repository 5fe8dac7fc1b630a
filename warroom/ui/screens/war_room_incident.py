"""The war room's incident commands that record at once: add a note, change the severity,
acknowledge, rename, set a key moment, assign roles; and the full title, which the header may
cut. A part of `WarRoomScreen`, kept in its own module so that the screen stays one readable
page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App

from warroom.incident import (
    Clock,
    Event,
    IncidentState,
    NewEvent,
    acknowledged,
    moment_set,
    note_added,
    renamed,
    role_assigned,
    severity_changed,
)
from warroom.playbook import Playbook
from warroom.safetext import visible

if TYPE_CHECKING:
    from warroom.ui.screens.incident_forms import MomentAnswer


class _Room(Protocol):
    playbook: Playbook
    clock: Clock
    actor: str

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    def run_worker(self, work: Any) -> Any: ...
    async def record(self, new: NewEvent) -> Event | None: ...


class IncidentCommands:
    """Mixed into `WarRoomScreen`: `n`, `s`, `A`, `T`, `M` and `a`."""

    def action_add_note(self: _Room) -> None:
        from warroom.ui.screens.prompts import ask_note

        def add(text: str | None) -> None:
            if text:
                self.run_worker(self.record(note_added(text)))

        ask_note(self.app, "Note for the timeline:", add)

    def action_change_severity(self: _Room) -> None:
        from warroom.ui.screens.prompts import ask_choice

        current = self.state.severity if self.state else None
        choices = [(s.level, s.choice_label) for s in self.playbook.severities]

        def change(level: str | None) -> None:
            if level and self.state is not None and level != self.state.severity:
                self.run_worker(self.record(severity_changed(self.state.severity, level)))

        ask_choice(self.app, "Severity:", choices, change, selected=current)

    def action_acknowledge(self: _Room) -> None:
        self.run_worker(self.record(acknowledged()))

    def action_show_title(self: _Room) -> None:
        # The header cuts the title to its room; at 80 columns that is a few words.
        if self.state is not None:
            title = visible(self.state.title, limit=500)
            heading = f"{self.state.id} {visible(self.state.severity, limit=20)}"
            self.app.notify(title, title=heading, markup=False, timeout=15)

    def action_rename(self: _Room) -> None:
        from warroom.ui.screens.prompts import ask_text

        if self.state is None:
            return
        title = self.state.title

        def rename(answer: str | None) -> None:
            new = " ".join((answer or "").split())  # one line, as `warroom new` keeps it
            if new and new != title:
                self.run_worker(self.record(renamed(new)))

        ask_text(self.app, "Incident title:", rename, value=title)

    def action_set_moment(self: _Room) -> None:
        from warroom.ui.screens.incident_forms import MomentForm
        from warroom.ui.screens.reused import reused_if_free

        if self.state is None:
            return
        form = reused_if_free(self.app, MomentForm)
        form.ask(self.state.moments, self.clock(), self.playbook.settings.display_timezone)

        def set_moment(answer: MomentAnswer | None) -> None:
            if answer is not None:
                self.run_worker(self.record(moment_set(answer.moment, answer.at)))

        self.app.push_screen(form, set_moment)

    def action_assign_roles(self: _Room) -> None:
        from warroom.ui.screens.incident_forms import RoleForm
        from warroom.ui.screens.reused import reused_if_free

        if self.state is None:
            return

        async def assign(changed: dict[str, str] | None) -> None:
            for role, name in (changed or {}).items():
                await self.record(role_assigned(role, name))

        form = reused_if_free(self.app, RoleForm)
        form.ask(self.state.roles, suggestion=self.actor)
        self.app.push_screen(form, assign)
