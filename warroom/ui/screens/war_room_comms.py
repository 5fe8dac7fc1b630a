"""The war room's communication commands: choose a template, preview and copy it, record what
was sent (with every field corrected and the rename made in the preview). A part of
`WarRoomScreen`, kept in its own module so that the screen stays one readable page.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App, SystemCommand

from warroom.clipboard import LocalClipboard
from warroom.incident import Clock, Event, IncidentState, NewEvent
from warroom.playbook import Playbook

if TYPE_CHECKING:
    from warroom.ui.screens.comms import CommsCopied

# The screens these commands push are imported where they are pushed: the war room's first
# frame does not wait for them.


class _Room(Protocol):
    """What of the war room screen these commands use."""

    playbook: Playbook
    clock: Clock
    copies_dir: Path
    local_clipboard: LocalClipboard | None

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    async def record(self, new: NewEvent) -> Event | None: ...
    def open_comms(self, template_name: str) -> None: ...
    async def _copied(self, copied: CommsCopied | None) -> None: ...


class CommsCommands:
    """Mixed into `WarRoomScreen`: the `c` key, the palette's "Copy status: NAME" commands."""

    def action_copy_status(self: _Room) -> None:
        from warroom.ui.screens.prompts import ChoicePrompt

        choices = [(name, f"{name}: {t.title}") for name, t in self.playbook.templates.items()]

        def chosen(name: str | None) -> None:
            if name:
                self.open_comms(name)

        self.app.push_screen(ChoicePrompt(question="Copy which text?", choices=choices), chosen)

    def open_comms(self: _Room, template_name: str) -> None:
        """Preview a template filled from the incident; copying records what was said."""
        from warroom.ui.screens.comms import CommsScreen

        if self.state is None:
            return
        screen = CommsScreen(
            playbook=self.playbook,
            state=self.state,
            template_name=template_name,
            now=self.clock(),
            fallback_dir=self.copies_dir,
            local=self.local_clipboard,
        )
        self.app.push_screen(screen, self._copied)

    async def _copied(self: _Room, copied: CommsCopied | None) -> None:
        for new in copied.events() if copied is not None else ():
            await self.record(new)

    def comms_palette_commands(self: _Room) -> Iterable[SystemCommand]:
        """The palette's "Copy status: NAME" commands (the keyed ones come from the bindings)."""
        for name, template in self.playbook.templates.items():
            yield SystemCommand(
                f"Copy status: {name}", template.title, partial(self.open_comms, name)
            )
