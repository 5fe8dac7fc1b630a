"""Patterns people type or write in the playbook, matched in time linear in the text.

Python's `re` backtracks: `(a+)+$` against `"a" * 40 + "!"` never returns, and a filter runs on
the event loop, so one pattern could freeze the war room for good. Every user pattern
(filters, presets, highlights) is therefore matched by RE2, which guarantees linear time and
refuses what it cannot match that way (backreferences, lookaround).

RE2 costs a few microseconds per call from Python, which would halve the log tail's ingest
rate if it were called per line. So a batch of lines is matched in one call over the lines
joined by newlines (RE2 told never to match a newline, so no match spans two lines), with
one Python step per matching line; words and their alternations (`GET`, `ERROR|timeout`,
several include words) are looked for with `str`'s own search, a pass over the lines in C per
word, whatever share of the lines match; and another single pattern without quantifiers or
groups (`5\\d\\d`, `^GET /api`), on which `re` has nothing to backtrack over, runs on `re` per
line, which is cheaper than RE2's step per match when most lines match.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Sequence
from itertools import repeat

import re2

_METACHARACTERS = frozenset("\\.^$*+?{}[]()")
_BACKTRACKING = frozenset("*+?{}()")


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why, in words."""

    def __init__(self, message: str, *, unquoted: str | None = None) -> None:
        super().__init__(message)
        self.unquoted = unquoted or message
        """The reason without any part of the pattern (which may hold a secret)."""


def _options(*, ignore_case: bool) -> re2.Options:
    options = re2.Options()
    # RE2 would print its errors to stderr, scribbling over a running full-screen app.
    options.log_errors = False
    options.never_capture = True
    options.never_nl = True
    options.case_sensitive = not ignore_case
    return options


def check_pattern(pattern: str, *, ignore_case: bool = True) -> None:
    """Raise `PatternError` if `pattern` cannot be matched in linear time (or is not valid)."""
    _compile(pattern, ignore_case=ignore_case)


def _compile(pattern: str, *, ignore_case: bool) -> re2._Regexp[str]:
    try:
        return re2.compile(pattern, _options(ignore_case=ignore_case))
    except re2.error as error:
        raise _explain(error) from None


def _explain(error: re2.error) -> PatternError:
    reason = error.args[0] if error.args else error
    detail = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    if detail in {f"invalid perl operator: {mark}" for mark in ("(?=", "(?!", "(?<=", "(?<!")}:
        return PatternError(
            "lookaround ((?=, (?!, (?<=, (?<!) is not supported: it cannot run in linear time"
        )
    if re.match(r"invalid escape sequence: \\[1-9]|invalid perl operator: \(\?P$", detail):
        return PatternError(
            "backreferences (\\1, (?P=name)) are not supported: they cannot run in linear time"
        )
    # RE2 says what is wrong, then quotes the part of the pattern where it broke.
    return PatternError(detail, unquoted=detail.split(":", 1)[0])


def _words(patterns: Sequence[str], ignore_case: bool) -> tuple[str, ...] | None:
    """The words to look for when every pattern is plain words joined by `|` (lower-cased
    when case is ignored, as the lines will be), None when any needs a regex."""
    words = [word for pattern in patterns for word in pattern.split("|")]
    if not all(words) or any(char in _METACHARACTERS for word in words for char in word):
        return None
    return tuple(word.lower() for word in words) if ignore_case else tuple(words)


def _on_re(patterns: Sequence[str], ignore_case: bool) -> re.Pattern[str] | None:
    """`re` for the one kind of pattern it matches faster than RE2, None for the others.

    A single alternative without a quantifier or a group is a fixed run of atoms, which `re`
    tries once per start: linear, and 1.5-4x faster than RE2 over the joined lines for a
    word like `timeout` (ASCII classes, as RE2's are; a literal is folded to lower case, the
    caller lower-cases the text, ~3x cheaper than IGNORECASE). With an alternation (`a|b`,
    or several patterns) `re` tries every alternative at every position and RE2's automaton
    wins 1.5-3.5x, so those go to RE2 (measured on 100k fly lines, bench/logtail.py).
    """
    if len(patterns) != 1 or "|" in patterns[0]:
        return None
    pattern = patterns[0]
    if not pattern or any(char in _BACKTRACKING for char in pattern):
        return None
    literal = not any(char in _METACHARACTERS for char in pattern)
    word = pattern.lower() if literal and ignore_case else pattern
    flags = re.ASCII | (re.IGNORECASE if ignore_case and not literal else 0)
    try:
        return re.compile(word, flags)
    except re.error:  # RE2 syntax that re lacks, e.g. \pL
        return None


class LineMatcher:
    """Any of several patterns, searched for in lines (one line never matches across another)."""

    def __init__(self, patterns: Sequence[str], *, ignore_case: bool) -> None:
        """Raises `PatternError` naming the first pattern that cannot be used."""
        if not patterns:
            raise ValueError("a LineMatcher needs at least one pattern")
        for pattern in patterns:
            try:
                check_pattern(pattern, ignore_case=ignore_case)
            except PatternError as error:
                raise PatternError(f"{pattern!r}: {error}", unquoted=error.unquoted) from None
        joined = "|".join(f"(?:{p})" for p in patterns) if len(patterns) > 1 else patterns[0]
        self._words = _words(patterns, ignore_case)
        self._on_re = None if self._words else _on_re(patterns, ignore_case)
        self._fold = ignore_case and (
            self._words is not None or (self._on_re is not None and not self._on_re.flags & re.I)
        )
        # A whole line from its start, so that one match per matching line is reported; as
        # bytes, because RE2's wrapper would encode a str again on every call.
        whole_line = f"(?m)^[^\n]*?(?:{joined})[^\n]*"
        self._lines = re2.compile(whole_line.encode(), _options(ignore_case=ignore_case))
        self._spans = _compile(joined, ignore_case=ignore_case)

    def matching(self, texts: Sequence[str]) -> list[bool]:
        """For each text, whether any pattern occurs in it."""
        if self._words is not None or self._on_re is not None:
            lines = list(map(str.lower, texts)) if self._fold else texts
        if self._words is not None:
            first, *others = self._words
            found = list(map(operator.contains, lines, repeat(first)))
            for word in others:  # one pass in C per word
                found = list(map(operator.or_, found, map(operator.contains, lines, repeat(word))))
            return found
        if self._on_re is not None:
            return list(map(bool, map(self._on_re.search, lines)))
        found = [False] * len(texts)
        blob = "\n".join(texts).encode("utf-8", "surrogatepass")
        if blob.count(b"\n") != len(texts) - 1:
            # A text holding a newline of its own: count it as one text, slowly.
            return [self._spans.search(text) is not None for text in texts]
        line = last = 0
        for match in self._lines.finditer(blob):
            start = match.start()
            line += blob.count(b"\n", last, start)
            last = start
            found[line] = True
        return found

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where the patterns occur in `text` (character offsets), for highlighting."""
        for match in self._spans.finditer(text):
            if match.end() > match.start():
                yield match.start(), match.end()
