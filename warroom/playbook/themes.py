"""Theme files: `themes/*.toml` read and checked, without Textual.

A theme file names the base colours Textual derives its palette from and the semantic
colours warroom's widgets use (severity P0–P3, health states), so no widget names a colour:

    dark = true
    [colors]
    primary = "#4a9eff"      # required; secondary, accent, warning, error, success,
                             # foreground, background, surface, panel, boost optional
    [variables]
    severity-p0 = "#ff4d5e"  # all of SEMANTIC required
    block-cursor-text-style = "bold reverse"   # a few of Textual's own, optional

The theme's name is the file's stem. A broken file is one `ThemeError` naming the file, the
line and the problem; `load_themes` turns each into a warning and goes on without it. The
UI turns a `ThemeSpec` into a Textual theme (`warroom.ui.theming`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from warroom.playbook.toml_lines import KeyPath, locate

DEFAULT_THEME = "dark"
"""The theme used when nothing names one, or the one named is not there."""

SEVERITY_VARIABLES = ("severity-p0", "severity-p1", "severity-p2", "severity-p3")
HEALTH_VARIABLES = (
    "health-up",
    "health-degraded",
    "health-down",
    "health-unknown",
    "health-stale",
)
SEMANTIC = SEVERITY_VARIABLES + HEALTH_VARIABLES
"""The colours every theme names, as CSS variables (`$severity-p0`)."""

BASE_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
"""Textual's base colours; the rest of its palette is derived from them."""

TEXTUAL_COLOUR_VARIABLES = (
    "block-cursor-background",
    "block-cursor-foreground",
    "footer-key-foreground",
    "footer-background",
    "input-selection-background",
)
TEXTUAL_STYLE_VARIABLES = ("block-cursor-text-style", "button-focus-text-style")
"""Textual's own variables a theme may set too: colours, and text styles (for themes that
mark the cursor by reverse video rather than colour)."""

TEXT_STYLES = frozenset({"bold", "italic", "reverse", "underline", "strike", "dim", "none"})
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_TOP_KEYS = ("dark", "colors", "variables")


class ThemeError(Exception):
    """One problem with a theme file, as `PATH:LINE: what is wrong`."""


class ThemeSpec(NamedTuple):
    """One theme as its file says it."""

    name: str
    path: Path
    dark: bool
    colours: dict[str, str]
    """Base colours by name (`primary` always)."""
    variables: dict[str, str]
    """Every `SEMANTIC` colour, and any of Textual's variables the file sets."""


