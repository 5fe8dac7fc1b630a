"""Interactive commands (`fly ssh console`): they need a terminal, so they are not run by
`CommandRun` with its pipes and timeout.

`plan_launch` decides how, from the environment alone: inside tmux (`$TMUX` set) a new
tmux window runs the argv itself (tmux execs several arguments without a shell, so the
argv stays a list); elsewhere the war room suspends and `run_in_terminal` hands the
terminal to the command until it exits. Either way the front end records a `RunResult`:
for a tmux window that of `tmux new-window` (the command then runs on its own), for the
terminal that of the command; no output is captured for either.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from warroom.commands.runner import Outcome, RunResult

How = Literal["tmux", "suspend"]


class Launch(NamedTuple):
    """How an interactive command is started: `argv` is what actually runs."""

    how: How
    argv: tuple[str, ...]


def plan_launch(name: str, argv: Sequence[str], environ: Mapping[str, str]) -> Launch:
    """A tmux window when `environ` says we are inside tmux, else the suspended terminal."""
    if environ.get("TMUX"):
        return Launch("tmux", ("tmux", "new-window", "-n", name, "--", *argv))
    return Launch("suspend", tuple(argv))


def run_in_terminal(name: str, argv: Sequence[str]) -> RunResult:
    """Run `argv` on this process's terminal (same process group, so it gets the keys) and
    wait for it; the caller must have stepped aside (`App.suspend`)."""
    started = time.monotonic()
    try:
        code: int | None = subprocess.run(list(argv), check=False).returncode
    except FileNotFoundError:
        where = "does not exist" if "/" in argv[0] else "is not on PATH"
        return terminal_result(name, argv, None, time.monotonic() - started, f"{argv[0]!r} {where}")
    except OSError as error:
        why = f"cannot run it: {error.strerror or error}"
        return terminal_result(name, argv, None, time.monotonic() - started, why)
    return terminal_result(name, argv, code, time.monotonic() - started)


def terminal_result(
    name: str, argv: Sequence[str], code: int | None, duration: float, why: str = ""
) -> RunResult:
    """The record of an interactive run: exit code and duration, no output (`why` set when
    it could not start)."""
    if code is None:
        outcome, summary = Outcome.NOT_FOUND, why or "it could not start"
    else:
        outcome, summary = Outcome.EXITED, f"exit {code} after {duration:.1f}s (interactive)"
    return RunResult(
        name=name,
        argv=tuple(argv),
        outcome=outcome,
        exit_code=code,
        duration=duration,
        output="",
        output_chars=0,
        head="",
        tail="",
        summary=summary,
    )
