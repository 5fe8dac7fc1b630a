"""The playbook: `playbook.toml` read once, validated, and held as frozen typed objects.

`model` is the schema, `loader` reads and checks the file (with `toml_lines` and `toml_table`
for line numbers and key checks); nothing here does I/O after `load_playbook` returns.
"""

from __future__ import annotations

from warroom.playbook.loader import load_playbook
from warroom.playbook.model import (
    KEY_MOMENTS,
    MAX_DURATION,
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
    TemplateName,
    parse_duration,
)

__all__ = [
    "KEY_MOMENTS",
    "MAX_DURATION",
    "POSTMORTEM_FIELDS",
    "TEMPLATE_FIELDS",
    "TEMPLATE_NAMES",
    "BodyCheck",
    "ChecklistItem",
    "EmergencyCommand",
    "EscalationLevel",
    "ExternalSupport",
    "KeyMoment",
    "LogPreset",
    "LogSource",
    "Phase",
    "Playbook",
    "PlaybookError",
    "PostIncidentStage",
    "Provider",
    "Runbook",
    "Service",
    "Settings",
    "Severity",
    "Solution",
    "Step",
    "Template",
    "TemplateName",
    "load_playbook",
    "parse_duration",
]
