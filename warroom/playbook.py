"""The playbook: `playbook.toml` loaded and validated into frozen dataclasses.

Who reads what: the CLI loads the playbook once, before any screen is drawn; every other
module receives the resulting `Playbook` and never touches the file again. A playbook that
is wrong in any way raises `PlaybookError` carrying `PATH:LINE: what is wrong` lines.

Durations are written as strings ("30s", "5m", "1h", "2d") and held as `timedelta`.
Commands are argv lists, never shell strings. `${VAR}` in any string is read from the
environment at load time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

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
    actions: tuple[str, ...]


@dataclass(frozen=True)
class BodyCheck:
    """A condition on a JSON body: the value at dotted `path` must equal `equals`."""

    path: str
    equals: str | int | float | bool


@dataclass(frozen=True)
class Service:
    name: str
    url: str
    fly_app: str = ""
    body: BodyCheck | None = None
    expected_status: tuple[int, int] = (200, 299)
    """Inclusive range of HTTP status codes that count as a good answer."""
    interval: timedelta = timedelta(seconds=10)
    timeout: timedelta = timedelta(seconds=5)
    slow: timedelta = timedelta(seconds=2)
    """Answers slower than this are `degraded`."""
    failures_to_down: int = 2
    successes_to_up: int = 2


@dataclass(frozen=True)
class Provider:
    name: str
    page: str
    """Base URL of an Atlassian-Statuspage-style page; `/api/v2/summary.json` is polled."""
    interval: timedelta = timedelta(seconds=60)
    timeout: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class LogSource:
    name: str
    command: tuple[str, ...]
    service: str = ""
    """Name of the service these logs belong to, if any."""
    format: Literal["plain", "json"] = "plain"
    stale_after: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class LogPreset:
    name: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_level: str = ""
    ignore_case: bool = True


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    """Stable id, unique in the playbook; events refer to items by it."""
    text: str
    moment: KeyMoment | None = None
    """Ticking this item sets that key moment."""


@dataclass(frozen=True)
class Phase:
    name: str
    window_start: timedelta
    window_end: timedelta
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    name: str
    contact: str
    duties: tuple[str, ...]
    escalate_after: timedelta | None
    """Escalate to the next level if not resolved within this; None for the last level."""


@dataclass(frozen=True)
class ExternalSupport:
    provider: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One step of a runbook: a command to run, or a note for a human (or both)."""

    label: str
    command: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Solution:
    title: str
    when: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Runbook:
    name: str
    title: str
    symptoms: tuple[str, ...]
    diagnosis: tuple[Step, ...]
    solutions: tuple[Solution, ...]


@dataclass(frozen=True)
class EmergencyCommand:
    name: str
    group: str
    description: str
    command: tuple[str, ...]
    confirm: bool = True


@dataclass(frozen=True)
class Template:
    name: TemplateName
    title: str
    text: str
    """Body with `{placeholder}` fields from TEMPLATE_FIELDS."""
    subject: str = ""
    """E-mail subject line (email template only)."""


@dataclass(frozen=True)
class PostIncidentStage:
    name: str
    within: timedelta
    items: tuple[str, ...]


@dataclass(frozen=True)
class Playbook:
    path: Path
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

    def severity(self, level: str) -> Severity:
        for severity in self.severities:
            if severity.level == level:
                return severity
        raise KeyError(level)

    def item(self, item_id: str) -> ChecklistItem:
        for phase in self.phases:
            for item in phase.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)
