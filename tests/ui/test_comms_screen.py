"""The comms screen: preview, the form for missing placeholders, copy, cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from tests.support.comms import NOW, incident_with_fields
from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.incident import comms
from warroom.playbook import Playbook, load_playbook
from warroom.ui.screens.comms import CommsCopied, CommsScreen
from warroom.ui.screens.comms_publish import CommsPublished
from warroom.ui.screens.confirm import ConfirmScreen


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(SHIPPED_PLAYBOOK)


class Host(App[None]):
    """Pushes one CommsScreen and keeps what it answered."""

    def __init__(self, screen: CommsScreen) -> None:
        super().__init__()
        self._comms = screen
        self.results: list[CommsCopied | CommsPublished | None] = []
        self.answered = asyncio.Event()

    def on_mount(self) -> None:
        self.push_screen(self._comms, self._answer)

    def _answer(self, result: CommsCopied | CommsPublished | None) -> None:
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


def shown_fields(app: Host) -> list[str | None]:
    """The ids of the text boxes on screen (the fields filled before are hidden until `e`)."""
    return [
        field.id
        for field in app.screen.query(Input)
        if field.parent is not None and field.parent.display
    ]


async def wait_for_result(app: Host) -> CommsCopied | None:
    await asyncio.wait_for(app.answered.wait(), timeout=10)
    result = app.results[0]
    assert not isinstance(result, CommsPublished)  # these screens offer no publishing
    return result


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
    app = Host(screen_for(playbook, tmp_path, "email", resolved=True, impact="No sign-ins."))
    async with app.run_test(size=(100, 50)) as pilot:
        assert shown_fields(app) == ["field-resolution", "field-prevention"]
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


def preview_of(app: Host) -> str:
    return str(app.screen.query_one("#comms-text", Static).render())


async def replace_text(pilot: Pilot[None], text: str) -> None:
    """Empty the focused text box and type `text`, as a person corrects a value."""
    await pilot.press("end", "ctrl+u", *text)


async def test_a_field_set_once_is_corrected_in_the_preview_and_the_copy_is_the_preview(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "identified", cause="an expired key"))
    async with app.run_test(size=(80, 24)) as pilot:
        # Nothing to fill: the copy button has the focus, and `e` opens the filled fields.
        assert shown_fields(app) == [] and "Cause: an expired key\n" in preview_of(app)
        assert "e: edit fields" in str(app.screen.query_one("#comms-actions Label").render())
        await pilot.press("e")
        assert shown_fields(app) == ["field-description", "field-cause"]
        assert app.screen.query_one("#field-description", Input).has_focus
        await pilot.press("tab")
        assert app.screen.query_one("#field-cause", Input).value == "an expired key"
        await replace_text(pilot, "a DNS change at the edge")
        shown = preview_of(app)
        assert "Cause: a DNS change at the edge\n" in shown
        await pilot.press("enter")  # the last field: copies
        result = await wait_for_result(app)
    assert result is not None and result.renamed is None
    assert result.typed == {"cause": "a DNS change at the edge"}
    assert app.clipboard == shown == result.text
    assert result.report.file is not None
    assert result.report.file.read_text(encoding="utf-8") == shown
    assert [(new.kind, dict(new.payload)) for new in result.events()] == [
        ("field.set", {"name": "cause", "value": "a DNS change at the edge"}),
        ("comms.copied", {"template": "identified", "text": shown, "via": "osc52+file"}),
    ]


async def test_correcting_the_description_renames_the_incident(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "investigating"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e")
        assert str(app.screen.query_one("#comms-form Label").render()) == "title (renames):"
        await replace_text(pilot, "Sign-ins fail for SSO users")
        assert "reports of Sign-ins fail for SSO users." in preview_of(app)
        await pilot.press("enter")
        result = await wait_for_result(app)
    assert result is not None
    assert result.renamed == "Sign-ins fail for SSO users" and result.typed == {}
    assert [new.kind for new in result.events()] == ["incident.renamed", "comms.copied"]
    assert "reports of Sign-ins fail for SSO users." in app.clipboard


async def test_an_emptied_field_is_a_hole_again_and_is_not_copied(
    playbook: Playbook, tmp_path: Path
) -> None:
    app = Host(screen_for(playbook, tmp_path, "identified", cause="an expired key"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e", "tab", "end", "ctrl+u")
        assert "⟨cause⟩" in preview_of(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and app.clipboard == ""
        assert app.screen.query_one("#field-cause", Input).has_focus


async def test_the_resolved_text_warns_while_the_incident_is_open_and_copying_asks(
    playbook: Playbook, tmp_path: Path
) -> None:
    link = {"postmortem_link": "https://example.com/pm/1"}
    app = Host(screen_for(playbook, tmp_path, "resolved", **link))
    async with app.run_test(size=(80, 24)) as pilot:
        comms_screen = app.screen
        warning = comms_screen.query_one("#comms-warning", Label)
        assert warning.display and warning.region.height == 1
        assert str(warning.render()) == (
            "⚠ NOT YET: INC-1 is still open: this text says the incident is resolved."
        )
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is comms_screen and app.results == [] and app.clipboard == ""
        await pilot.press("c", "y")
        result = await wait_for_result(app)
    assert result is not None and result.text == app.clipboard
    assert app.clipboard.startswith("✅ This incident has been resolved.")


async def test_the_resolved_text_of_a_resolved_incident_copies_without_a_warning(
    playbook: Playbook, tmp_path: Path
) -> None:
    link = {"postmortem_link": "https://example.com/pm/1"}
    app = Host(screen_for(playbook, tmp_path, "resolved", resolved=True, **link))
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.query("#comms-warning")
        await pilot.press("c")
        result = await wait_for_result(app)
    assert result is not None and result.text == app.clipboard
