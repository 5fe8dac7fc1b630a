"""Theme files as Textual themes, the fallbacks of warroom's semantic colours, and NO_COLOR.

`warroom.playbook.themes` reads and checks the files; this only hands them to Textual. A
theme that is not warroom's (Textual's own, in the palette's theme switcher) gets the
semantic colours from its base ones.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.filter import Monochrome, NoColor
from textual.theme import Theme

from warroom.playbook.themes import ThemeSpec


def textual_theme(spec: ThemeSpec) -> Theme:
    colours = spec.colours
    return Theme(
        name=spec.name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=spec.dark,
        variables=dict(spec.variables),
    )


def semantic_fallbacks(theme: Theme) -> dict[str, str]:
    """The semantic colours of a theme that does not name them, from its base colours."""
    generated = theme.to_color_system().generate()
    error, warning = generated["error"], generated["warning"]
    muted = generated["foreground-darken-3"]
    return {
        "severity-p0": error,
        "severity-p1": warning,
        "severity-p2": generated["accent"],
        "severity-p3": generated["primary"],
        "health-up": generated["success"],
        "health-degraded": warning,
        "health-down": error,
        "health-unknown": muted,
        "health-stale": muted,
    }


NO_COLOR_CURSORS = {
    "block-cursor-text-style": "bold reverse",
    "block-cursor-blurred-text-style": "underline",
}
"""Textual's cursor styles under NO_COLOR, where the cursors' backgrounds are gone."""


def drop_colour(app: App[Any]) -> None:
    """No colour on screen from now on: every style keeps its bold, reverse and the like.

    Textual's own NO_COLOR handling turns colours into greys (its `Monochrome` filter) unless
    the theme is drawn in the terminal's ANSI colours; greys are still colour codes, so
    this filter takes every colour out instead, whichever asked: NO_COLOR or `--no-color`.
    """
    filters = [f for f in app._filters if not isinstance(f, Monochrome | NoColor)]
    app._filters[:] = [*filters, NoColor()]
    app.no_color = True
