"""Colour in a real terminal: the war room drawn in its theme's colours, and under NO_COLOR
or `--no-color` with no colour code at all, read back from tmux with its attributes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.support.tmux import Tmux

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
TITLES = ("╭─ 1 Health", "╭─ 2 Logs", "╭─ 3 Checklist", "╭─ 4 Timeline")


def colour_codes(screen: str) -> list[str]:
    """The SGR parameters on screen that set a colour (39 and 49, the terminal's own default
    colours, set none)."""
    found = []
    for params in SGR.findall(screen):
        codes = [int(code) for code in re.split(r"[;:]", params) if code]
        for code in codes:
            if 30 <= code <= 38 or 40 <= code <= 48 or 90 <= code <= 97 or 100 <= code <= 107:
                found.append(params)
                break
    return found


def run_demo(
    tmux: Tmux,
    tmp_path: Path,
    *args: str,
    no_color_env: bool,
    term: str = "xterm-256color",
    lang: str = "C.UTF-8",
) -> str:
    """The demo at 100×30 once its four regions are drawn: the screen with its attributes."""
    environment = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "LANG": lang,
    }
    # The tmux server inherits the suite's NO_COLOR; each run says whether it has one.
    unset = ["-u", "COLUMNS", "-u", "LINES", "-u", "NO_COLOR", "-u", "COLORTERM", "-u", "LC_ALL"]
    # tmux gives its panes TERM=tmux-256color whatever the session's environment says.
    command = ["env", *unset, f"TERM={term}", *(["NO_COLOR=1"] if no_color_env else [])]
    command += [sys.executable, "-m", "warroom", "demo", *args]
    env_args = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
    tmux.run("new-session", "-d", "-s", "war", "-x", "100", "-y", "30", *env_args, *command)
    tmux.wait_for(lambda s: all(t in s for t in TITLES) and "Detection" in s, what="regions")
    return tmux.run("capture-pane", "-e", "-p", "-t", "war")


def test_the_theme_draws_in_colour(tmux: Tmux, tmp_path: Path) -> None:
    screen = run_demo(tmux, tmp_path, no_color_env=False)
    assert len(colour_codes(screen)) > 10


@pytest.mark.parametrize(("args", "no_color_env"), [(("--no-color",), False), ((), True)])
def test_no_color_leaves_no_colour_code_on_screen(
    tmux: Tmux, tmp_path: Path, args: tuple[str, ...], no_color_env: bool
) -> None:
    screen = run_demo(tmux, tmp_path, *args, no_color_env=no_color_env)
    assert colour_codes(screen) == []
    # Still readable: the states are words and marks, emphasis is bold and reverse video.
    assert "▶" in screen or "!" in screen
    assert any(params for params in SGR.findall(screen) if "7" in params.split(";"))


def test_a_16_colour_terminal_in_the_c_locale_gets_16_colours_and_every_state(
    tmux: Tmux, tmp_path: Path
) -> None:
    run_demo(tmux, tmp_path, no_color_env=False, term="xterm", lang="C")
    tmux.wait_for(lambda s: "✓ up" in s, what="the first health answers")
    screen = tmux.run("capture-pane", "-e", "-p", "-t", "war")
    codes = colour_codes(screen)
    assert codes  # in colour, and only in the 16 a plain xterm has: no 256-colour or RGB codes
    assert not [params for params in codes if re.search(r"(^|;)[34]8[;:][25]", params)]
    text = SGR.sub("", screen)
    assert "✓ up" in text and "▶Detection" in text  # marks beside the colours, in UTF-8
