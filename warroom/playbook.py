"""The playbook: `playbook.toml` loaded and validated into frozen dataclasses.

Who reads what: the CLI loads the playbook once, before any screen is drawn; every other
module receives the resulting `Playbook` and never touches the file again. A playbook that
is wrong in any way raises `PlaybookError` carrying `PATH:LINE: what is wrong` lines.

Durations are written as strings ("30s", "5m", "1h", "2d") and held as `timedelta`.
Commands are argv lists, never shell strings. `${VAR}` in any string is read from the
environment at load time (`$${VAR}` stays a literal `${VAR}`).

The file's tables: [settings], [[severity]], [[service]], [[provider]], [[log_source]],
[[log_preset]], [[quick_check]], [[phase]] with [[phase.item]], [[escalation]],
[[external_support]], [[runbook]] with [[runbook.diagnosis]] and [[runbook.solution]] (with
[[runbook.solution.step]]), [[emergency]], [template.NAME], [[post_incident]], [postmortem].
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import os
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KeyMoment = Literal["detected", "identified", "mitigated", "resolved"]
KEY_MOMENTS: tuple[KeyMoment, ...] = ("detected", "identified", "mitigated", "resolved")

TemplateName = Literal["investigating", "identified", "monitoring", "resolved", "email"]
TEMPLATE_NAMES: tuple[TemplateName, ...] = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "email",
)

TEMPLATE_FIELDS: dict[str, str] = {
    "description": "brief description of the problem (the incident's title until one is set)",
    "cause": "one-sentence explanation of the cause",
    "impact": "what users could not do",
    "resolution": "what was done to fix it",
    "prevention": "what is being done to prevent it",
    "started": "when the incident started (display zone)",
    "next_update": "when the next status update is due (display zone)",
    "timeline": "the key-moment timeline, one '- HH:MM: what' line each",
    "date": "the incident's date (display zone)",
    "time": "the incident's start time of day (display zone)",
    "postmortem_link": "link to the post-mortem document",
    "product": "the product name from [settings]",
    "incident_id": "the incident id, INC-YYYYMMDD-NNN",
    "severity": "the severity level, e.g. P1",
}
"""Every placeholder a communication template may use, with what fills it."""

POSTMORTEM_FIELDS: dict[str, str] = {
    **TEMPLATE_FIELDS,
    "severity_name": "the severity's name, e.g. High",
    "duration": "time from detected to resolved, 'X hours Y minutes'",
    "root_cause": "the technical explanation of the root cause",
    "went_well": "what went well, one '- ' line each",
    "went_wrong": "what went wrong, one '- ' line each",
    "action_items": "action items, one '1. [ ] ' line each",
    "lessons": "key takeaways for the team",
}
"""Every placeholder the post-mortem template may use."""


class PlaybookError(Exception):
    """A playbook that cannot be used; `problems` are `PATH:LINE: what is wrong` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    product: str
    """Product name used in communication ("The Slurpy Team")."""
    display_timezone: str = "UTC"
    """IANA zone in which times are shown; everything is stored in UTC."""
    status_update_interval: timedelta = timedelta(minutes=15)
    """How often the status page promises an update."""
    postmortem_link: str = ""
    """Where the post-mortem will be published; empty until known."""


@dataclass(frozen=True)
class Severity:
    level: str
    """P0, P1, P2 or P3."""
    name: str
    """Short name: Critical, High, Medium, Low."""
    summary: str
    """The one-line instruction, e.g. "Drop Everything"."""
    response_time: timedelta
    """Target time from declaration to first response."""
    response_label: str
    """How the playbook says the response time, e.g. "Immediate (< 5 minutes)"."""
    examples: tuple[str, ...]
    """Situations that are this severity, to help whoever declares pick the level."""
    actions: tuple[str, ...]
    """What to do on declaring an incident of this severity, in order."""


@dataclass(frozen=True)
class BodyCheck:
    """A condition on a JSON body: the value at dotted `path` must equal `equals`."""

    path: str
    """Dotted path into the JSON body, without the leading dot ("status", "checks.db.ok");
    the playbook may write it jq-style (".status")."""
    equals: str | int | float | bool
    """The value a healthy answer has there."""


