"""Runbook steps, quick checks and emergency commands, run for real: argv only, confirm,
timeout, cancel, and what to record.

- `plan`: what may run (`Runnable`, `runnables`, `find`) and `prepare`, which fills the
  `<placeholders>` from the caller's values and enforces confirmation and read-only, or
  raises `Refused` with the sentence to show. Pure.
- `runner`: `CommandRun` runs a prepared argv as its own process group, streams its output
  lines (made safe) to a listener, and ends in a `RunResult` whatever happens.
- `run_event` turns a `RunResult` into the `command.run` event to append beside its output
  (`EventStore.append_command_run`; `IncidentSession.record_command_run` in the war room).

A front end (the CLI's `warroom run`, the war room's panels) does, in order:
`runnable = find(playbook, name)`, `argv = prepare(runnable, values, confirmation=…,
read_only=…)`, `result = await CommandRun(runnable.name, argv, timeout=runnable.timeout,
on_output=…, secrets=playbook.secrets).run()`, then records `result`.
No Textual here.
"""

from __future__ import annotations

from warroom.commands.plan import (
    PLACEHOLDER,
    Refusal,
    Refused,
    Runnable,
    find,
    fly_app,
    for_argv,
    masked_argv,
    prepare,
    runnables,
)
from warroom.commands.runner import (
    MAX_STORED_BYTES,
    CommandRun,
    Outcome,
    OutputListener,
    RunResult,
)
from warroom.incident import NewEvent, command_run


def run_event(result: RunResult) -> NewEvent:
    """The `command.run` event recording `result` (its whole output goes beside it)."""
    return command_run(
        result.name,
        result.argv,
        outcome=str(result.outcome),
        exit_code=result.exit_code,
        summary=result.summary,
        duration=result.duration,
        output_head=result.head,
        output_tail=result.tail,
        output_chars=result.output_chars,
    )


__all__ = [
    "MAX_STORED_BYTES",
    "PLACEHOLDER",
    "CommandRun",
    "Outcome",
    "OutputListener",
    "Refusal",
    "Refused",
    "RunResult",
    "Runnable",
    "find",
    "fly_app",
    "for_argv",
    "masked_argv",
    "prepare",
    "run_event",
    "runnables",
]
