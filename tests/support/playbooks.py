"""Playbooks for tests: the shipped one with nothing to poll or tail, and small ones built
from the records of `warroom.playbook`, independent of playbook.toml."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.playbook import (
    EscalationLevel,
    Phase,
    Playbook,
    Settings,
    Severity,
    load_playbook,
)


def quiet_playbook(*, zone: str | None = None) -> Playbook:
    """The shipped playbook with nothing to poll or tail: only the incident is on screen."""
    shipped = load_playbook(SHIPPED_PLAYBOOK)
    settings = shipped.settings
    if zone is not None:
        settings = settings._replace(display_timezone=zone)
    return shipped._replace(services=(), providers=(), log_sources=(), settings=settings)


LADDER = (
    EscalationLevel(1, "On-call", "pager", (), timedelta(minutes=30)),
    EscalationLevel(2, "Tech lead", "lead@example.com", (), timedelta(minutes=60)),
    EscalationLevel(3, "CTO", "cto@example.com", (), None),
)
"""Three rungs: on-call after 30 minutes, the tech lead after an hour, then the top."""


def small_playbook(
    *,
    severities: tuple[Severity, ...],
    phases: tuple[Phase, ...],
    escalation: tuple[EscalationLevel, ...] = LADDER,
) -> Playbook:
    """Product "Test", an update due every 15 minutes, and only the parts a test gives."""
    return Playbook(
        path=Path("test.toml"),
        settings=Settings(product="Test", status_update_interval=timedelta(minutes=15)),
        severities=severities,
        services=(),
        providers=(),
        log_sources=(),
        log_presets=(),
        phases=phases,
        escalation=escalation,
        external_support=(),
        runbooks=(),
        emergency_commands=(),
        templates={},
    )
