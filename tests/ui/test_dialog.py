"""A dialog's backdrop: the war room behind it, dimmed, drawn cell for cell as Textual's own
see-through screens draw it."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.visual import Visual, visualize
from textual.widgets import Label, Static

from tests.support.war_room import declare, note_prompt, war_room_app
from warroom.store import EventStore
from warroom.ui.screens.dialog import Dialog, TintedBackdrop


async def test_the_war_room_behind_a_dialog_is_dimmed_as_textual_would_dim_it(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await note_prompt(pilot, app)
        war_room = app.screen_stack[-2]
        backdrop = dialog._render()
        assert isinstance(backdrop, TintedBackdrop)
        ours = segments(dialog, backdrop)
        textuals = visualize(dialog, BackgroundScreen(war_room, dialog.styles.background))
        assert ours == segments(dialog, textuals)
        undimmed = [list(line) for line in war_room._compositor.render_strips()]
        assert ours != undimmed
        assert [texts(line) for line in ours] == [texts(line) for line in undimmed]
        assert any("Backend returning 503s" in texts(line) for line in ours)


class Behind(App[None]):
    """Cells with a foreground and a background, a background alone, a link, none at all."""

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("red on white", "red on white"),
                " ",
                ("background alone", "on blue"),
                " ",
                ("a link", "link https://example.com"),
                " plain",
            )
        )


class Asking(Dialog[None]):
    def compose(self) -> ComposeResult:
        yield Label("?")


async def test_every_kind_of_cell_behind_a_dialog_is_dimmed_as_textual_would_dim_it() -> None:
    app = Behind()
    async with app.run_test(size=(60, 8)) as pilot:
        await app.push_screen(Asking())
        await pilot.pause()
        dialog, below = app.screen, app.screen_stack[-2]
        ours = dialog._render()
        assert isinstance(ours, TintedBackdrop)
        textuals = visualize(dialog, BackgroundScreen(below, dialog.styles.background))
        assert segments(dialog, ours) == segments(dialog, textuals)


def segments(dialog: Screen[Any], visual: Visual) -> list[list[Segment]]:
    """What `visual` draws as `dialog`'s own content, line by line."""
    width, height = dialog.size
    drawn = Visual.to_strips(dialog, visual, width, height, dialog.visual_style)
    return [list(line) for line in drawn]


def texts(line: list[Segment]) -> str:
    return "".join(segment.text for segment in line)
