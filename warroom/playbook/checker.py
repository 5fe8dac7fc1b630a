"""`Checker`: the problem list of one load, and the `${VAR}` expansion that shapes it.

Expansion and reporting live together because each decides the other: a string whose
`${VAR}` could not be expanded is reported once and never again, and a message about a
string that `${VAR}` filled names the reference instead of quoting the value (it may be a
secret). `Checker` is the `Reporter` every `toml_table.Table` of the load sends problems to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from warroom.playbook.toml_lines import KeyPath, locate
from warroom.playbook.toml_table import show

_ENV_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")


MIN_SECRET = 4
"""Shorter values (a port, a flag) are too common in other text to be masked."""


class Checker:
    """Collects every problem of one load with its line, and expands `${VAR}` on the way."""

    def __init__(self, path: Path, text: str, env: Mapping[str, str]) -> None:
        """`text`: the file as read, where a problem's line is looked for."""
        self.path = path
        self._text = text
        self.env = env
        self.problems: list[tuple[int, str]] = []
        """(line, message) pairs."""
        # Strings whose ${VAR} could not be expanded: already reported, and whatever else is
        # wrong with them follows from that.
        self.unexpanded: set[KeyPath] = set()
        # Strings into which ${VAR} put something, as the file wrote them and as expanded:
        # problems with them name the reference, never the value (it may be a secret).
        self.written: dict[KeyPath, tuple[str, str]] = {}
        self.secrets: set[str] = set()
        """Every value a `${VAR}` put into the playbook: masked wherever it would be shown."""

    @cached_property
    def lines(self) -> dict[KeyPath, int]:
        """Where each key is: scanned only once a line is asked for (a problem, a `[keys]`
        remap), not for every playbook that loads cleanly (~5 ms of each start)."""
        return locate(self._text)

    def problem(self, where: KeyPath, message: str) -> None:
        if where in self.unexpanded:
            return
        # The nearest enclosing thing the scanner saw: a key, else its table, else line 1.
        line = 1
        for end in range(len(where), 0, -1):
            if where[:end] in self.lines:
                line = self.lines[where[:end]]
                break
        self.problems.append((line, message))

    def expand(self, value: Any, where: KeyPath) -> Any:
        """Replace `${VAR}` in every string, reporting variables that are not set."""
        if isinstance(value, dict):
            return {key: self.expand(item, (*where, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.expand(item, (*where, index)) for index, item in enumerate(value)]
        if not isinstance(value, str):
            return value

        from_env = False

        def replace(match: re.Match[str]) -> str:
            nonlocal from_env
            if match.group(1):
                return match.group()[1:]
            name = match.group(2)
            if name not in self.env:
                self.problem(where, f"{show(where)}: environment variable {name} is not set")
                self.unexpanded.add(where)
                return match.group()
            from_env = True
            if len(self.env[name]) >= MIN_SECRET:
                self.secrets.add(self.env[name])
            return self.env[name]

        expanded = _ENV_REF.sub(replace, value)
        if from_env:
            self.written[where] = (value, expanded)
        return expanded

    def source(self, where: KeyPath, value: str) -> str | None:
        """How the file wrote `value`, found at or under `where` (an element of the list
        there), if `${VAR}` put any of it there; None when it is just as the file wrote it."""
        for path, (written, expanded) in self.written.items():
            if path[: len(where)] == where and expanded == value:
                return written
        return None


def references(written: str) -> list[re.Match[str]]:
    """The `${VAR}` references in a string as the file wrote it (not the `$${VAR}` escapes)."""
    return [match for match in _ENV_REF.finditer(written) if not match.group(1)]


def without_references(written: str) -> str:
    """A string as the file wrote it with every `${VAR}` dropped and `$${VAR}` unescaped:
    what the file itself says, whatever the environment holds."""
    return _ENV_REF.sub(lambda match: match.group()[1:] if match.group(1) else "", written)