def read_theme(path: Path) -> ThemeSpec:
    """The theme in `path`; ThemeError for the first problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeError(f"{path}:1: cannot read the theme: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+)", str(error))
        line = match.group(1) if match else "1"
        raise ThemeError(f"{path}:{line}: invalid TOML: {error}") from None

    def fail(where: KeyPath, message: str) -> ThemeError:
        lines = locate(text)  # only to name the line of a problem
        line = lines.get(where) or lines.get(where[:1]) or 1
        return ThemeError(f"{path}:{line}: {message}")

    for key in data:
        if key not in _TOP_KEYS:
            raise fail((key,), f"unknown key {key!r} (a theme has {', '.join(_TOP_KEYS)})")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise fail(("dark",), "dark must be true or false")
    colours = _table(data, "colors", fail)
    for name, value in colours.items():
        if name not in BASE_COLOURS:
            raise fail(("colors", name), f"unknown colour {name!r}")
        _check_colour(("colors", name), value, fail)
    if "primary" not in colours:
        raise fail(("colors",), "colors.primary is required")
    variables = _table(data, "variables", fail)
    for name, value in variables.items():
        where = ("variables", name)
        if name in TEXTUAL_STYLE_VARIABLES:
            if not isinstance(value, str) or not set(value.split()) <= TEXT_STYLES or not value:
                raise fail(where, f"{name} must be words from {', '.join(sorted(TEXT_STYLES))}")
        elif name in SEMANTIC or name in TEXTUAL_COLOUR_VARIABLES:
            _check_colour(where, value, fail)
        else:
            raise fail(where, f"unknown variable {name!r}")
    missing = [name for name in SEMANTIC if name not in variables]
    if missing:
        raise fail(("variables",), f"variables {', '.join(missing)} are missing")
    return ThemeSpec(path.stem, path, dark, colours, variables)


def _table(data: dict[str, Any], key: str, fail: Any) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise fail((key,), f"{key} must be a table ([{key}])")
    return table


def _check_colour(where: KeyPath, value: object, fail: Any) -> None:
    if not isinstance(value, str) or _COLOUR.fullmatch(value) is None:
        shown = repr(value)
        raise fail(where, f"{'.'.join(map(str, where))}: {shown} is not a colour like '#1e90ff'")


class LoadedThemes(NamedTuple):
    themes: tuple[ThemeSpec, ...]
    """In the order found; a later one of the same name (a user's) replaces an earlier one."""
    warnings: tuple[str, ...]
    """One per broken file, `PATH:LINE: problem`."""
    broken: frozenset[str] = frozenset()
    """The names (file stems) of the broken files: wanting one is already warned about."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(theme.name for theme in self.themes)


def load_themes(folders: Iterable[Path]) -> LoadedThemes:
    """Every `*.toml` in `folders` (missing folders skipped), later folders winning."""
    found: dict[str, ThemeSpec] = {}
    warnings: list[str] = []
    broken: set[str] = set()
    for folder in folders:
        try:
            paths = sorted(folder.glob("*.toml"))
        except OSError as error:
            warnings.append(f"{folder}: cannot list themes: {error}")
            continue
        for path in paths:
            try:
                theme = read_theme(path)
            except ThemeError as error:
                warnings.append(str(error))
                broken.add(path.stem)
                continue
            found.pop(theme.name, None)
            found[theme.name] = theme
    return LoadedThemes(tuple(found.values()), tuple(warnings), frozenset(broken - set(found)))


def choose_theme(loaded: LoadedThemes, *wanted: str | None) -> tuple[str, str | None]:
    """The first of `wanted` (most to least specific: the command line, the user's last
    choice, the playbook) that loaded, else DEFAULT_THEME; and a warning naming a wanted
    theme that is not there (none for a broken file's: its own warning said it)."""
    names = set(loaded.names)
    warning = None
    for name in wanted:
        if name is None:
            continue
        if name in names:
            return name, warning
        if warning is None and name not in loaded.broken:
            warning = f"No theme {name!r}; themes: {', '.join(sorted(names))}."
    return DEFAULT_THEME, warning


REMEMBERED_FILE = "theme"
"""In the user's config folder: the theme last chosen in the palette, one line."""


def remembered_theme(config_dir: Path) -> str | None:
    """The theme the user last chose, if one was remembered and can be read."""
    try:
        name = (config_dir / REMEMBERED_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None


def remember_theme(config_dir: Path, name: str) -> None:
    """Remember `name` as the user's theme (blocking: call it off the event loop)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / REMEMBERED_FILE).write_text(name + "\n", encoding="utf-8")


class Looks(NamedTuple):
    """How the war room is drawn: the themes found, the one to start with, and colour."""

    themes: LoadedThemes
    theme: str = DEFAULT_THEME
    no_color: bool = False
    """`--no-color` (NO_COLOR in the environment works as well): no colour on screen at all."""
    warnings: tuple[str, ...] = ()
    """Shown once the war room is up: broken theme files, a wanted theme not found."""
    config_dir: Path | None = None
    """Where the palette's choice of theme is remembered; None: it is not."""


def shipped_looks() -> Looks:
    """The shipped themes, the default one, nothing remembered (tests, and the fallback)."""
    from warroom.resources import themes_dir

    return Looks(load_themes([themes_dir()]))
