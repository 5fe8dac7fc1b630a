"""What the Pilot tests of the war room share: the app as the CLI builds it, minus the
outside world, an incident to open, a harness for one widget, and a bounded wait for the app
to reach a state."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from tests.support.playbooks import quiet_playbook
from tests.support.waiting import eventually
from warroom.incident import Clock, IncidentState, utc_now
from warroom.playbook import Playbook
from warroom.playbook.themes import Looks
from warroom.store import EventStore
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.prompts import NotePrompt
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.screens.war_room_postmortem import PostmortemWriter
from warroom.ui.theming import semantic_fallbacks


def war_room_app(
    store: EventStore,
    incident_id: str | None,
    *,
    playbook: Playbook | None = None,
    clock: Clock = utc_now,
    actor: str = "bob",
    review: bool = False,
    postmortem_writer: PostmortemWriter | None = None,
    looks: Looks | None = None,
    on_shown: Callable[[], object] | None = None,
) -> WarRoomApp:
    """The app on a real store, never touching the host clipboard or the user's folders;
    `review` as `warroom review` opens it."""
    return WarRoomApp(
        playbook=playbook or quiet_playbook(),
        store=store,
        incident_id=incident_id,
        actor=actor,
        clock=clock,
        copies_dir=Path(tempfile.mkdtemp(prefix="warroom-copies-")),
        local_clipboard=None,
        review=review,
        postmortem_writer=postmortem_writer,
        looks=looks,
        on_shown=on_shown,
    )


async def declare(
    store: EventStore,
    *,
    title: str = "Backend returning 503s",
    severity: str = "P1",
    actor: str = "alice",
    at: datetime | None = None,
) -> str:
    """Declare an incident in `store` (at the store's own clock unless `at`); its id."""
    event = await store.declare(title=title, severity=severity, actor=actor, at=at)
    return event.incident_id


def war_room_screen(app: App[Any]) -> WarRoomScreen:
    """The war room, which the app must be showing now (no prompt or form on top)."""
    screen = app.screen
    assert isinstance(screen, WarRoomScreen), f"{type(screen).__name__} is on top"
    return screen


def state_of(shown: App[Any] | WarRoomScreen) -> IncidentState:
    """The incident state the war room shows now; it must have loaded one."""
    screen = shown if isinstance(shown, WarRoomScreen) else war_room_screen(shown)
    assert screen.state is not None, "no incident loaded yet"
    return screen.state


class WidgetHost(App[None]):
    """An app that shows one widget and nothing else, on Textual's default theme with the
    semantic colours warroom's widgets use derived from it, as the war room derives them
    for a theme that does not name them."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.hosted = widget

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return semantic_fallbacks(self.current_theme)

    def compose(self) -> ComposeResult:
        yield self.hosted


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], *, what: str, tries: int = 500
) -> None:
    """Let the app process messages until `condition()` holds (bounded, no fixed sleep)."""
    await eventually(condition, what=what, tries=tries, pause=lambda: pilot.pause(0.02))


def restyles_of(app: App[Any]) -> list[DOMNode]:
    """From now on, every node `app`'s stylesheet restyles, in order (the list fills as it
    happens)."""
    restyled: list[DOMNode] = []
    update_nodes = app.stylesheet.update_nodes

    def recording(nodes: Iterable[DOMNode], animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(nodes)
        update_nodes(nodes, animate=animate)

    app.stylesheet.update_nodes = recording  # type: ignore[method-assign]
    return restyled


def shows(app: App[Any], kind: type[Screen[Any]]) -> Callable[[], bool]:
    """Whether `app` shows a `kind` screen whose widgets are there: a screen is on top as soon
    as it is pushed, before it has composed them (a query then finds nothing)."""
    return lambda: isinstance(app.screen, kind) and app.screen.is_mounted


async def note_prompt(pilot: Pilot[Any], app: WarRoomApp) -> NotePrompt:
    """`n` once the incident is loaded; the note prompt it opens."""
    await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
    await pilot.press("n")
    await until(pilot, shows(app, NotePrompt), what="note prompt")
    prompt = app.screen
    assert isinstance(prompt, NotePrompt)
    return prompt
