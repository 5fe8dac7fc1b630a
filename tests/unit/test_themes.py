"""Theme files: the shipped ones, a broken one reported by file and line, which theme is
chosen, and the user's choice remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.playbook.themes import (
    DEFAULT_THEME,
    SEMANTIC,
    ThemeError,
    choose_theme,
    load_themes,
    read_theme,
    remember_theme,
    remembered_theme,
)
from warroom.resources import themes_dir

GOOD = """\
dark = false

[colors]
primary = "#336699"

[variables]
""" + "".join(f'{name} = "#808080"\n' for name in SEMANTIC)


def test_the_shipped_themes_load_and_each_names_every_semantic_colour() -> None:
    loaded = load_themes([themes_dir()])
    assert loaded.warnings == ()
    assert set(loaded.names) >= {"dark", "light", "high-contrast", "monochrome"}
    assert DEFAULT_THEME in loaded.names
    for theme in loaded.themes:
        assert set(SEMANTIC) <= set(theme.variables), theme.name
    assert {t.name: t.dark for t in loaded.themes}["light"] is False


def test_the_monochrome_theme_has_no_hue() -> None:
    monochrome = read_theme(themes_dir() / "monochrome.toml")
    for value in (*monochrome.colours.values(), *monochrome.variables.values()):
        if value.startswith("#"):
            assert value[1:3] == value[3:5] == value[5:7], value


@pytest.mark.parametrize(
    ("change", "line", "problem"),
    [
        (('primary = "#336699"', 'primary = "blue-ish"'), 4, "is not a colour like"),
        (('severity-p2 = "#808080"\n', ""), 6, "severity-p2 are missing"),
        (("dark = false", "dark = maybe"), 1, "invalid TOML"),
        (("[colors]", "shade = 3\n[colors]"), 3, "unknown key 'shade'"),
        (('health-up = "#808080"', 'health-upp = "#808080"'), 11, "unknown variable"),
    ],
)
def test_a_broken_theme_is_one_problem_naming_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, problem: str
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ThemeError) as raised:
        read_theme(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert problem in message


def test_a_broken_file_is_a_warning_and_the_default_is_used(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(GOOD.replace('"#336699"', '"#33"'), encoding="utf-8")
    loaded = load_themes([themes_dir(), tmp_path])
    assert len(loaded.warnings) == 1 and loaded.warnings[0].startswith(f"{tmp_path}/broken.toml:4:")
    assert "broken" not in loaded.names
    # Wanted, it is the default, and no second warning for the same file.
    assert choose_theme(loaded, "broken") == (DEFAULT_THEME, None)


def test_a_user_theme_is_added_and_replaces_a_shipped_one_of_its_name(tmp_path: Path) -> None:
    (tmp_path / "light.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "solar.toml").write_text(GOOD, encoding="utf-8")
    loaded = load_themes([themes_dir(), tmp_path, tmp_path / "missing"])
    assert loaded.warnings == ()
    light = next(t for t in loaded.themes if t.name == "light")
    assert light.path == tmp_path / "light.toml"
    assert "solar" in loaded.names


def test_the_most_specific_theme_asked_for_wins() -> None:
    loaded = load_themes([themes_dir()])
    assert choose_theme(loaded, None, None, None) == (DEFAULT_THEME, None)
    assert choose_theme(loaded, "light", "monochrome", "high-contrast") == ("light", None)
    assert choose_theme(loaded, None, "monochrome", "light") == ("monochrome", None)
    assert choose_theme(loaded, None, None, "high-contrast") == ("high-contrast", None)
    name, warning = choose_theme(loaded, None, "gone", "light")
    assert name == "light" and warning is not None and "'gone'" in warning


def test_the_users_choice_is_remembered(tmp_path: Path) -> None:
    config = tmp_path / "config" / "warroom"
    assert remembered_theme(config) is None
    remember_theme(config, "light")
    assert remembered_theme(config) == "light"
