"""Untrusted text made into Markdown that GitHub renders as the same text, never as structure.

A log line, a note or a root cause typed by someone can hold `#`, `<script>`, `[x](y)`, a
line of `---` or a run of backticks; in the post-mortem each must read as written and none
may open a heading, a link, HTML, a list or a code block of its own. Escape sequences are
dropped first (`safetext.message_text`), so nothing reaches a terminal that `cat`s the file.
"""

from __future__ import annotations

import re

from warroom.safetext import message_text, visible

# Every ASCII punctuation that can start or end an inline construct on GitHub; CommonMark
# makes a backslash before any ASCII punctuation a literal, so escaping more never hurts.
_INLINE = str.maketrans({char: "\\" + char for char in "\\`*_[]<>|~#&!$"})
# What opens a block at the start of a line once `_INLINE` has run: a list, a quote, a
# setext underline, an ordered list ("1." / "1)").
_BLOCK_START = re.compile(r"^([-+=>:]|\d+(?=[.)]))")
_LIST_ITEM = re.compile(r"^[-*]\s+")


def _line(text: str) -> str:
    escaped = text.translate(_INLINE)
    match = _BLOCK_START.match(escaped)
    if match is None:
        return escaped
    if match.group(1)[0].isdigit():
        end = match.end()
        return f"{escaped[:end]}\\{escaped[end:]}"
    return "\\" + escaped


def _lines(text: str) -> list[str]:
    # Leading spaces would make an indented code block; blank lines are paragraph breaks.
    return [line.strip() for line in message_text(text).splitlines() if line.strip()]


def inline(text: str) -> str:
    """`text` as Markdown that renders as that text; its lines joined by hard line breaks."""
    return "\\\n".join(_line(line) for line in _lines(text))


def block(text: str) -> str:
    """A section a person wrote: its `- ` lines as a list, the other lines as paragraphs."""
    groups: list[tuple[bool, list[str]]] = []
    for line in _lines(text):
        item = _LIST_ITEM.match(line)
        rendered = "- " + _line(line[item.end() :]) if item else _line(line)
        if groups and groups[-1][0] == bool(item):
            groups[-1][1].append(rendered)
        else:
            groups.append((bool(item), [rendered]))
    return "\n\n".join(("\n" if is_list else "\\\n").join(lines) for is_list, lines in groups)


def fenced(text: str) -> str:
    """`text` verbatim in a code block whose fence no run of backticks in it can close;
    control characters other than line breaks are shown as visible stand-ins
    (`safetext.visible`)."""
    shown = "\n".join(visible(line, limit=None) for line in text.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{shown}\n{fence}"
