"""The post-mortem document: the playbook's template filled from the incident, as Markdown.

Every value comes from the incident and is escaped (`markdown`): the template is the
playbook author's Markdown, the values are untrusted. What of the record the template has no
placeholder for (the timeline, action items, pinned log lines, commands run, comms sent, the
metrics) is added after it under its own heading, so a playbook written before those existed
still gets the whole record. A section
nobody has written yet reads `comms.POSTMORTEM_TODO`: the document is a draft to finish.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import shlex
import string
from collections.abc import Callable, Mapping
from datetime import datetime

from warroom.incident import markdown
from warroom.incident.comms import (
    MOMENT_LABELS,
    POSTMORTEM_TODO,
    clock,
    postmortem_fields,
)
from warroom.incident.events import (
    COMMAND_RUN,
    COMMS_COPIED,
    COMMS_PUBLISHED,
    LOG_PINNED,
    NOTE_ADDED,
)
from warroom.incident.metrics import Metric
from warroom.incident.state import IncidentState
from warroom.playbook import Playbook
from warroom.safetext import masked

WRITTEN_BLOCKS = ("root_cause", "went_well", "went_wrong", "lessons")
"""Sections a person writes that may hold several paragraphs or a `- ` list."""

EXTRA_SECTIONS: dict[str, str] = {
    "timeline": "Timeline",
    "action_items": "Action Items",
    "pinned_lines": "Pinned Log Lines",
    "commands_run": "Commands Run",
    "comms_sent": "Communications Sent",
    "metrics": "Metrics",
}
"""The record of the incident, with the heading each part gets when the template does not
place it (the shipped one places the timeline and action items; a short one may not)."""


class _Writer:
    def __init__(self, state: IncidentState, playbook: Playbook, now: datetime) -> None:
        self.state, self.playbook, self.now = state, playbook, now
        self.zone = playbook.settings.display_timezone
        self.first = state.timeline[0].at if state.timeline else state.declared_at

    def clean(self, text: str) -> str:
        return masked(text, self.playbook.secrets)

    def when(self, at: datetime) -> str:
        return clock(at, self.zone, today=self.first)

    def timeline(self) -> str:
        """Key moments and notes in time order, one list item each."""
        # Only moments someone recorded: the declaration is listed as what it is, not
        # passed off as the detection.
        declared = f"- {self.when(self.state.declared_at)}: **Incident declared**"
        rows: list[tuple[datetime, int, str]] = [(self.state.declared_at, 0, declared)]
        for order, (moment, at) in enumerate(self.state.moments.items()):
            label = MOMENT_LABELS.get(moment, moment)
            rows.append((at, -1 - order, f"- {self.when(at)}: **{markdown.inline(label)}**"))
        for entry in self.state.timeline:
            if entry.kind == NOTE_ADDED:
                text = markdown.inline(self.clean(entry.full_text))
                by = markdown.inline(entry.actor)
                rows.append((entry.at, entry.seq, f"- {self.when(entry.at)}: {text} ({by})"))
        return "\n".join(row for _at, _order, row in sorted(rows))

    def pinned_lines(self) -> str:
        pins = [entry for entry in self.state.timeline if entry.kind == LOG_PINNED]
        if not pins:
            return "None pinned."
        lines = []
        for entry in pins:
            payload = entry.event.payload
            source, line = str(payload.get("source", "")), str(payload.get("line", ""))
            lines.append(self.clean(f"{self.when(entry.at)} [{source}] {line}"))
        return markdown.fenced("\n".join(lines))

    def commands_run(self) -> str:
        runs = [entry for entry in self.state.timeline if entry.kind == COMMAND_RUN]
        if not runs:
            return "None run from warroom."
        parts = []
        for entry in runs:
            payload = entry.event.payload
            argv = payload.get("argv")
            argv_text = shlex.join(str(arg) for arg in argv) if isinstance(argv, list) else ""
            head = (
                f"- {self.when(entry.at)}: **{markdown.inline(str(payload.get('name', '?')))}**"
                f" — {markdown.inline(self.clean(str(payload.get('summary', ''))))}"
                f" ({markdown.inline(entry.actor)})"
            )
            parts.append(f"{head}\n\n{_indent(markdown.fenced(self.clean('$ ' + argv_text)))}")
        return "\n\n".join(parts)

    def comms_sent(self) -> str:
        # What reached people: copies, and the publishes a status page or chat accepted.
        sent = [
            entry
            for entry in self.state.timeline
            if entry.kind == COMMS_COPIED
            or (entry.kind == COMMS_PUBLISHED and entry.event.payload.get("ok") is True)
        ]
        if not sent:
            return "None sent."
        parts = []
        for entry in sent:
            payload = entry.event.payload
            how = payload.get("via") or payload.get("target")
            via = f" via {how}" if how else ""
            head = markdown.inline(f"{payload.get('template', '?')}{via} ({entry.actor})")
            text = self.clean(str(payload.get("text", "")))
            parts.append(f"- {self.when(entry.at)}: {head}\n\n{_indent(markdown.fenced(text))}")
        return "\n\n".join(parts)

    def action_items(self) -> str:
        if not self.state.actions:
            return POSTMORTEM_TODO
        rows = []
        for item in self.state.actions:
            box = "x" if item.done else " "
            details = [f"#{item.key}"]
            if item.owner:
                details.append(f"owner {item.owner}")
            if item.due is not None:
                details.append(f"due {clock(item.due, self.zone, today=self.now)}")
            if item.stage:
                details.append(item.stage)
            text = markdown.inline(self.clean(item.text))
            rows.append(f"1. [{box}] {text} ({markdown.inline(', '.join(details))})")
        return "\n".join(rows)


def _indent(text: str) -> str:
    # A block inside a list item stays in it when indented past the marker.
    return "\n".join(f"   {line}" if line else line for line in text.split("\n"))


def metrics_list(found: list[Metric]) -> str:
    """The metrics as a list: label, value, and how it was computed."""
    return "\n".join(
        f"- **{markdown.inline(metric.label)}**: {markdown.inline(metric.value)}."
        f" {markdown.inline(metric.how)}"
        for metric in found
    )


def markdown_fields(
    state: IncidentState, playbook: Playbook, *, now: datetime, metrics: list[Metric]
) -> dict[str, str]:
    """Every placeholder of the post-mortem, as Markdown ready to put in the template."""
    writer = _Writer(state, playbook, now)
    derived = postmortem_fields(state, playbook, now=now)
    written = {name: text for name, text in state.postmortem.items() if text.strip()}
    filled: dict[str, str] = {}
    for name, value in {**derived, **written}.items():
        render: Callable[[str], str] = markdown.block if name in WRITTEN_BLOCKS else markdown.inline
        filled[name] = render(writer.clean(value)) or POSTMORTEM_TODO
    generated: Mapping[str, Callable[[], str]] = {
        "timeline": writer.timeline,
        "pinned_lines": writer.pinned_lines,
        "commands_run": writer.commands_run,
        "comms_sent": writer.comms_sent,
        "action_items": writer.action_items,
        "metrics": lambda: metrics_list(metrics),
    }
    filled.update({name: make() for name, make in generated.items()})
    return filled


def render_markdown(
    state: IncidentState, playbook: Playbook, *, now: datetime, metrics: list[Metric]
) -> str:
    """The post-mortem document, ending with a newline."""
    filled = markdown_fields(state, playbook, now=now, metrics=metrics)
    template = playbook.postmortem_template or "# Post-mortem: {incident_id}\n"
    used = {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}
    extra = "".join(
        f"\n\n## {heading}\n{{{name}}}"
        for name, heading in EXTRA_SECTIONS.items()
        if name not in used
    )
    # Before the closing rule and what follows it (the blameless reminder), if there is one.
    body, rule, closing = template.rpartition("\n---\n")
    if rule:
        template = f"{body.rstrip(chr(10))}{extra}\n{rule}{closing}"
    else:
        template = template.rstrip("\n") + extra
    # Filled by hand, not str.format: a value holding braces is never read as a template.
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(filled.get(name, POSTMORTEM_TODO))
    return "".join(out).rstrip("\n") + "\n"
