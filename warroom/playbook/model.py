"""The playbook: `playbook.toml` loaded and validated into immutable records.

The records are NamedTuples, not frozen dataclasses: every start builds these ~30 classes
before its first frame, and Python 3.11 compiles five or six methods for each frozen
dataclass (about 0.5 ms a class) where a NamedTuple costs one (about 0.08 ms). Change one
with `._replace(...)`.

Who reads what: the CLI loads the playbook once, before any screen is drawn; every other
module receives the resulting `Playbook` and never touches the file again. A playbook that
is wrong in any way raises `PlaybookError` carrying `PATH:LINE: what is wrong` lines.

Durations are strings ("30s", "5m", "1h", "2d") held as `timedelta`; commands are argv lists,
never shell strings; `${VAR}` is read from the environment at load (`$${VAR}` stays literal).

This is the schema (README's "The playbook" lists every table; `model_signals` holds
[[runbook.signal]], `model_runbooks` the runbooks and emergency commands, `model_publish`
[status_page], [chat] and [paging]);
`warroom.playbook.loader` reads and checks the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal, NamedTuple

from warroom.playbook.keys import KeyRemap
from warroom.playbook.model_publish import ChatTarget, PagingTarget, StatusPageTarget
from warroom.playbook.model_runbooks import (
    EmergencyCommand,
    Runbook,
    Step,
)

SEVERITY_LEVELS = ("P0", "P1", "P2", "P3")
"""The levels a playbook defines, each once."""

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

TemplateFor = Literal["open", "resolved", "any"]
"""Which incident status a template is written for (`[template.NAME] for_status`)."""
TEMPLATE_FOR: dict[TemplateName, TemplateFor] = {"resolved": "resolved", "email": "resolved"}
"""`for_status` when the file does not say: the after-the-fact texts are for a resolved
incident, the status updates (investigating, identified, monitoring) for an open one."""

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
    "pinned_lines": "the log lines pinned during the incident (added after the template if unused)",
    "commands_run": "the commands run from warroom, with how each ended (likewise)",
    "comms_sent": "every status text copied or published, exactly as sent (likewise)",
    "metrics": "durations and targets, each with how it was computed (likewise)",
}
"""Every placeholder the post-mortem template may use."""


SERVICE_INTERVAL = timedelta(seconds=10)
PROVIDER_INTERVAL = timedelta(seconds=60)
POLL_TIMEOUT = timedelta(seconds=5)
SLOW_ANSWER = timedelta(seconds=2)
STALE_AFTER = timedelta(seconds=60)
"""Defaults of the polls and tails, named for the loader (a NamedTuple's class attribute is
its field, not its default)."""


class PlaybookError(Exception):
    """A playbook that cannot be used; `problems` are `PATH:LINE: what is wrong` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(NamedTuple):
    product: str
    """Product name used in communication ("The Slurpy Team")."""
    display_timezone: str = "UTC"
    """IANA zone in which times are shown; everything is stored in UTC."""
    status_update_interval: timedelta = timedelta(minutes=15)
    """How often the status page promises an update."""
    postmortem_link: str = ""
    """Where the post-mortem will be published; empty until known."""
    capture_max_lines: int = 1_000_000
    """Log lines kept with each incident for the offline review; the newest are kept."""
    read_only: bool = False
    """Refuse destructive commands (as `--read-only` does), e.g. on a reviewer's machine."""
    repository: str = ""  # a git checkout whose recent commits are shown, from the playbook's dir
    theme: str = ""
    """The war room's theme (a file in `themes/` or the user's); empty: the default."""


class Severity(NamedTuple):
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

    @property
    def choice_label(self) -> str:
        """One line for picking a severity: 'P1  High: Urgent (< 1 hour)'."""
        return f"{self.level}  {self.name}: {self.summary} ({self.response_label})"


class BodyCheck(NamedTuple):
    """A condition on a JSON body: the value at dotted `path` must equal `equals`."""

    path: str
    """Dotted path into the JSON body, without the leading dot ("status", "checks.db.ok");
    the playbook may write it jq-style (".status")."""
    equals: str | int | float | bool
    """The value a healthy answer has there."""


