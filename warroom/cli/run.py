"""`warroom run ID NAME` and `warroom commands`: the playbook's commands from a shell.

`warroom run` runs one emergency command or quick check by name without the UI: it checks
the incident exists, fills `--set` values into the placeholders, refuses a destructive
command without the right `--confirm` (or under `--read-only`) before anything runs, prints
the output as it comes (made safe: `warroom.commands` hands over visible, masked lines),
records a `command.run` event with the output beside it, and exits with the command's code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from warroom.cli.options import BAD_INPUT, CommandError, Options, load, playbook_path
from warroom.commands import (
    CommandRun,
    Outcome,
    Refused,
    Runnable,
    RunResult,
    find,
    masked_argv,
    prepare,
    run_event,
    runnables,
)
from warroom.commands.interactive import run_in_terminal
from warroom.safetext import visible

if TYPE_CHECKING:
    from warroom.store import EventStore

EXIT_NOT_FOUND = 127
EXIT_FAILED_TO_START = 126
EXIT_TIMED_OUT = 124
EXIT_CANCELLED = 130
"""Exit codes for runs that did not end with one of their own, as shells and timeout(1) use."""


def exit_code(result: RunResult) -> int:
    """The command's own exit code when it exited, else the shell's code for what happened."""
    if result.outcome == Outcome.EXITED and result.exit_code is not None:
        return result.exit_code if result.exit_code >= 0 else 128 - result.exit_code
    return {
        Outcome.NOT_FOUND: EXIT_NOT_FOUND,
        Outcome.FAILED: EXIT_FAILED_TO_START,
        Outcome.TIMED_OUT: EXIT_TIMED_OUT,
    }.get(result.outcome, EXIT_CANCELLED)


def run_run(options: Options, args: argparse.Namespace) -> int:
    from warroom.cli.commands import assignments, with_store

    playbook = load(playbook_path(options))
    try:
        runnable = find(playbook, args.name)
    except KeyError:
        raise CommandError(
            f"No emergency command or quick check is named {args.name!r}: "
            "`warroom commands` lists them."
        ) from None
    read_only = options.read_only or playbook.settings.read_only
    values = assignments(args.assignments, what="PLACEHOLDER")
    try:
        argv = prepare(runnable, values, confirmation=args.confirm, read_only=read_only)
    except Refused as refused:
        raise CommandError(str(refused), BAD_INPUT) from None

    async def run(store: EventStore) -> RunResult:
        await store.incident(args.incident_id)  # raises UnknownIncident before anything runs
        shown = shlex.join(masked_argv(argv, playbook.secrets))
        print(f"Running {runnable.name}: {visible(shown, limit=2000)}", file=sys.stderr)
        if runnable.interactive:
            # It needs the terminal (`fly ssh console`): no pipes, no timeout, no output kept.
            result = run_in_terminal(runnable.name, argv)
            result = result._replace(argv=masked_argv(argv, playbook.secrets))
        else:
            result = await _run_printing(runnable, argv, playbook.secrets)
        if read_only:
            print("Not recorded: this warroom is read-only.", file=sys.stderr)
            return result
        new = run_event(result)
        await store.append_command_run(
            args.incident_id, new.payload, result.output, actor=options.actor
        )
        return result

    result = with_store(options, run, read_only=read_only)
    print(f"{runnable.name}: {visible(result.summary, limit=500)}", file=sys.stderr)
    return exit_code(result)


async def _run_printing(
    runnable: Runnable, argv: tuple[str, ...], secrets: frozenset[str]
) -> RunResult:
    def show(lines: Sequence[str]) -> None:
        # Already made visible and masked by the runner: plain text, no escape can act.
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        sys.stdout.flush()

    run = CommandRun(runnable.name, argv, timeout=runnable.timeout, on_output=show, secrets=secrets)
    loop = asyncio.get_running_loop()
    # Ctrl-C cancels the run (its whole process group), which is then recorded as such.
    loop.add_signal_handler(signal.SIGINT, run.cancel)
    try:
        return await run.run()
    finally:
        with contextlib.suppress(ValueError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


def run_commands(options: Options, args: argparse.Namespace) -> int:
    playbook = load(playbook_path(options))
    listed = [_described(runnable, playbook.secrets) for runnable in runnables(playbook)]
    if args.json:
        json.dump(listed, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    rows = [["name", "group", "destructive", "placeholders", "description"]]
    for entry in listed:
        confirm = f"yes: --confirm {entry['confirm_with']}" if entry["destructive"] else "no"
        placeholders = " ".join(f"<{name}>" for name in entry["placeholders"]) or "-"
        row = [entry["name"], entry["group"], confirm, placeholders, entry["description"]]
        rows.append([visible(str(cell), limit=200) for cell in row])
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]))
    return 0


def _described(runnable: Runnable, secrets: frozenset[str]) -> dict[str, Any]:
    return {
        "name": runnable.name,
        "kind": runnable.kind,
        "group": runnable.group or ("Quick checks" if runnable.kind == "quick check" else ""),
        "description": runnable.description,
        "destructive": runnable.confirm,
        "confirm_with": runnable.confirmation_word if runnable.confirm else None,
        "interactive": runnable.interactive,
        "placeholders": list(runnable.placeholders),
        "timeout_seconds": int(runnable.timeout.total_seconds()),
        "argv": list(masked_argv(runnable.argv, secrets)),
    }
