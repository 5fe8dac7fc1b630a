"""The schema of the runbooks and emergency commands: `[[runbook]]`, its diagnosis and solution
steps, `[[quick_check]]` (steps too) and `[[emergency]]`.

Each runnable thing is an argv with its own timeout and confirmation; `warroom.commands` turns
them into runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from warroom.playbook.model_signals import Signal

DEFAULT_COMMAND_TIMEOUT = timedelta(minutes=2)
"""How long a step's or emergency command's run may take before its process group is killed."""


class Step(NamedTuple):
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
    name: str = ""
    """A quick check's id for `warroom run` (default: its label as a slug); "" elsewhere."""
    confirm: bool = False
    """Destructive: running it needs the Fly app name typed."""
    timeout: timedelta = DEFAULT_COMMAND_TIMEOUT
    """A run still going after this is killed."""
    interactive: bool = False
    """It needs a terminal of its own (`fly ssh console`): no output is captured, no timeout."""


class Solution(NamedTuple):
    """One way out of a runbook's problem."""

    title: str
    """Short name ("Roll back deployment")."""
    when: str
    """When it applies ("Quick fix", "If recent deploy")."""
    steps: tuple[Step, ...]
    """What to do, in order; never empty."""


class Runbook(NamedTuple):
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
    signals: tuple[Signal, ...] = ()  # [[runbook.signal]]: what makes the war room suggest it


class EmergencyCommand(NamedTuple):
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
    """Destructive: running it needs the Fly app name typed."""
    timeout: timedelta = DEFAULT_COMMAND_TIMEOUT
    """A run still going after this is killed."""
    interactive: bool = False
    """It needs a terminal of its own (`fly ssh console`): no output is captured, no timeout."""
