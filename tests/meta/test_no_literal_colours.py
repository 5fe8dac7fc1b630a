"""No widget, CSS or Rich style in `warroom/` names a colour: colours come from the theme
(`$primary`, `$severity-p0`, `$health-down`, …), so every theme and NO_COLOR apply to all of
it. A style in code is a component class, or bold / italic / reverse alone."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.color import ANSI_COLOR_NAMES
from textual._color_constants import COLOR_NAME_TO_RGB

from tests.support.paths import REPO

PACKAGE = REPO / "warroom"
COLOUR_NAMES = (set(ANSI_COLOR_NAMES) | set(COLOR_NAME_TO_RGB)) - {"transparent"}
STYLE_WORDS = {"bold", "italic", "underline", "dim", "reverse", "strike", "blink", "not", "on"}
LITERAL_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(|\bansi_\w+")
DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+)")
COLOUR_CALL = re.compile(
    r"\bColor\(\s*\d|\bColor\.parse\(\s*[\"']|\bStyle\([^)]*\b(?:bg)?color=[\"']"
)


def named_colours(value: str) -> list[str]:
    words = re.findall(r"[A-Za-z_][\w-]*", value)
    found = [w for w in words if w.lower() in COLOUR_NAMES]
    return found + LITERAL_COLOUR.findall(value)


def css_problems(css: str) -> Iterator[str]:
    for _prop, value in DECLARATION.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)):
        # `$primary` and other variables are the theme's; only what is left names a colour.
        named = named_colours(re.sub(r"\$[\w-]+", "", value))
        if named:
            yield f"{value.strip()!r} names {named}"


def style_problems(text: str) -> Iterator[str]:
    words = text.split()
    if not words or not all(
        w.lower() in STYLE_WORDS | COLOUR_NAMES or LITERAL_COLOUR.fullmatch(w) for w in words
    ):
        return
    named = named_colours(text)
    if named:
        yield f"style {text!r} names {named}"


def strings(source: str) -> Iterator[tuple[int, str]]:
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                value = token.string  # an f-string: its text is what it styles with
            if isinstance(value, str):
                yield token.start[0], value


def problems(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    where = path.relative_to(REPO)
    if path.suffix == ".tcss":
        for problem in css_problems(source):
            yield f"{where}: {problem}"
        return
    for line, value in strings(source):
        is_css = "{" in value and ";" in value and ":" in value
        for problem in css_problems(value) if is_css else style_problems(value):
            yield f"{where}:{line}: {problem}"
    for number, text in enumerate(source.splitlines(), 1):
        if COLOUR_CALL.search(text):
            yield f"{where}:{number}: a colour made in code: {text.strip()}"


SHELL_OUTPUT = {PACKAGE / "cli" / "check.py"}
"""Printed to a shell, not drawn on the screen: Rich writes the terminal's own 16 colours
(its palette is the terminal's theme) and leaves them out under NO_COLOR by itself."""


def sources() -> list[Path]:
    found = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.tcss")]
    return sorted(path for path in found if path not in SHELL_OUTPUT)


def test_nothing_in_the_package_names_a_colour() -> None:
    found = [problem for path in sources() for problem in problems(path)]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'text.append(x, style="bold cyan")',
        'DEFAULT_CSS = "Foo { color: red; }"',
        'DEFAULT_CSS = "Foo { background: #ff0000 50%; }"',
        'Style(color="yellow")',
        "Color(255, 0, 0)",
    ],
)
def test_the_check_sees_a_colour_named_in_code_or_css(tmp_path: Path, source: str) -> None:
    planted = PACKAGE / "ui" / "_planted_colour_for_test.py"
    planted.write_text(source + "\n", encoding="utf-8")
    try:
        assert list(problems(planted)) != []
    finally:
        planted.unlink()


def test_theme_variables_and_plain_styles_pass() -> None:
    clean = (
        'DEFAULT_CSS = "Foo { color: $health-down; background: $error 30%; '
        'text-style: bold reverse; border: round $primary; }"\n'
        'line.append(text, "bold reverse")\n'
    )
    assert [p for _line, v in strings(clean) for p in css_problems(v)] == []
    assert [p for _line, v in strings(clean) for p in style_problems(v)] == []