@dataclass(frozen=True)
class Service:
    """One of our own services, judged by polling its health endpoint."""

    name: str
    """Short unique name ("backend"); log sources refer to services by it."""
    url: str
    """Health endpoint, http:// or https://."""
    fly_app: str = ""
    """The Fly app serving it, if any."""
    body: BodyCheck | None = None
    """Condition on the JSON body; None judges by status code alone."""
    expected_status: tuple[int, int] = (200, 299)
    """Inclusive range of HTTP status codes that count as a good answer."""
    interval: timedelta = timedelta(seconds=10)
    """Time between two polls."""
    timeout: timedelta = timedelta(seconds=5)
    """A poll with no complete answer by then counts as a failure."""
    slow: timedelta = timedelta(seconds=2)
    """Answers slower than this are `degraded`."""
    failures_to_down: int = 2
    """Consecutive failures before the service shows as down (one blip pages nobody)."""
    successes_to_up: int = 2
    """Consecutive good answers before a down service shows as up again."""


@dataclass(frozen=True)
class Provider:
    """A third party we depend on, judged by its public status page."""

    name: str
    """Display name ("Supabase"); external support entries refer to providers by it."""
    page: str
    """Base URL of an Atlassian-Statuspage-style page, no trailing slash;
    `/api/v2/summary.json` is polled."""
    interval: timedelta = timedelta(seconds=60)
    """Time between two polls."""
    timeout: timedelta = timedelta(seconds=5)
    """A poll with no complete answer by then counts as a failure."""


@dataclass(frozen=True)
class LogSource:
    """A command whose standard output is a live log tail (`fly logs --app APP`)."""

    name: str
    """Unique name shown in the logs region; runbook steps refer to sources by it."""
    command: tuple[str, ...]
    """argv of the tailing process; restarted whenever it exits."""
    service: str = ""
    """Name of the service these logs belong to, if any."""
    format: Literal["plain", "json"] = "plain"
    """`plain` for flyctl's coloured lines, `json` for `fly logs --json`."""
    stale_after: timedelta = timedelta(seconds=60)
    """Restart the command when it has printed nothing for this long (flyctl can stall)."""


@dataclass(frozen=True)
class LogPreset:
    """A named filter for the logs region."""

    name: str
    """Unique name ("errors"); runbook steps refer to presets by it."""
    include: tuple[str, ...] = ()
    """Regular expressions; a line is kept when it matches any (or when there are none)."""
    exclude: tuple[str, ...] = ()
    """Regular expressions; a line matching any is dropped."""
    min_level: str = ""
    """Lowest log level kept: "", "debug", "info", "warn" or "error" ("" keeps all)."""
    ignore_case: bool = True
    """Match the patterns without regard to case."""


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    """Stable id, unique in the playbook; events refer to items by it."""
    text: str
    """What to do or confirm, as shown in the checklist."""
    moment: KeyMoment | None = None
    """Ticking this item sets that key moment."""


@dataclass(frozen=True)
class Phase:
    """A stage of the response workflow, written `window = ["5m", "15m"]` in the playbook."""

    name: str
    """Detection, Investigation, ..."""
    window_start: timedelta
    """When the phase should start, counted from the incident's declaration."""
    window_end: timedelta
    """When the phase should be done, counted from the incident's declaration."""
    items: tuple[ChecklistItem, ...]
    """The checklist, never empty."""


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    """1 for the first responder, counting up; unique."""
    name: str
    """The role ("Tech Lead")."""
    contact: str
    """How to reach them (may be a `${VAR}` kept out of the file)."""
    duties: tuple[str, ...]
    """What this level handles."""
    escalate_after: timedelta | None
    """Escalate to the next level if not resolved within this; None for the last level."""


@dataclass(frozen=True)
class ExternalSupport:
    provider: str
    """Name of a [[provider]]."""
    channels: tuple[str, ...]
    """Where to ask for help, best first."""


@dataclass(frozen=True)
class Step:
    """One step of a runbook: a command to run, or a note for a human (or both)."""

    label: str
    """What the step does, in a few words."""
    command: tuple[str, ...] = ()
    """argv to copy or run; empty for advice-only steps. `<like-this>` elements are for a human
    to fill in before running."""
    note: str = ""
    """Advice for the human: context, caveats, snippets to apply by hand."""
    log_source: str = ""
    """A [[log_source]] whose lines answer this step (show it in the logs region)."""
    preset: str = ""
    """A [[log_preset]] to apply to those lines."""


@dataclass(frozen=True)
class Solution:
    """One way out of a runbook's problem."""

    title: str
    """Short name ("Roll back deployment")."""
    when: str
    """When it applies ("Quick fix", "If recent deploy")."""
    steps: tuple[Step, ...]
    """What to do, in order; never empty."""


