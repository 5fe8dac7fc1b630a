"""How the war room will look: the themes found, the one to use, colour or none.

The shipped `themes/` and the user's own (`themes/` in the user config folder, which win on
a name both have) are read before the screen starts; `--theme NAME` that names no theme is
bad input, while a broken file or a theme the playbook or the last run named and that is not
there is a warning on screen, and the default theme.
"""

from __future__ import annotations

from warroom.cli.options import CommandError, Options
from warroom.playbook.themes import Looks, choose_theme, load_themes, remembered_theme
from warroom.resources import themes_dir


def looks_for(options: Options, playbook_theme: str = "") -> Looks:
    """The looks `options` and the playbook's `[settings] theme` ask for; CommandError for a
    `--theme` that names no theme."""
    from platformdirs import user_config_path

    config_dir = user_config_path("warroom", appauthor=False)
    loaded = load_themes([themes_dir(), config_dir / "themes"])
    wanted = options.theme
    if wanted is not None and wanted not in loaded.names:
        broken = [w for w in loaded.warnings if wanted in loaded.broken]
        if broken:
            raise CommandError(f"--theme {wanted}: {broken[0]}")
        names = ", ".join(sorted(loaded.names))
        raise CommandError(f"--theme {wanted}: there is no such theme (themes: {names}).")
    name, warning = choose_theme(
        loaded, wanted, remembered_theme(config_dir), playbook_theme or None
    )
    warnings = (*loaded.warnings, *([warning] if warning else []))
    return Looks(loaded, name, options.no_color, tuple(warnings), config_dir)
