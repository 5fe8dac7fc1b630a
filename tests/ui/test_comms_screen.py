"""The comms screen: preview, the form for missing placeholders, copy, cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, Static

from tests.support.comms import NOW, incident_with_fields
from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.incident import comms
from warroom.playbook import Playbook, load_playbook
from warroom.ui.screens.comms import CommsCopied, CommsScreen


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(SHIPPED_PLAYBOOK)


class Host(App[None]):
    """Pushes one CommsScreen and keeps what it answered."""

    def __init__(self, screen: CommsScreen) -> None:
        super().__init__()
        self._comms = screen
        self.results: list[CommsCopied | None] = []
        self.answered = asyncio.Event()

    def on_mount(self) -> None:
        self.push_screen(self._comms, self._answer)

    def _answer(self, result: CommsCopied | None) -> None:
        self.results.append(result)
        self.answered.set()


def screen_for(playbook: Playbook, tmp_path: Path, template: str, **fields: Any) -> CommsScreen:
    return CommsScreen(
        playbook=playbook,
        state=incident_with_fields(playbook, **fields),
        template_name=template,
        now=NOW,
        fallback_dir=tmp_path,
        local=None,  # the developer's own clipboard stays untouched
    )


async def wait_for_result(app: Host) -> CommsCopied | None:
    await asyncio.wait_for(app.answered.wait(), timeout=10)
    return app.results[0]


async def test_c_copies_the_exact_text_into_the_app_clipboard(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "investigating"))
    expected = comms.status_text(incident_with_fields(playbook), playbook, "investigating", now=NOW)
    async with app.run_test(size=(100, 40)) as pilot:
        assert str(app.screen.query_one("#comms-text", Static).render()) == expected
        await pilot.press("c")
        result = await wait_for_result(app)
    assert app.clipboard == expected
    assert result is not None
    assert result.text == expected
    assert result.template == "investigating"
    assert result.typed == {}
    # No local clipboard in the test: OSC 52 was sent and the file kept the text.
    assert result.report.via == "osc52+file"
    assert result.report.file is not None
    assert result.report.file.read_text(encoding="utf-8") == expected


async def test_a_missing_field_is_prompted_and_typed_value_is_copied(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "identified"))
    async with app.run_test(size=(100, 40)) as pilot:
        field = app.screen.query_one("#field-cause", Input)
        assert field.has_focus
        assert "⟨cause⟩" in str(app.screen.query_one("#comms-text", Static).render())
        # Copying with the hole still open does nothing but point at it.
        await pilot.click("#comms-copy")
        await pilot.pause()
        assert app.results == []
        assert app.clipboard == ""
        await pilot.press(*"a [red]bad[/] cert")
        assert "Cause: a [red]bad[/] cert\n" in str(
            app.screen.query_one("#comms-text", Static).render()
        )
        await pilot.press("enter")
        result = await wait_for_result(app)
    assert result is not None
    assert result.typed == {"cause": "a [red]bad[/] cert"}
    assert "Cause: a [red]bad[/] cert\n" in app.clipboard
    assert result.text == app.clipboard
    assert "⟨" not in result.text


async def test_email_form_walks_through_every_empty_field(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "email", impact="No sign-ins."))
    async with app.run_test(size=(100, 50)) as pilot:
        names = [field.id for field in app.screen.query(Input)]
        assert names == ["field-resolution", "field-prevention"]
        await pilot.press(*"Rotated the key", "enter")
        assert app.screen.query_one("#field-prevention", Input).has_focus
        await pilot.press(*"Expiry alert", "enter")
        result = await wait_for_result(app)
    assert result is not None
    assert result.typed == {"resolution": "Rotated the key", "prevention": "Expiry alert"}
    assert app.clipboard.startswith("Subject: [Resolved] Service Disruption on 1 May 2024\n")
    assert "Impact:\nNo sign-ins.\n\nResolution:\nRotated the key\n" in app.clipboard


async def test_escape_cancels_without_copying(playbook: Playbook, tmp_path: Path) -> None:
    app = Host(screen_for(playbook, tmp_path, "investigating"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape")
        assert await wait_for_result(app) is None
    assert app.clipboard == ""
    assert list(tmp_path.iterdir()) == []


async def test_the_preview_is_exactly_what_is_sent_with_sequences_removed_whole(
    playbook: Playbook, tmp_path: Path
) -> None:
    hostile = "db\x1b[2Jdown \x1b]52;c;SGFjaw==\x07 👩\u200d💻 \u202e!"
    app = Host(screen_for(playbook, tmp_path, "investigating", description=hostile))
    async with app.run_test(size=(100, 40)):
        shown = str(app.screen.query_one("#comms-text", Static).render())
    state = incident_with_fields(playbook, description=hostile)
    sent = comms.status_text(state, playbook, "investigating", now=NOW)
    assert "dbdown  👩\u200d💻 !" in shown and shown == sent
    assert "\x1b" not in shown and "52;c" not in shown
    assert "\x1b" not in shown


def test_unknown_template_is_refused_before_the_screen_exists(
    playbook: Playbook, tmp_path: Path
) -> None:
    with pytest.raises(comms.UnknownTemplate):
        screen_for(playbook, tmp_path, "apology")
