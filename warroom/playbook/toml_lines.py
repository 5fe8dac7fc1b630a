"""Where things are in a TOML text: the line of every table, key and array element.

`tomllib` keeps no positions, so the playbook loader asks `locate` for them, to put a line
number on each problem it finds.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import tomllib

KeyPath = tuple[str | int, ...]
"""A location inside the parsed TOML: table names, keys and array indices."""


def locate(text: str) -> dict[KeyPath, int]:
    """Map each table, key and array element of a syntactically valid TOML text to its line.

    tomllib keeps no positions, so this re-scans the text just well enough to know where
    every header, key and array element starts (strings are skipped so that a `[word]`
    inside a multi-line template is never taken for a table header).
    """
    scanner = _Scanner(text)
    # A gap in this scanner must cost line numbers (problems fall back to an enclosing
    # table, or line 1), never a traceback instead of the problem list.
    with contextlib.suppress(ValueError, IndexError):
        scanner.run()
    return scanner.lines


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.newlines = [n for n, char in enumerate(text) if char == "\n"]
        self.lines: dict[KeyPath, int] = {}
        # Array-of-tables seen so far (by concrete path) -> how many elements they have.
        self.aot: dict[KeyPath, int] = {}

    def line(self) -> int:
        return bisect.bisect_left(self.newlines, self.i) + 1

    def record(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line())

    def peek(self, k: int = 1) -> str:
        return self.text[self.i : self.i + k]

    def skip_space(self, newlines: bool) -> None:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self.skip_space(newlines=False)
            char = self.peek()
            if char in ('"', "'"):
                start = self.i
                self.string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.i]}")["k"])
            else:
                match = re.compile(r"[A-Za-z0-9_-]+").match(self.text, self.i)
                if match is None:
                    return tuple(parts)
                parts.append(match.group())
                self.i = match.end()
            self.skip_space(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.i += 1

    def resolve(self, parts: tuple[str, ...], new_element: bool) -> KeyPath:
        path: KeyPath = ()
        for n, part in enumerate(parts):
            path = (*path, part)
            last = n == len(parts) - 1
            if path in self.aot and not (last and new_element):
                path = (*path, self.aot[path] - 1)
            # `[template.email]` also locates `template`, which has no header of its own.
            self.record(path)
        return path

    def run(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_space(newlines=True)
            if self.i >= len(self.text):
                return self.lines
            if self.peek(2) == "[[":
                self.i += 2
                parts = self.key()
                base = self.resolve(parts, new_element=True)
                index = self.aot.get(base, 0)
                self.aot[base] = index + 1
                self.record(base)
                table = (*base, index)
                self.record(table)
                self.i = self.text.index("]]", self.i) + 2
            elif self.peek() == "[":
                self.i += 1
                table = self.resolve(self.key(), new_element=False)
                self.record(table)
                self.i = self.text.index("]", self.i) + 1
            else:
                self.pair(table)

    def pair(self, table: KeyPath) -> None:
        path = (*table, *self.key())
        # `body.path = ".ok"` also locates `body`.
        for end in range(len(table) + 1, len(path) + 1):
            self.record(path[:end])
        self.skip_space(newlines=False)
        self.i += 1  # the "="
        self.skip_space(newlines=False)
        self.value(path)

    def string(self) -> None:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.i):
                end = _closing(text, quote, self.i + 3) + 3
                # Up to two extra quote characters may close the string (`""""` ends in `"`).
                while end < len(text) and text[end] == quote[0]:
                    end += 1
                self.i = end
                return
        self.i = _closing(text, text[self.i], self.i + 1) + 1

    def value(self, path: KeyPath) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_space(newlines=True)
                if self.peek() == "]":
                    self.i += 1
                    return
                element = (*path, index)
                self.record(element)
                self.value(element)
                self.skip_space(newlines=True)
                if self.peek() == ",":
                    self.i += 1
                index += 1
        elif char == "{":
            self.i += 1
            while True:
                self.skip_space(newlines=False)
                if self.peek() == "}":
                    self.i += 1
                    return
                self.pair(path)
                self.skip_space(newlines=False)
                if self.peek() == ",":
                    self.i += 1
        else:
            match = re.compile(r"[^,\]}\s#]+").match(self.text, self.i)
            if match is not None:
                self.i = match.end()
            # Datetimes may hold one space ("1979-05-27 07:32:00").
            if re.compile(r" \d").match(self.text, self.i):
                self.i += 1
                self.value(path)


def _closing(text: str, quote: str, start: int) -> int:
    """Where the string whose `quote` opened before `start` closes.

    A backslash escapes a quote only in basic strings (opened by double quotes); literal
    strings (single quotes) have no escapes.
    """
    end = text.index(quote, start)
    while quote[0] == '"' and _escaped(text, end):
        end = text.index(quote, end + 1)
    return end


def _escaped(text: str, index: int) -> bool:
    """True when the character at `index` is preceded by an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1
