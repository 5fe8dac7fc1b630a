"""User patterns run in linear time: the ones `re` would backtrack on for ever return at once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest

from warroom.logs.filter import FilterError, FilterSpec
from warroom.patterns import LineMatcher, PatternError, check_pattern

CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(\\w+\\s?)+$", "(a*)*b"]
"""Each takes `re` minutes to centuries to fail on the line below; RE2 microseconds."""
HOSTILE_LINE = "a" * 40 + "!"


def finishes_within(seconds: float, work: Callable[[], object]) -> bool:
    # A thread, because a pattern that backtracks holds the GIL's owner, not the clock.
    assert callable(work)
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(seconds)


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_a_catastrophic_pattern_filters_a_full_buffer_at_once(pattern: str) -> None:
    spec = FilterSpec(include=(pattern,))
    lines = [HOSTILE_LINE] * 100_000
    shown: list[int] = []
    assert finishes_within(
        2.0, lambda: shown.extend(spec.compile().select(lines, ["s"] * len(lines), 0))
    )
    assert shown == []


def test_highlighting_a_catastrophic_pattern_returns_at_once() -> None:
    matcher = LineMatcher(["(a|aa)+$"], ignore_case=True)
    spans: list[tuple[int, int]] = []
    assert finishes_within(1.0, lambda: spans.extend(matcher.spans(HOSTILE_LINE)))
    assert spans == []


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?P<x>a)(?P=x)", "backreferences"),
        (r"error(?=\s)", "lookaround"),
        (r"(?<!health)check", "lookaround"),
        ("(unclosed", "missing )"),
    ],
)
def test_what_cannot_run_in_linear_time_is_refused_in_words(pattern: str, says: str) -> None:
    with pytest.raises(PatternError, match=re.escape(says)):
        check_pattern(pattern)
    with pytest.raises(FilterError, match=re.escape(says)):
        FilterSpec(include=(pattern,)).compile()


def test_the_unquoted_reason_never_holds_the_pattern() -> None:
    with pytest.raises(PatternError) as refused:
        check_pattern("s3cr3t-(")
    assert "s3cr3t" in str(refused.value) and "s3cr3t" not in refused.value.unquoted


@pytest.mark.parametrize(
    "patterns",
    [
        ["ERROR|timeout"],
        ["5\\d\\d", "^GET"],
        ["time.ut"],
        ["x+y", "b"],
        ["^$"],
        ["é"],
        ["[^a]"],
        ["GET", "/api"],
        ["timeout"],
        ["a|"],
    ],
)
@pytest.mark.parametrize("ignore_case", [True, False])
def test_lines_match_as_re_would_say(patterns: list[str], ignore_case: bool) -> None:
    lines = ["ERROR db", "GET /api 503", "timeout", "TimeOut", "", "xxy", "aaa", "É", "b", "a\tb"]
    expected = re.compile("|".join(f"(?:{p})" for p in patterns), re.I if ignore_case else 0)
    matcher = LineMatcher(patterns, ignore_case=ignore_case)
    assert matcher.matching(lines) == [bool(expected.search(line)) for line in lines]
    # One line never matches across its neighbour, also when joined for RE2.
    assert LineMatcher(["a\\sb"], ignore_case=False).matching(["a", "b"]) == [False, False]
