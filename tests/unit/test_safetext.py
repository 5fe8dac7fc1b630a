from __future__ import annotations

import re

import pytest
from rich.console import Console

from warroom import safetext
from warroom.safetext import (
    SgrStripper,
    cut,
    decode,
    message_text,
    safe_text,
    strip_sgr,
    visible,
)


def test_escape_sequences_become_visible() -> None:
    osc52 = "\x1b]52;c;aGVsbG8=\x07"
    shown = visible(f"before {osc52} \x1b[2J\x1b]0;pwned\x07 after")
    assert "\x1b" not in shown and "\x07" not in shown
    assert "␛]52;c;aGVsbG8=␇" in shown
    assert "␛[2J" in shown


def test_nul_del_c1_and_bidi_controls_are_visible() -> None:
    shown = visible("a\x00b\x7fc\x9bd\u202ee\r")
    assert shown == "a␀b␡c<U+009B>d<U+202E>e␍"


def test_newline_and_tab_do_not_reach_the_terminal() -> None:
    assert visible("a\nb\tc") == "a␊b    c"


def test_long_text_is_cut_with_marker() -> None:
    shown = visible("x" * 1_000_000)
    assert shown.startswith("x" * 10_000)
    assert shown.endswith("[cut 990,000 chars]")
    assert len(shown) < 10_100
    assert visible("x" * 20, limit=None) == "x" * 20


def test_cut_keeps_short_text_and_marks_what_it_cut() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("abcd", 3) == "abc … [cut 1 chars]"
    assert cut("y" * 12_345, 10) == "y" * 10 + " … [cut 12,335 chars]"
    # visible() cuts the same way, before making control characters visible.
    assert visible("\x1b" * 5, limit=2) == "␛␛ … [cut 3 chars]"


def test_invalid_utf8_is_replaced() -> None:
    assert decode(b"ok \xff\xfe end") == "ok \ufffd\ufffd end"


def test_strip_sgr_keeps_other_sequences() -> None:
    assert strip_sgr("\x1b[2mts\x1b[0m [\x1b[1;35mx\x1b[0m]\x1b]0;t\x07") == "ts [x]\x1b]0;t\x07"


def test_markup_stays_literal_when_rendered() -> None:
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    with console.capture() as capture:
        console.print(safe_text("[bold red]boom[/] :smile: \x1b[31m"))
    out = capture.get()
    assert "[bold red]boom[/] :smile: ␛[31m" in out
    assert "\x1b[31m" not in out.replace("\x1b[0m", "")


def test_emoji_joined_by_zwj_stay_whole_on_screen() -> None:
    assert visible("👩\u200d💻 fixed it") == "👩\u200d💻 fixed it"
    assert visible("\u202eevil") == "<U+202E>evil"  # a direction override is still shown


def test_message_text_removes_sequences_whole() -> None:
    assert message_text("a\x1b]0;title\x1b\\b\x1b[1;31mc\x1b[0m\x9b2Jd") == "abcd"
    assert message_text("line\tone\nline two\x00") == "line    one\nline two"
    assert message_text("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f") == (
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    )


CHUNKS = (
    "\x1b[2mts\x1b[0m app [\x1b[34minfo\x1b[0m]ok\n\x1b[2mts\x1b[0m app [\x1b[31merror\x1b[0m]no",
    "plain, no escape at all\nsecond line",
    "\x1b[2mts\x1b[0m [\x1b[1;35mnew colour\x1b[0m] \x1b]0;title\x07 \x1b[2J kept",
    "\x1b[2mts\x1b[0m \x1b[34mseen before\x1b[0m\nbare \x1b[ 31m odd \x1b[0",
)


def test_a_streams_chunks_lose_their_colours_as_strip_sgr_does() -> None:
    stripper = SgrStripper()
    for chunk in CHUNKS * 2:
        assert stripper.plain(chunk) == strip_sgr(chunk)
        assert visible(stripper.plain(chunk)) == visible(strip_sgr(chunk))


class CountingPattern:
    """`safetext._SGR`, counting how often the regex runs."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.runs = 0

    def sub(self, replacement: str, text: str) -> str:
        self.runs += 1
        return self.pattern.sub(replacement, text)

    def findall(self, text: str) -> list[str]:
        self.runs += 1
        return self.pattern.findall(text)


def test_colours_seen_once_are_removed_without_the_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    fly = "\x1b[2m2026-01-01T00:00:00Z\x1b[0m app[1] \x1b[32miad\x1b[0m [\x1b[34minfo\x1b[0m]n={}"
    chunk = "\n".join(fly.format(i) for i in range(2_000))
    expected = strip_sgr(chunk)
    counting = CountingPattern(safetext._SGR)
    monkeypatch.setattr(safetext, "_SGR", counting)
    stripper = SgrStripper()
    assert stripper.plain(chunk) == expected
    runs = counting.runs
    for _ in range(10):  # later chunks of the same stream use the same colours
        assert stripper.plain(chunk) == expected
    assert stripper.plain("no escape here") == "no escape here"
    assert counting.runs == runs
