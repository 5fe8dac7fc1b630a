"""One instance of a screen for the whole run: the key help and the dialogs.

Textual keeps an installed screen when it is popped; pushed again, it is shown without
being composed, mounted, sized and laid out anew: most of what opening it cost (each
screen's docstring has its figures)."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.app import App
from textual.screen import Screen

from warroom.ui.screens.dialog import Dialog

S = TypeVar("S", bound=Screen[Any])
D = TypeVar("D", bound=Dialog[Any])


def reused(app: App[Any], kind: type[S]) -> S:
    """`app`'s one `kind` screen, made and installed (under the class's name) at the first
    call; the caller sets it up again before each push."""
    name = kind.__name__
    if not app.is_screen_installed(name):
        app.install_screen(kind(), name)
    screen = app.get_screen(name)
    assert isinstance(screen, kind)
    return screen


def reused_if_free(app: App[Any], kind: type[D]) -> D:
    """`app`'s one `kind` dialog (as `reused`), or a new one while that one is on screen or
    not yet put away. A dialog is put away after its answer's callback may have asked the
    same question again (a confirmation that leads to another): pushed before Textual has
    suspended it, the one instance would be suspended while on top."""
    screen = reused(app, kind)
    if screen.showing or screen in app.screen_stack:
        return kind()
    return screen
