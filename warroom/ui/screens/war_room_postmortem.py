"""The war room's post-mortem key (`P`, and "Post-mortem" in the palette). A part of
`WarRoomScreen`, kept in its own module so that the screen stays one readable page.

Review is read-only, but writing the post-mortem is what review is for, so `P` is the one
write it allows, and it writes nothing else: review's store stays read-only, so the
editor gets a session of its own on a store opened for writing (`postmortem_writer`), used
only to save sections and to follow them, and closed with the editor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from warroom.incident import IncidentState
from warroom.incident.events import postmortem_field_set
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.session.incident_session import IncidentSession
from warroom.store import EventStore, StoreError

POSTMORTEM_BINDING = Binding(
    "P", "postmortem", "Post-mortem", tooltip="Write the post-mortem", id="postmortem"
)
PostmortemWriter = Callable[[], Awaitable[EventStore]]
"""Opens a store for writing, on review's database: only post-mortem sections go through it."""


class _Room(Protocol):
    playbook: Playbook
    session: IncidentSession
    incident_id: str
    actor: str
    review: bool
    postmortem_writer: PostmortemWriter | None

    @property
    def app(self) -> App[Any]: ...
    def notify(self, message: str, *, severity: Any = ..., markup: bool = ...) -> None: ...
    def refuse(self, what: str) -> None: ...
    def run_worker(self, work: Any, *, group: str = ..., exclusive: bool = ...) -> Any: ...
    def _write_refused(self, kind: str, error: Exception) -> None: ...
    async def _review_postmortem(self, writer: PostmortemWriter) -> None: ...


class PostmortemCommands:
    """Mixed into `WarRoomScreen`: the post-mortem editor, live and in review."""

    def action_postmortem(self: _Room) -> None:
        from warroom.ui.screens.postmortem_editor import PostmortemEditor

        if self.review:
            if self.postmortem_writer is None:
                self.refuse("postmortem")
            else:
                self.run_worker(self._review_postmortem(self.postmortem_writer))
            return
        state = self.session.state
        if state is None:
            return
        session = self.session
        editor = PostmortemEditor(
            playbook=self.playbook,
            state=state,
            clock=session.clock,
            save=lambda field, text: _saved(session, field, text),
        )

        def changed(_state: IncidentState | None) -> None:
            if session.state is not None:
                editor.refresh_from(session.state)

        self.app.push_screen(editor)
        # Watched by the editor: the watch ends when it is closed.
        editor.watch(cast(DOMNode, self), "state", changed, init=False)

    async def _review_postmortem(self: _Room, writer: PostmortemWriter) -> None:
        from warroom.ui.screens.postmortem_editor import PostmortemEditor

        try:
            store = await writer()
        except StoreError as error:
            self.notify(
                f"Cannot write the post-mortem: {visible(str(error), limit=200)}.",
                severity="error",
                markup=False,
            )
            return
        editor: PostmortemEditor | None = None

        def changed(state: IncidentState) -> None:
            if editor is not None and editor.is_attached:
                editor.refresh_from(state)

        async with store:
            session = IncidentSession(
                store=store,
                incident_id=self.incident_id,
                playbook=self.playbook,
                actor=self.actor,
                clock=self.session.clock,
                on_state=changed,
                on_refused=self._write_refused,
            )
            await session.load()
            if session.state is None:
                return
            editor = PostmortemEditor(
                playbook=self.playbook,
                state=session.state,
                clock=session.clock,
                save=lambda field, text: _saved(session, field, text),
                follow=session.follow,
            )
            await self.app.push_screen_wait(editor)


async def _saved(session: IncidentSession, field: str, text: str) -> bool:
    return await session.record(postmortem_field_set(field, text)) is not None