class Service(NamedTuple):
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
    interval: timedelta = SERVICE_INTERVAL
    """Time between two polls."""
    timeout: timedelta = POLL_TIMEOUT
    """A poll with no complete answer by then counts as a failure."""
    slow: timedelta = SLOW_ANSWER
    """Answers slower than this are `degraded`."""
    failures_to_down: int = 2
    """Consecutive failures before the service shows as down (one blip pages nobody)."""
    successes_to_up: int = 2
    """Consecutive good answers before a down service shows as up again."""


class Provider(NamedTuple):
    """A third party we depend on, judged by its public status page."""

    name: str
    """Display name ("Supabase"); external support entries refer to providers by it."""
    page: str
    """Base URL of an Atlassian-Statuspage-style page, no trailing slash;
    `/api/v2/summary.json` is polled."""
    interval: timedelta = PROVIDER_INTERVAL
    """Time between two polls."""
    timeout: timedelta = POLL_TIMEOUT
    """A poll with no complete answer by then counts as a failure."""
    failures_to_down: int = 2
    """Consecutive bad or unreadable answers before the provider shows as such."""
    successes_to_up: int = 2
    """Consecutive good answers before a down provider shows as up again."""


class LogSource(NamedTuple):
    """A command whose standard output is a live log tail (`fly logs --app APP`)."""

    name: str
    """Unique name shown in the logs region; runbook steps refer to sources by it."""
    command: tuple[str, ...]
    """argv of the tailing process; restarted whenever it exits."""
    service: str = ""
    """Name of the service these logs belong to, if any."""
    format: Literal["plain", "json"] = "plain"
    """`plain` for flyctl's coloured lines, `json` for `fly logs --json`."""
    stale_after: timedelta = STALE_AFTER
    """Restart the command when it has printed nothing for this long (flyctl can stall)."""


class LogPreset(NamedTuple):
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


class ChecklistItem(NamedTuple):
    id: str
    """Stable id, unique in the playbook; events refer to items by it."""
    text: str
    """What to do or confirm, as shown in the checklist."""
    moment: KeyMoment | None = None
    """Ticking this item sets that key moment."""


class Phase(NamedTuple):
    """A stage of the response workflow, written `window = ["5m", "15m"]` in the playbook."""

    name: str
    """Detection, Investigation, ..."""
    window_start: timedelta
    """When the phase should start, counted from the incident's declaration."""
    window_end: timedelta
    """When the phase should be done, counted from the incident's declaration."""
    items: tuple[ChecklistItem, ...]
    """The checklist, never empty."""


class EscalationLevel(NamedTuple):
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


class ExternalSupport(NamedTuple):
    provider: str
    """Name of a [[provider]]."""
    channels: tuple[str, ...]
    """Where to ask for help, best first."""


class Template(NamedTuple):
    name: TemplateName
    """One of TEMPLATE_NAMES."""
    title: str
    """Heading shown with it ("Status page update - Investigating")."""
    text: str
    """Body with `{placeholder}` fields from TEMPLATE_FIELDS."""
    subject: str = ""
    """E-mail subject line (email template only)."""
    for_status: TemplateFor = "open"
    """The incident status it is written for; copying it in another is warned about."""


class PostIncidentStage(NamedTuple):
    name: str
    """Immediate, Short-term, Long-term."""
    within: timedelta
    """Deadline counted from resolution."""
    items: tuple[str, ...]
    """Actions to take by then."""


class Playbook(NamedTuple):
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
    templates: dict[str, Template]
    secrets: frozenset[str] = frozenset()  # what ${VAR}s put in: never shown (safetext.masked)
    post_incident: tuple[PostIncidentStage, ...] = ()
    postmortem_template: str = ""
    """Markdown of the post-mortem document, with `{placeholders}` from POSTMORTEM_FIELDS."""
    quick_checks: tuple[Step, ...] = ()
    """The initial assessment: what to check in the first five minutes."""
    postmortem_guidance: tuple[str, ...] = ()
    """How to run the post-mortem (blameless: what to focus on, what not to)."""
    keys: tuple[KeyRemap, ...] = ()
    """`[keys]`: key bindings remapped by id (checked against the bindings by the UI)."""
    status_page: StatusPageTarget | None = None
    chat: ChatTarget | None = None
    paging: PagingTarget | None = None

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
