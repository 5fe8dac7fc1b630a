"""Reading how the response runs: [[severity]], [[phase]], [[escalation]],
[[external_support]], [[quick_check]], [[runbook]], [[emergency]] and [[post_incident]].

Each function reads its array of tables from the root table into model objects, reporting
problems through the tables. Quick checks and runbooks are both made of steps (`step`), and
a step may name a log source and a log preset: `StepRefs` holds the names it may use.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import NamedTuple, cast

from warroom.playbook.model import (
    KEY_MOMENTS,
    SEVERITY_LEVELS,
    ChecklistItem,
    EscalationLevel,
    ExternalSupport,
    KeyMoment,
    Phase,
    PostIncidentStage,
    Severity,
)
from warroom.playbook.model_runbooks import (
    DEFAULT_COMMAND_TIMEOUT,
    EmergencyCommand,
    Runbook,
    Solution,
    Step,
)
from warroom.playbook.sections_signals import SignalRefs, signals
from warroom.playbook.toml_table import REQUIRED, Table, check_unique


def severities(root: Table) -> tuple[Severity, ...]:
    tables = root.tables("severity", nonempty=True)
    out: list[Severity] = []
    for table in tables:
        out.append(
            Severity(
                level=table.choice("level", SEVERITY_LEVELS),
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
    check_unique(tables, "level", levels, "severity level")
    missing = [level for level in SEVERITY_LEVELS if level not in levels]
    if tables and missing:
        which = "level " + missing[0] if len(missing) == 1 else "levels " + ", ".join(missing)
        root.problem("severity", f"{which} missing; P0, P1, P2 and P3 are needed")
    return tuple(sorted(out, key=lambda s: s.level))


class StepRefs(NamedTuple):
    """Names a step may refer to: the log sources and log presets the file defines."""

    sources: set[str]
    presets: set[str]


def step(table: Table, refs: StepRefs, *, named: bool = False) -> Step:
    """A runbook step, or with `named` a quick check (which `warroom run` finds by name)."""
    label = table.text("label")
    out = Step(
        label=label,
        command=table.command("command", ()),
        note=table.text("note", ""),
        log_source=table.text("log_source", ""),
        preset=table.text("preset", ""),
        name=table.text("name", slug(label)) if named else "",
        confirm=table.flag("confirm", False),
        timeout=table.duration("timeout", DEFAULT_COMMAND_TIMEOUT),
        interactive=table.flag("interactive", False),
    )
    if out.interactive and not out.command:
        table.problem("interactive", "only a step with a command can be interactive")
    if out.log_source and out.log_source not in refs.sources:
        shown = table.shown("log_source", out.log_source)
        table.problem("log_source", f"no [[log_source]] is named {shown}")
    if out.preset and out.preset not in refs.presets:
        shown = table.shown("preset", out.preset)
        table.problem("preset", f"no [[log_preset]] is named {shown}")
    if not (out.command or out.note or out.log_source):
        table.problem(None, "a step needs a command, a note or a log_source")
    table.done()
    return out


def slug(label: str) -> str:
    """A label as a name: "Recent changes? Last commits" -> "recent-changes-last-commits"."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def quick_checks(root: Table, refs: StepRefs, commands: set[str]) -> tuple[Step, ...]:
    """The quick checks; `commands` are the [[emergency]] names, which `warroom run` also
    looks a name up in, so a quick check may not take one."""
    tables = root.tables("quick_check")
    out = tuple(step(t, refs, named=True) for t in tables)
    check_unique(tables, "name", [s.name for s in out], "quick check name")
    for table, check in zip(tables, out, strict=True):
        if check.name in commands:
            shown = table.shown("name", check.name)
            table.problem("name", f"{shown} is also the name of an [[emergency]] command")
    return out


def phases(root: Table) -> tuple[Phase, ...]:
    out: list[Phase] = []
    item_tables: list[Table] = []
    items_seen: list[ChecklistItem] = []
    for table in root.tables("phase", nonempty=True):
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
    check_unique(item_tables, "id", [i.id for i in items_seen], "checklist item id")
    moments = [i.moment or "" for i in items_seen]
    with_moment = [(t, m) for t, m in zip(item_tables, moments, strict=True) if m]
    check_unique([t for t, _ in with_moment], "moment", [m for _, m in with_moment], "moment")
    return tuple(out)


def escalation(root: Table) -> tuple[EscalationLevel, ...]:
    tables = root.tables("escalation")
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
    check_unique(tables, "level", [str(e.level) for e in out], "escalation level")
    return tuple(out)


def support(root: Table, provider_names: set[str]) -> tuple[ExternalSupport, ...]:
    out: list[ExternalSupport] = []
    for table in root.tables("external_support"):
        provider = table.text("provider")
        if provider and provider not in provider_names:
            shown = table.shown("provider", provider)
            table.problem("provider", f"no [[provider]] is named {shown}")
        out.append(ExternalSupport(provider, table.strs("channels", nonempty=True)))
        table.done()
    return tuple(out)


def runbooks(root: Table, refs: StepRefs, signal_refs: SignalRefs) -> tuple[Runbook, ...]:
    tables = root.tables("runbook")
    out: list[Runbook] = []
    for table in tables:
        solutions: list[Solution] = []
        for solution in table.tables("solution"):
            steps = tuple(step(t, refs) for t in solution.tables("step", nonempty=True))
            solutions.append(Solution(solution.text("title"), solution.text("when", ""), steps))
            solution.done()
        out.append(
            Runbook(
                name=table.text("name"),
                title=table.text("title"),
                symptoms=table.strs("symptoms"),
                diagnosis=tuple(step(t, refs) for t in table.tables("diagnosis")),
                solutions=tuple(solutions),
                signals=signals(table, signal_refs),
            )
        )
        table.done()
    check_unique(tables, "name", [r.name for r in out], "runbook name")
    return tuple(out)


def emergency(root: Table) -> tuple[EmergencyCommand, ...]:
    tables = root.tables("emergency")
    out: list[EmergencyCommand] = []
    for table in tables:
        out.append(
            EmergencyCommand(
                name=table.text("name"),
                group=table.text("group", ""),
                description=table.text("description", ""),
                command=table.command("command"),
                confirm=table.flag("confirm", True),
                timeout=table.duration("timeout", DEFAULT_COMMAND_TIMEOUT),
                interactive=table.flag("interactive", False),
            )
        )
        if out[-1].interactive and "timeout" in table.data:
            table.problem("timeout", "an interactive command has the terminal until it exits")
        table.done()
    check_unique(tables, "name", [c.name for c in out], "emergency command name")
    return tuple(out)


def post_incident(root: Table) -> tuple[PostIncidentStage, ...]:
    out: list[PostIncidentStage] = []
    for table in root.tables("post_incident"):
        out.append(
            PostIncidentStage(
                table.text("name"), table.duration("within"), table.strs("items", nonempty=True)
            )
        )
        table.done()
    return tuple(out)
