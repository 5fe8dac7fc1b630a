"""The playbook: `playbook.toml` read once, validated, and held as frozen typed objects.

`model` (with `model_signals`, `model_runbooks` and `model_publish`) is the schema and `loader`
reads the file into it: `checker` collects the problems and expands `${VAR}`, the
`sections_watch`, `sections_response`, `sections_signals`, `sections_comms` and
`sections_publish` modules read the file's tables through `toml_table`, and `toml_lines` finds
the line of each key. Nothing here does I/O after
`load_playbook` returns.
"""

from __future__ import annotations

from warroom.playbook.durations import MAX_DURATION, parse_duration
from warroom.playbook.loader import load_playbook
from warroom.playbook.model import (
    KEY_MOMENTS,
    POSTMORTEM_FIELDS,
    SEVERITY_LEVELS,
    TEMPLATE_FIELDS,
    TEMPLATE_NAMES,
    BodyCheck,
    ChecklistItem,
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
    Service,
    Settings,
    Severity,
    Template,
    TemplateFor,
    TemplateName,
)
from warroom.playbook.model_publish import (
    PAGERDUTY_EVENTS_URL,
    STATUSPAGE_API,
    ChatTarget,
    PagingTarget,
    StatusPageTarget,
)
from warroom.playbook.model_runbooks import (
    DEFAULT_COMMAND_TIMEOUT,
    EmergencyCommand,
    Runbook,
    Solution,
    Step,
)
from warroom.playbook.model_signals import (
    HealthSignal,
    LatencySignal,
    LogRateSignal,
    LogShareSignal,
    Signal,
)

__all__ = [
    "DEFAULT_COMMAND_TIMEOUT",
    "KEY_MOMENTS",
    "MAX_DURATION",
    "PAGERDUTY_EVENTS_URL",
    "POSTMORTEM_FIELDS",
    "SEVERITY_LEVELS",
    "STATUSPAGE_API",
    "TEMPLATE_FIELDS",
    "TEMPLATE_NAMES",
    "BodyCheck",
    "ChatTarget",
    "ChecklistItem",
    "EmergencyCommand",
    "EscalationLevel",
    "ExternalSupport",
    "HealthSignal",
    "KeyMoment",
    "LatencySignal",
    "LogPreset",
    "LogRateSignal",
    "LogShareSignal",
    "LogSource",
    "PagingTarget",
    "Phase",
    "Playbook",
    "PlaybookError",
    "PostIncidentStage",
    "Provider",
    "Runbook",
    "Service",
    "Settings",
    "Severity",
    "Signal",
    "Solution",
    "StatusPageTarget",
    "Step",
    "Template",
    "TemplateFor",
    "TemplateName",
    "load_playbook",
    "parse_duration",
]
