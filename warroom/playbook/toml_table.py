"""One TOML table of the playbook being read, through typed getters that report problems.

The `sections_*` modules walk the parsed TOML with these; every problem goes to a `Reporter`
(`checker.Checker`), which puts a line number on it, so one run lists every problem in the file.

A message never quotes a value that `${VAR}` brought in from the environment (that is how
secrets get into the playbook): it names the value through `Table.shown`, which quotes what
the file wrote and names the reference for what the environment gave.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from warroom.playbook.durations import parse_duration
from warroom.playbook.toml_lines import KeyPath

REQUIRED: Any = object()
"""The default of a key that must be present."""


class Reporter(Protocol):
    """Where a `Table` sends its problems."""

    def problem(self, where: KeyPath, message: str) -> None: ...

    def source(self, where: KeyPath, value: str) -> str | None:
        """How the file wrote `value`, found at or under `where`, if `${VAR}` put any of it
        there; None when the value is just as the file wrote it."""
        ...


def describe(written: str | None, value: str) -> str:
    """`value` as a message may show it: quoted, unless `${VAR}` put any of it there
    (`written` is then how the file wrote it), in which case only the reference is named."""
    if written is None:
        return repr(value)
    return f"the value of {written if _ONE_REFERENCE.fullmatch(written) else repr(written)}"


_ONE_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def show(path: KeyPath) -> str:
    """`("service", 1, "url")` -> `service[1].url`, the way problems name a location."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the playbook"


class Table:
    """One TOML table being read: typed getters that report problems instead of raising.

    Getters return a harmless stand-in after reporting a problem, so that validation goes
    on and a single run lists every problem. `done()` reports the keys nobody asked for.
    """

    def __init__(self, checker: Reporter, path: KeyPath, data: dict[str, Any]) -> None:
        self.checker = checker
        self.path = path
        self.data = data
        self.used: set[str] = set()

    def problem(self, key: str | None, message: str) -> None:
        path = self.path if key is None else (*self.path, key)
        self.checker.problem(path, f"{show(path)}: {message}")

    def shown(self, key: str | None, value: str) -> str:
        """`value`, found at `key` (or in its list), as a message may show it (see `describe`)."""
        path = self.path if key is None else (*self.path, key)
        return describe(self.checker.source(path, value), value)

    def get(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is REQUIRED:
                self.problem(None, f"missing required key '{key}'")
            return default
        value = self.data[key]
        # TOML booleans are Python ints too; never let `true` pass for a number.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            self.problem(key, f"must be {what}, not {_kind(value)}")
            return default
        return value

    def text(self, key: str, default: Any = REQUIRED, *, empty: bool = False) -> str:
        value = self.get(key, str, "a string", default)
        if value is REQUIRED:
            return ""
        if not value and not empty and key in self.data:
            self.problem(key, "must not be empty")
        return str(value)

    def integer(self, key: str, default: Any = REQUIRED, *, minimum: int = 0) -> int:
        value = self.get(key, int, "an integer", default)
        if value is REQUIRED:
            return minimum
        if value < minimum:
            self.problem(key, f"must be at least {minimum}, not {value}")
        return int(value)

    def flag(self, key: str, default: Any = REQUIRED) -> bool:
        value = self.get(key, bool, "true or false", default)
        return False if value is REQUIRED else bool(value)

    def strs(self, key: str, default: Any = (), *, nonempty: bool = False) -> tuple[str, ...]:
        value = self.get(key, list, "a list of strings", default)
        if value is REQUIRED:
            return ()
        for index, element in enumerate(value):
            if not isinstance(element, str):
                self.checker.problem(
                    (*self.path, key, index),
                    f"{show((*self.path, key))}[{index}]: must be a string, not {_kind(element)}",
                )
        if nonempty and key in self.data and not value:
            self.problem(key, "must not be empty")
        return tuple(str(element) for element in value)

    def duration(self, key: str, default: Any = REQUIRED, *, zero: bool = False) -> timedelta:
        text = self.get(key, str, 'a duration string like "5m"', default)
        if isinstance(text, timedelta):
            return text
        if text is REQUIRED:
            return timedelta(0)
        return self.to_duration(key, text, zero=zero)

    def optional_duration(self, key: str) -> timedelta | None:
        """A duration, or None when the key is absent."""
        if key not in self.data:
            self.used.add(key)
            return None
        return self.duration(key)

    def to_duration(self, key: str, text: str, *, zero: bool = False) -> timedelta:
        try:
            value = parse_duration(text, shown=self.shown(key, text))
        except ValueError as exc:
            self.problem(key, str(exc))
            return timedelta(0)
        if not value and not zero:
            self.problem(key, "must be longer than zero")
        return value

    def url(self, key: str, default: Any = REQUIRED) -> str:
        value = self.text(key, default, empty=default == "")
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                self.problem(
                    key, f"{self.shown(key, value)} is not an http:// or https:// URL with a host"
                )
        return value

    def choice(self, key: str, choices: Sequence[str], default: Any = REQUIRED) -> str:
        value = self.text(key, default, empty=True)
        if key in self.data and isinstance(self.data[key], str) and value not in choices:
            self.problem(
                key, f"{self.shown(key, value)} is not one of {', '.join(map(repr, choices))}"
            )
        return value

    def command(self, key: str, default: Any = REQUIRED) -> tuple[str, ...]:
        argv = self.strs(key, default)
        if key in self.data and isinstance(self.data[key], list) and not argv:
            self.problem(key, "must name a program to run (an empty argv list)")
        return argv

    def table(self, key: str, default: Any = REQUIRED) -> Table | None:
        value = self.get(key, dict, "a table", default)
        if not isinstance(value, dict):
            return None
        return Table(self.checker, (*self.path, key), value)

    def tables(self, key: str, *, nonempty: bool = False) -> list[Table]:
        """The elements of an array of tables (`[[key]]`)."""
        value = self.get(key, list, f"an array of tables ([[{key}]])", [])
        out: list[Table] = []
        for index, element in enumerate(value):
            if isinstance(element, dict):
                out.append(Table(self.checker, (*self.path, key, index), element))
            else:
                self.checker.problem(
                    (*self.path, key, index),
                    f"{show((*self.path, key))}[{index}]: must be a table, not {_kind(element)}",
                )
        if nonempty and not value:
            self.problem(None, f"needs at least one [[{show((*self.path, key))}]]")
        return out

    def done(self) -> None:
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, self.used, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(key, f"unknown key '{key}'{hint}")


def check_unique(tables: list[Table], key: str, values: list[str], what: str) -> None:
    """Report each value in `values` (read at `key` of its table) that repeats an earlier one."""
    seen: set[str] = set()
    for table, value in zip(tables, values, strict=True):
        if value in seen:
            table.problem(key, f"duplicate {what} {table.shown(key, value)}")
        seen.add(value)


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)
