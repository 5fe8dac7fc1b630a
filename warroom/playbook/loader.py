"""Loading `playbook.toml`: read, expand `${VAR}`, validate, build the frozen `Playbook`.

`load_playbook` parses the file with `tomllib`, asks `_toml_lines.locate` where every key
is, and hands both to `_Checker`, which reads each table through `_toml_table.Table` and
collects every problem as `PATH:LINE: what is wrong`. The schema lives in `warroom.playbook`,
which is also where callers import `load_playbook` from.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.playbook.model import (
    KEY_MOMENTS,
    POSTMORTEM_FIELDS,
    TEMPLATE_FIELDS,
    TEMPLATE_NAMES,
    BodyCheck,
    ChecklistItem,
    EmergencyCommand,
    EscalationLevel,
    ExternalSupport,
    KeyMoment,
    LogPreset,
    LogSource,
    Phase,
    Playbook,
    PlaybookError,
    PostIncidentStage,
    Provider,
    Runbook,
    Service,
    Settings,
    Severity,
    Solution,
    Step,
    Template,
)
from warroom.playbook.toml_lines import KeyPath, locate
from warroom.playbook.toml_table import REQUIRED, Table, describe, show

_ENV_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LEVELS = ("P0", "P1", "P2", "P3")
_MIN_LEVELS = ("", "debug", "info", "warn", "error")


def load_playbook(path: Path, env: Mapping[str, str] | None = None) -> Playbook:
    """The work behind `warroom.playbook.load_playbook`, which callers use (see there)."""
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
    checker = _Checker(path, locate(text), os.environ if env is None else env)
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


class _Checker:
    """Builds a `Playbook` from parsed TOML, collecting every problem on the way."""

    def __init__(self, path: Path, lines: dict[KeyPath, int], env: Mapping[str, str]) -> None:
        self.path = path
        self.lines = lines
        self.env = env
        self.problems: list[tuple[int, str]] = []
        """(line, message) pairs."""
        # Strings whose ${VAR} could not be expanded: already reported, and whatever else is
        # wrong with them follows from that.
        self.unexpanded: set[KeyPath] = set()
        # Strings into which ${VAR} put something, as the file wrote them and as expanded:
        # problems with them name the reference, never the value (it may be a secret).
        self.written: dict[KeyPath, tuple[str, str]] = {}

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

    def shown(self, where: KeyPath, value: str) -> str:
        """`value`, found at or under `where`, as a message may show it (see `describe`)."""
        return describe(self.source(where, value), value)

    def unique(self, tables: list[Table], key: str, values: list[str], what: str) -> None:
        seen: set[str] = set()
        for table, value in zip(tables, values, strict=True):
            if value in seen:
                table.problem(key, f"duplicate {what} {table.shown(key, value)}")
            seen.add(value)

    def playbook(self, data: dict[str, Any]) -> Playbook:
        root = Table(self, (), data)
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

    def settings(self, table: Table | None) -> Settings:
        if table is None:
            return Settings(product="")
        zone = table.text("display_timezone", "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            shown = table.shown("display_timezone", zone)
            table.problem("display_timezone", f"{shown} is not a known IANA time zone")
        settings = Settings(
            product=table.text("product"),
            display_timezone=zone,
            status_update_interval=table.duration("status_update_interval", timedelta(minutes=15)),
            postmortem_link=table.url("postmortem_link", ""),
            capture_max_lines=table.integer("capture_max_lines", 1_000_000, minimum=1),
        )
        table.done()
        return settings

    def severities(self, tables: list[Table]) -> tuple[Severity, ...]:
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

    def services(self, tables: list[Table]) -> tuple[Service, ...]:
        out: list[Service] = []
        for table in tables:
            body = None
            body_table = table.table("body", None)
            if body_table is not None:
                path = body_table.text("path")
                equals = body_table.get("equals", (str, int, float, bool), "a value", REQUIRED)
                body = BodyCheck(path=path.lstrip("."), equals=equals)
                body_table.done()
                if path and not re.fullmatch(r"\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", path):
                    shown = body_table.shown("path", path)
                    body_table.problem("path", f"{shown} is not a dotted path like '.status'")
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

    def providers(self, tables: list[Table]) -> tuple[Provider, ...]:
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

    def log_sources(self, tables: list[Table], services: set[str]) -> tuple[LogSource, ...]:
        out: list[LogSource] = []
        for table in tables:
            service = table.text("service", "")
            if service and service not in services:
                shown = table.shown("service", service)
                table.problem("service", f"no [[service]] is named {shown}")
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

    def presets(self, tables: list[Table]) -> tuple[LogPreset, ...]:
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
                        where = (*table.path, key, index)
                        # re's own message may quote part of the pattern, so when some of it
                        # came from the environment only the position where it broke is said.
                        what = f"{self.shown(where, pattern)}: {exc}"
                        if self.source(where, pattern) is not None:
                            what = f"in {self.shown(where, pattern)} (at position {exc.pos})"
                        self.problem(
                            where,
                            f"{show((*table.path, key))}[{index}]: bad regular expression {what}",
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

    def step(self, table: Table, refs: _Refs) -> Step:
        step = Step(
            label=table.text("label"),
            command=table.command("command", ()),
            note=table.text("note", ""),
            log_source=table.text("log_source", ""),
            preset=table.text("preset", ""),
        )
        if step.log_source and step.log_source not in refs.sources:
            shown = table.shown("log_source", step.log_source)
            table.problem("log_source", f"no [[log_source]] is named {shown}")
        if step.preset and step.preset not in refs.presets:
            shown = table.shown("preset", step.preset)
            table.problem("preset", f"no [[log_preset]] is named {shown}")
        if not (step.command or step.note or step.log_source):
            table.problem(None, "a step needs a command, a note or a log_source")
        table.done()
        return step

    def phases(self, tables: list[Table]) -> tuple[Phase, ...]:
        out: list[Phase] = []
        item_tables: list[Table] = []
        items_seen: list[ChecklistItem] = []
        for table in tables:
            window = table.strs("window", REQUIRED)
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

    def escalation(self, tables: list[Table]) -> tuple[EscalationLevel, ...]:
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

    def support(self, tables: list[Table], providers: set[str]) -> tuple[ExternalSupport, ...]:
        out: list[ExternalSupport] = []
        for table in tables:
            provider = table.text("provider")
            if provider and provider not in providers:
                shown = table.shown("provider", provider)
                table.problem("provider", f"no [[provider]] is named {shown}")
            out.append(ExternalSupport(provider, table.strs("channels", nonempty=True)))
            table.done()
        return tuple(out)

    def runbooks(self, tables: list[Table], refs: _Refs) -> tuple[Runbook, ...]:
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

    def emergency(self, tables: list[Table]) -> tuple[EmergencyCommand, ...]:
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

    def templates(self, table: Table | None, settings: Settings) -> dict[str, Template]:
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

    def placeholders(self, table: Table, key: str, text: str, fields: Mapping[str, str]) -> None:
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            table.problem(key, f"{exc} (write {{{{ and }}}} for literal braces)")
            return
        # Format errors quote nothing, but a placeholder's name may have come in with a ${VAR}:
        # only names the file itself writes are shown.
        written = table.checker.source((*table.path, key), text)
        in_file = _placeholders(written) if written is not None else None
        for _, name, spec, conversion in parsed:
            shown = f"{{{name}}}"
            if in_file is not None and (name, spec, conversion) not in in_file:
                references = ", ".join(f"${{{m.group(2)}}}" for m in _references(written or ""))
                shown = f"in the value of {references}"
            if name is not None and name not in fields:
                table.problem(key, f"unknown placeholder {shown}")
            elif spec or conversion:
                # Every field is filled with text, so a format spec could only break it.
                table.problem(key, f"placeholder {shown} takes no format spec or conversion")

    def post_incident(self, tables: list[Table]) -> tuple[PostIncidentStage, ...]:
        out: list[PostIncidentStage] = []
        for table in tables:
            out.append(
                PostIncidentStage(
                    table.text("name"), table.duration("within"), table.strs("items", nonempty=True)
                )
            )
            table.done()
        return tuple(out)


def _references(written: str) -> list[re.Match[str]]:
    """The `${VAR}` references in a string as the file wrote it (not the `$${VAR}` escapes)."""
    return [match for match in _ENV_REF.finditer(written) if not match.group(1)]


def _placeholders(written: str) -> set[tuple[str | None, str | None, str | None]]:
    """The placeholders (name, spec, conversion) a string as the file wrote it has, with no
    `${VAR}` expanded."""
    text = _ENV_REF.sub(lambda match: match.group()[1:] if match.group(1) else "", written)
    try:
        return {(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text)}
    except ValueError:
        return set()


@dataclass(frozen=True)
class _Refs:
    """Names a runbook step may refer to."""

    sources: set[str]
    presets: set[str]