@dataclass(frozen=True)
class Runbook:
    """One of the common issues: how it shows, how to diagnose it, how to fix it."""

    name: str
    """Stable unique id ("site-down")."""
    title: str
    """What is wrong, as a human says it ("Site is down (HTTP 500/502/503)")."""
    symptoms: tuple[str, ...]
    """How the issue shows."""
    diagnosis: tuple[Step, ...]
    """Steps to confirm it and find the cause."""
    solutions: tuple[Solution, ...]
    """Ways to fix it, quickest first."""


@dataclass(frozen=True)
class EmergencyCommand:
    """A command kept one keystroke away during an incident."""

    name: str
    """Stable unique id ("rollback-backend")."""
    group: str
    """Heading it is listed under ("Quick rollback")."""
    description: str
    """What it does, in a few words."""
    command: tuple[str, ...]
    """argv, never empty; `<like-this>` elements are for a human to fill in."""
    confirm: bool = True
    """Ask before running it."""


@dataclass(frozen=True)
class Template:
    name: TemplateName
    """One of TEMPLATE_NAMES."""
    title: str
    """Heading shown with it ("Status page update - Investigating")."""
    text: str
    """Body with `{placeholder}` fields from TEMPLATE_FIELDS."""
    subject: str = ""
    """E-mail subject line (email template only)."""


@dataclass(frozen=True)
class PostIncidentStage:
    name: str
    """Immediate, Short-term, Long-term."""
    within: timedelta
    """Deadline counted from resolution."""
    items: tuple[str, ...]
    """Actions to take by then."""


@dataclass(frozen=True)
class Playbook:
    """Everything `playbook.toml` says, validated. Each field is one section of the file."""

    path: Path
    """The file it was loaded from."""
    settings: Settings
    severities: tuple[Severity, ...]
    services: tuple[Service, ...]
    providers: tuple[Provider, ...]
    log_sources: tuple[LogSource, ...]
    log_presets: tuple[LogPreset, ...]
    phases: tuple[Phase, ...]
    escalation: tuple[EscalationLevel, ...]
    external_support: tuple[ExternalSupport, ...]
    runbooks: tuple[Runbook, ...]
    emergency_commands: tuple[EmergencyCommand, ...]
    templates: dict[str, Template] = field(hash=False)
    post_incident: tuple[PostIncidentStage, ...] = ()
    postmortem_template: str = ""
    """Markdown of the post-mortem document, with `{placeholders}` from POSTMORTEM_FIELDS."""
    quick_checks: tuple[Step, ...] = ()
    """The initial assessment: what to check in the first five minutes."""
    postmortem_guidance: tuple[str, ...] = ()
    """How to run the post-mortem (blameless: what to focus on, what not to)."""

    def severity(self, level: str) -> Severity:
        """The severity called `level` ("P1"); KeyError if there is none."""
        for severity in self.severities:
            if severity.level == level:
                return severity
        raise KeyError(level)

    def item(self, item_id: str) -> ChecklistItem:
        """The checklist item with that id, in any phase; KeyError if there is none."""
        for phase in self.phases:
            for item in phase.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)


# --------------------------------------------------------------------------- loading

_DURATION = re.compile(r"(\d+)([smhd])")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ENV_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LEVELS = ("P0", "P1", "P2", "P3")
_MIN_LEVELS = ("", "debug", "info", "warn", "error")
_REQUIRED: Any = object()

Path_ = tuple[str | int, ...]
"""A location inside the parsed TOML: table names, keys and array indices."""


