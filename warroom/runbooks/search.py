"""Finding runbooks by what a responder types: every word must occur in the runbook's text."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator

from warroom.playbook.model_runbooks import Runbook, Step


def searched_text(runbook: Runbook) -> str:
    """Everything the browser shows of `runbook`, in one lower-case string."""
    parts = [runbook.name, runbook.title, *runbook.symptoms]
    parts += [part for step in runbook.diagnosis for part in _step_parts(step)]
    for solution in runbook.solutions:
        parts += [solution.title, solution.when]
        parts += [part for step in solution.steps for part in _step_parts(step)]
    return "\n".join(parts).casefold()


def _step_parts(step: Step) -> Iterator[str]:
    yield step.label
    yield step.note
    yield shlex.join(step.command)
    yield step.log_source
    yield step.preset


def matching(runbooks: Iterable[Runbook], query: str) -> list[Runbook]:
    """The runbooks whose text holds every word of `query` (any case), in their order."""
    words = query.casefold().split()
    return [r for r in runbooks if all(word in searched_text(r) for word in words)]
