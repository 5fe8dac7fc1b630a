"""A dialog's backdrop: the war room behind it, dimmed, drawn cell for cell as Textual's own
see-through screens draw it."""

from __future__ import annotations

from typing import Any

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.visual import Visual, visualize
from textual.widgets import Label, Static

from tests.support.war_room import declare, note_prompt, until, war_room_app
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

        # Changed below while the dialog is open: redrawn in the rows that changed alone.
        label = war_room.query_one("#log-info", Static)
        label.update("changed behind the dialog")
        await until(
            pilot,
            lambda: any("changed behind" in texts(line) for line in segments(dialog, backdrop)),
            what="the change drawn behind the dialog",
        )
        assert segments(dialog, backdrop) == segments(dialog, textuals)


async def test_a_change_behind_a_dialog_redraws_its_rows_not_the_whole_war_room(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await note_prompt(pilot, app)
        await pilot.pause()
        asked: list[Region] = []
        refresh = dialog.refresh

        def recording(*regions: Region, **options: bool) -> Screen[Any]:
            asked.extend(regions)
            return refresh(*regions, **options)

        monkeypatch.setattr(dialog, "refresh", recording)
        label = app.screen_stack[-2].query_one("#log-info", Static)
        for colour in ("red", "green", "blue"):  # a repaint, not a layout
            label.styles.background = colour
            await until(pilot, lambda: asked, what="the change passed up to the dialog")
            assert {row for region in asked for row in region.line_range} == {label.region.y}
            asked.clear()


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