def parse_duration(text: str) -> timedelta:
    """Parse "30s", "5m", "1h" or "2d" (a whole number and one unit) into a timedelta.

    Raises ValueError for anything else, including "1h30m", "5 m" and "-5m".
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration like '30s', '5m', '1h' or '2d'")
    return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


def load_playbook(path: Path, env: Mapping[str, str] | None = None) -> Playbook:
    """Read, expand and validate the playbook at `path`.

    `${VAR}` in any string is replaced by `env[VAR]` (default: `os.environ`); write `$${VAR}`
    for a literal `${VAR}`. Raises `PlaybookError` listing every problem found, each as one
    `PATH:LINE: what is wrong` line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError([f"{path}: cannot read the playbook: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise PlaybookError([f"{path}: the playbook is not UTF-8 text: {exc.reason}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError([_syntax_problem(path, text, str(exc))]) from None
    checker = _Checker(path, _locate(text), os.environ if env is None else env)
    data = checker.expand(data, ())
    playbook = checker.playbook(data)
    if checker.problems:
        # In file order, so the list reads top to bottom alongside the file.
        ordered = sorted(checker.problems, key=lambda problem: problem[0])
        raise PlaybookError([f"{path}:{line}: {message}" for line, message in ordered])
    return playbook


def _syntax_problem(path: Path, text: str, message: str) -> str:
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if match is not None:
        line = int(match.group(1))
        message = message[: match.start()]
    else:
        # tomllib says "(at end of document)" when the error only shows at the end.
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        message = re.sub(r"\s*\(at end of document\)$", " (at end of file)", message)
    return f"{path}:{max(line, 1)}: invalid TOML: {message[:1].lower()}{message[1:]}"


# --------------------------------------------------------------------------- locating


def _locate(text: str) -> dict[Path_, int]:
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
        self.lines: dict[Path_, int] = {}
        # Array-of-tables seen so far (by concrete path) -> how many elements they have.
        self.aot: dict[Path_, int] = {}

    def line(self) -> int:
        return bisect.bisect_left(self.newlines, self.i) + 1

    def record(self, path: Path_) -> None:
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

    def resolve(self, parts: tuple[str, ...], new_element: bool) -> Path_:
        path: Path_ = ()
        for n, part in enumerate(parts):
            path = (*path, part)
            last = n == len(parts) - 1
            if path in self.aot and not (last and new_element):
                path = (*path, self.aot[path] - 1)
            # `[template.email]` also locates `template`, which has no header of its own.
            self.record(path)
        return path

    def run(self) -> dict[Path_, int]:
        table: Path_ = ()
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

    def pair(self, table: Path_) -> None:
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
                end = self.i + 3
                while True:
                    end = text.index(quote, end)
                    if quote == '"""' and _escaped(text, end):
                        end += 1
                        continue
                    break
                # Up to two extra quote characters may close the string (`""""` ends in `"`).
                end += 3
                while end < len(text) and text[end] == quote[0]:
                    end += 1
                self.i = end
                return
        quote = text[self.i]
        end = self.i + 1
        while True:
            end = text.index(quote, end)
            if quote == '"' and _escaped(text, end):
                end += 1
                continue
            break
        self.i = end + 1

    def value(self, path: Path_) -> None:
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


def _escaped(text: str, index: int) -> bool:
    """True when the character at `index` is preceded by an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


# --------------------------------------------------------------------------- validating


def _show(path: Path_) -> str:
    """`("service", 1, "url")` -> `service[1].url`, the way problems name a location."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the playbook"


class _Table:
    """One TOML table being read: typed getters that report problems instead of raising.

    Getters return a harmless stand-in after reporting a problem, so that validation goes
    on and a single run lists every problem. `done()` reports the keys nobody asked for.
    """

    def __init__(self, checker: _Checker, path: Path_, data: dict[str, Any]) -> None:
        self.checker = checker
        self.path = path
        self.data = data
        self.used: set[str] = set()

    def problem(self, key: str | None, message: str) -> None:
        path = self.path if key is None else (*self.path, key)
        self.checker.problem(path, f"{_show(path)}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                self.problem(None, f"missing required key '{key}'")
            return default
        value = self.data[key]
        # TOML booleans are Python ints too; never let `true` pass for a number.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            self.problem(key, f"must be {what}, not {_kind(value)}")
            return default
        return value

    def text(self, key: str, default: Any = _REQUIRED, *, empty: bool = False) -> str:
        value = self.get(key, str, "a string", default)
        if value is _REQUIRED:
            return ""
        if not value and not empty and key in self.data:
            self.problem(key, "must not be empty")
        return str(value)

    def integer(self, key: str, default: Any = _REQUIRED, *, minimum: int = 0) -> int:
        value = self.get(key, int, "an integer", default)
        if value is _REQUIRED:
            return minimum
        if value < minimum:
            self.problem(key, f"must be at least {minimum}, not {value}")
        return int(value)

    def flag(self, key: str, default: Any = _REQUIRED) -> bool:
        value = self.get(key, bool, "true or false", default)
        return False if value is _REQUIRED else bool(value)

    def strs(self, key: str, default: Any = (), *, nonempty: bool = False) -> tuple[str, ...]:
        value = self.get(key, list, "a list of strings", default)
        if value is _REQUIRED:
            return ()
        for index, element in enumerate(value):
            if not isinstance(element, str):
                self.checker.problem(
                    (*self.path, key, index),
                    f"{_show((*self.path, key))}[{index}]: must be a string, not {_kind(element)}",
                )
        if nonempty and key in self.data and not value:
            self.problem(key, "must not be empty")
        return tuple(str(element) for element in value)

    def duration(self, key: str, default: Any = _REQUIRED, *, zero: bool = False) -> timedelta:
        text = self.get(key, str, 'a duration string like "5m"', default)
        if isinstance(text, timedelta):
            return text
        if text is _REQUIRED:
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
            value = parse_duration(text)
        except ValueError as exc:
            self.problem(key, str(exc))
            return timedelta(0)
        if not value and not zero:
            self.problem(key, "must be longer than zero")
        return value

    def url(self, key: str, default: Any = _REQUIRED) -> str:
        value = self.text(key, default, empty=default == "")
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                self.problem(key, f"{value!r} is not an http:// or https:// URL with a host")
        return value

    def choice(self, key: str, choices: Sequence[str], default: Any = _REQUIRED) -> str:
        value = self.text(key, default, empty=True)
        if key in self.data and isinstance(self.data[key], str) and value not in choices:
            self.problem(key, f"{value!r} is not one of {', '.join(map(repr, choices))}")
        return value

    def command(self, key: str, default: Any = _REQUIRED) -> tuple[str, ...]:
        argv = self.strs(key, default)
        if key in self.data and isinstance(self.data[key], list) and not argv:
            self.problem(key, "must name a program to run (an empty argv list)")
        return argv

    def table(self, key: str, default: Any = _REQUIRED) -> _Table | None:
        value = self.get(key, dict, "a table", default)
        if not isinstance(value, dict):
            return None
        return _Table(self.checker, (*self.path, key), value)

    def tables(self, key: str, *, nonempty: bool = False) -> list[_Table]:
        """The elements of an array of tables (`[[key]]`)."""
        value = self.get(key, list, f"an array of tables ([[{key}]])", [])
        out: list[_Table] = []
        for index, element in enumerate(value):
            if isinstance(element, dict):
                out.append(_Table(self.checker, (*self.path, key, index), element))
            else:
                self.checker.problem(
                    (*self.path, key, index),
                    f"{_show((*self.path, key))}[{index}]: must be a table, not {_kind(element)}",
                )
        if nonempty and not value:
            self.problem(None, f"needs at least one [[{_show((*self.path, key))}]]")
        return out

    def done(self) -> None:
        for key in self.data:
            if key not in self.used:
                close = difflib.get_close_matches(key, self.used, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(key, f"unknown key '{key}'{hint}")


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


class _Checker:
    """Builds a `Playbook` from parsed TOML, collecting every problem on the way."""

    def __init__(self, path: Path, lines: dict[Path_, int], env: Mapping[str, str]) -> None:
        self.path = path
        self.lines = lines
        self.env = env
        self.problems: list[tuple[int, str]] = []
        """(line, message) pairs."""
        # Strings whose ${VAR} could not be expanded: already reported, and whatever else is
        # wrong with them follows from that.
        self.unexpanded: set[Path_] = set()

    def problem(self, where: Path_, message: str) -> None:
        if where in self.unexpanded:
            return
        # The nearest enclosing thing the scanner saw: a key, else its table, else line 1.
        line = 1
        for end in range(len(where), 0, -1):
            if where[:end] in self.lines:
                line = self.lines[where[:end]]
                break
        self.problems.append((line, message))

    def expand(self, value: Any, where: Path_) -> Any:
        """Replace `${VAR}` in every string, reporting variables that are not set."""
        if isinstance(value, dict):
            return {key: self.expand(item, (*where, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.expand(item, (*where, index)) for index, item in enumerate(value)]
        if not isinstance(value, str):
            return value

        def replace(match: re.Match[str]) -> str:
            if match.group(1):
                return match.group()[1:]
            name = match.group(2)
            if name not in self.env:
                self.problem(where, f"{_show(where)}: environment variable {name} is not set")
                self.unexpanded.add(where)
                return match.group()
            return self.env[name]

        return _ENV_REF.sub(replace, value)

    def unique(self, tables: list[_Table], key: str, values: list[str], what: str) -> None:
        seen: set[str] = set()
        for table, value in zip(tables, values, strict=True):
            if value in seen:
                table.problem(key, f"duplicate {what} {value!r}")
            seen.add(value)

    def playbook(self, data: dict[str, Any]) -> Playbook:
        root = _Table(self, (), data)
        settings = self.settings(root.table("settings"))
        severities = self.severities(root.tables("severity", nonempty=True))
        services = self.services(root.tables("service"))
        providers = self.providers(root.tables("provider"))
        presets = self.presets(root.tables("log_preset"))
        sources = self.log_sources(root.tables("log_source"), {s.name for s in services})
        refs = _Refs({s.name for s in sources}, {p.name for p in presets})
        quick_checks = tuple(self.step(t, refs) for t in root.tables("quick_check"))
        phases = self.phases(root.tables("phase", nonempty=True))
        escalation = self.escalation(root.tables("escalation"))
        support = self.support(root.tables("external_support"), {p.name for p in providers})
        runbooks = self.runbooks(root.tables("runbook"), refs)
        emergency = self.emergency(root.tables("emergency"))
        templates = self.templates(root.table("template"), settings)
        post_incident = self.post_incident(root.tables("post_incident"))
        postmortem = root.table("postmortem", None)
        postmortem_text, guidance = "", tuple[str, ...]()
        if postmortem is not None:
            postmortem_text = postmortem.text("template")
            self.placeholders(postmortem, "template", postmortem_text, POSTMORTEM_FIELDS)
            guidance = postmortem.strs("guidance")
            postmortem.done()
        root.done()
        return Playbook(
            path=self.path,
            settings=settings,
            severities=severities,
            services=services,
            providers=providers,
            log_sources=sources,
            log_presets=presets,
            phases=phases,
            escalation=escalation,
            external_support=support,
            runbooks=runbooks,
            emergency_commands=emergency,
            templates=templates,
            post_incident=post_incident,
            postmortem_template=postmortem_text,
            quick_checks=quick_checks,
            postmortem_guidance=guidance,
        )

    def settings(self, table: _Table | None) -> Settings:
        if table is None:
            return Settings(product="")
        zone = table.text("display_timezone", "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            table.problem("display_timezone", f"{zone!r} is not a known IANA time zone")
        settings = Settings(
            product=table.text("product"),
            display_timezone=zone,
            status_update_interval=table.duration("status_update_interval", timedelta(minutes=15)),
            postmortem_link=table.url("postmortem_link", ""),
        )
        table.done()
        return settings

    def severities(self, tables: list[_Table]) -> tuple[Severity, ...]:
        out: list[Severity] = []
        for table in tables:
            out.append(
                Severity(
                    level=table.choice("level", _LEVELS),
                    name=table.text("name"),
                    summary=table.text("summary", ""),
                    response_time=table.duration("response_time"),
                    response_label=table.text("response_label", ""),
                    examples=table.strs("examples"),
                    actions=table.strs("actions"),
                )
            )
            table.done()
        levels = [s.level for s in out]
        self.unique(tables, "level", levels, "severity level")
        missing = [level for level in _LEVELS if level not in levels]
        if tables and missing:
            which = "level " + missing[0] if len(missing) == 1 else "levels " + ", ".join(missing)
            self.problem(("severity",), f"severity: {which} missing; P0, P1, P2 and P3 are needed")
        return tuple(sorted(out, key=lambda s: s.level))

    def services(self, tables: list[_Table]) -> tuple[Service, ...]:
        out: list[Service] = []
        for table in tables:
            body = None
            body_table = table.table("body", None)
            if body_table is not None:
                path = body_table.text("path")
                equals = body_table.get("equals", (str, int, float, bool), "a value", _REQUIRED)
                body = BodyCheck(path=path.lstrip("."), equals=equals)
                body_table.done()
                if path and not re.fullmatch(r"\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", path):
                    body_table.problem("path", f"{path!r} is not a dotted path like '.status'")
            status = table.get("expected_status", list, "a list of two status codes", [200, 299])
            if not (
                len(status) == 2
                and all(type(code) is int and 100 <= code <= 599 for code in status)
                and status[0] <= status[1]
            ):
                table.problem("expected_status", "must be [lowest, highest] HTTP status codes")
                status = [200, 299]
            out.append(
                Service(
                    name=table.text("name"),
                    url=table.url("url"),
                    fly_app=table.text("fly_app", ""),
                    body=body,
                    expected_status=(status[0], status[1]),
                    interval=table.duration("interval", Service.interval),
                    timeout=table.duration("timeout", Service.timeout),
                    slow=table.duration("slow", Service.slow),
                    failures_to_down=table.integer("failures_to_down", 2, minimum=1),
                    successes_to_up=table.integer("successes_to_up", 2, minimum=1),
                )
            )
            table.done()
        self.unique(tables, "name", [s.name for s in out], "service name")
        return tuple(out)

    def providers(self, tables: list[_Table]) -> tuple[Provider, ...]:
        out: list[Provider] = []
        for table in tables:
            out.append(
                Provider(
                    name=table.text("name"),
                    page=table.url("page").rstrip("/"),
                    interval=table.duration("interval", Provider.interval),
                    timeout=table.duration("timeout", Provider.timeout),
                )
            )
            table.done()
        self.unique(tables, "name", [p.name for p in out], "provider name")
        return tuple(out)

    def log_sources(self, tables: list[_Table], services: set[str]) -> tuple[LogSource, ...]:
        out: list[LogSource] = []
        for table in tables:
            service = table.text("service", "")
            if service and service not in services:
                table.problem("service", f"no [[service]] is named {service!r}")
            out.append(
                LogSource(
                    name=table.text("name"),
                    command=table.command("command"),
                    service=service,
                    format=table.choice("format", ("plain", "json"), "plain"),  # type: ignore[arg-type]
                    stale_after=table.duration("stale_after", LogSource.stale_after),
                )
            )
            table.done()
        self.unique(tables, "name", [s.name for s in out], "log source name")
        return tuple(out)

    def presets(self, tables: list[_Table]) -> tuple[LogPreset, ...]:
        out: list[LogPreset] = []
        for table in tables:
            ignore_case = table.flag("ignore_case", True)
            patterns: dict[str, tuple[str, ...]] = {}
            for key in ("include", "exclude"):
                patterns[key] = table.strs(key)
                for index, pattern in enumerate(patterns[key]):
                    try:
                        re.compile(pattern, re.IGNORECASE if ignore_case else 0)
                    except re.error as exc:
                        self.problem(
                            (*table.path, key, index),
                            f"{_show((*table.path, key))}[{index}]: "
                            f"bad regular expression {pattern!r}: {exc}",
                        )
            out.append(
                LogPreset(
                    name=table.text("name"),
                    include=patterns["include"],
                    exclude=patterns["exclude"],
                    min_level=table.choice("min_level", _MIN_LEVELS, ""),
                    ignore_case=ignore_case,
                )
            )
            table.done()
        self.unique(tables, "name", [p.name for p in out], "log preset name")
        return tuple(out)

    def step(self, table: _Table, refs: _Refs) -> Step:
        step = Step(
            label=table.text("label"),
            command=table.command("command", ()),
            note=table.text("note", ""),
            log_source=table.text("log_source", ""),
            preset=table.text("preset", ""),
        )
        if step.log_source and step.log_source not in refs.sources:
            table.problem("log_source", f"no [[log_source]] is named {step.log_source!r}")
        if step.preset and step.preset not in refs.presets:
            table.problem("preset", f"no [[log_preset]] is named {step.preset!r}")
        if not (step.command or step.note or step.log_source):
            table.problem(None, "a step needs a command, a note or a log_source")
        table.done()
        return step

    def phases(self, tables: list[_Table]) -> tuple[Phase, ...]:
        out: list[Phase] = []
        item_tables: list[_Table] = []
        items_seen: list[ChecklistItem] = []
        for table in tables:
            window = table.strs("window", _REQUIRED)
            start = end = timedelta(0)
            if "window" in table.data and len(window) != 2:
                table.problem("window", 'must be two durations, ["from", "to"]')
            elif len(window) == 2:
                start = table.to_duration("window", window[0], zero=True)
                end = table.to_duration("window", window[1])
                if end <= start:
                    table.problem("window", "must end after it starts")
            items: list[ChecklistItem] = []
            for item in table.tables("item"):
                moment = cast(KeyMoment | None, item.choice("moment", KEY_MOMENTS, "") or None)
                items.append(ChecklistItem(item.text("id"), item.text("text"), moment))
                item.done()
                item_tables.append(item)
            if not items:
                table.problem(None, "a phase needs at least one [[phase.item]]")
            items_seen.extend(items)
            out.append(Phase(table.text("name"), start, end, tuple(items)))
            table.done()
        self.unique(item_tables, "id", [i.id for i in items_seen], "checklist item id")
        moments = [i.moment or "" for i in items_seen]
        with_moment = [(t, m) for t, m in zip(item_tables, moments, strict=True) if m]
        self.unique([t for t, _ in with_moment], "moment", [m for _, m in with_moment], "moment")
        return tuple(out)

    def escalation(self, tables: list[_Table]) -> tuple[EscalationLevel, ...]:
        out: list[EscalationLevel] = []
        for table in tables:
            out.append(
                EscalationLevel(
                    level=table.integer("level", minimum=1),
                    name=table.text("name"),
                    contact=table.text("contact", ""),
                    duties=table.strs("duties"),
                    escalate_after=table.optional_duration("escalate_after"),
                )
            )
            table.done()
        self.unique(tables, "level", [str(e.level) for e in out], "escalation level")
        return tuple(out)

    def support(self, tables: list[_Table], providers: set[str]) -> tuple[ExternalSupport, ...]:
        out: list[ExternalSupport] = []
        for table in tables:
            provider = table.text("provider")
            if provider and provider not in providers:
                table.problem("provider", f"no [[provider]] is named {provider!r}")
            out.append(ExternalSupport(provider, table.strs("channels", nonempty=True)))
            table.done()
        return tuple(out)

    def runbooks(self, tables: list[_Table], refs: _Refs) -> tuple[Runbook, ...]:
        out: list[Runbook] = []
        for table in tables:
            solutions: list[Solution] = []
            for solution in table.tables("solution"):
                steps = tuple(self.step(t, refs) for t in solution.tables("step", nonempty=True))
                solutions.append(Solution(solution.text("title"), solution.text("when", ""), steps))
                solution.done()
            out.append(
                Runbook(
                    name=table.text("name"),
                    title=table.text("title"),
                    symptoms=table.strs("symptoms"),
                    diagnosis=tuple(self.step(t, refs) for t in table.tables("diagnosis")),
                    solutions=tuple(solutions),
                )
            )
            table.done()
        self.unique(tables, "name", [r.name for r in out], "runbook name")
        return tuple(out)

    def emergency(self, tables: list[_Table]) -> tuple[EmergencyCommand, ...]:
        out: list[EmergencyCommand] = []
        for table in tables:
            out.append(
                EmergencyCommand(
                    name=table.text("name"),
                    group=table.text("group", ""),
                    description=table.text("description", ""),
                    command=table.command("command"),
                    confirm=table.flag("confirm", True),
                )
            )
            table.done()
        self.unique(tables, "name", [c.name for c in out], "emergency command name")
        return tuple(out)

    def templates(self, table: _Table | None, settings: Settings) -> dict[str, Template]:
        if table is None:
            return {}
        found: dict[str, Template] = {}
        for name in list(table.data):
            if name not in TEMPLATE_NAMES:
                table.used.add(name)
                table.problem(name, f"unknown template; the names are {', '.join(TEMPLATE_NAMES)}")
                continue
            one = table.table(name)
            if one is None:
                continue
            text = one.text("text")
            subject = one.text("subject", "")
            self.placeholders(one, "text", text, TEMPLATE_FIELDS)
            self.placeholders(one, "subject", subject, TEMPLATE_FIELDS)
            title = one.text("title", name.title())
            found[name] = Template(name, title, text, subject)
            one.done()
        missing = [name for name in TEMPLATE_NAMES if name not in table.data]
        if missing:
            table.problem(None, f"templates missing: {', '.join(missing)}")
        table.done()
        return {name: found[name] for name in TEMPLATE_NAMES if name in found}

    def placeholders(self, table: _Table, key: str, text: str, fields: Mapping[str, str]) -> None:
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            table.problem(key, f"{exc} (write {{{{ and }}}} for literal braces)")
            return
        for _, name, spec, conversion in parsed:
            if name is not None and name not in fields:
                table.problem(key, f"unknown placeholder {{{name}}}")
            elif spec or conversion:
                # Every field is filled with text, so a format spec could only break it.
                table.problem(key, f"placeholder {{{name}}} takes no format spec or conversion")

    def post_incident(self, tables: list[_Table]) -> tuple[PostIncidentStage, ...]:
        out: list[PostIncidentStage] = []
        for table in tables:
            out.append(
                PostIncidentStage(
                    table.text("name"), table.duration("within"), table.strs("items", nonempty=True)
                )
            )
            table.done()
        return tuple(out)


@dataclass(frozen=True)
class _Refs:
    """Names a runbook step may refer to."""

    sources: set[str]
    presets: set[str]
