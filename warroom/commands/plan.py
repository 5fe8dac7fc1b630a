"""What may run, and how: a playbook command made ready (placeholders filled, confirmation and
read-only checked) or refused with a sentence saying why. Pure: nothing here starts a process.

A `Runnable` is an emergency command, a quick check or a runbook step with a command. Its
argv stays a list from the playbook to `execve`: no shell ever sees it, so a value such as
`x; touch pwned` is one argument. `<placeholders>` are filled only from values the caller
hands in (typed, or picked from a command's own output), never from log lines or HTTP bodies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Literal, NamedTuple

from warroom.playbook import DEFAULT_COMMAND_TIMEOUT, EmergencyCommand, Playbook, Step
from warroom.safetext import masked

PLACEHOLDER = re.compile(r"<([A-Za-z0-9][A-Za-z0-9_.-]*)>")
"""`<machine-id>`, `<image-ref>`, `<sk_live_new>`: a whole argv element or part of one
(`KEY=<new-key>`)."""

Kind = Literal["emergency", "quick check", "step"]


class Runnable(NamedTuple):
    """A command from the playbook that warroom can run."""

    name: str
    """The emergency command's or quick check's name; a step's label."""
    argv: tuple[str, ...]
    """As the playbook wrote it, `<placeholders>` unfilled."""
    kind: Kind
    group: str = ""
    """Heading an emergency command is listed under ("Quick rollback"); "" otherwise."""
    description: str = ""
    confirm: bool = False
    """Destructive: needs `confirmation_word` typed, and read-only refuses it."""
    timeout: timedelta = DEFAULT_COMMAND_TIMEOUT
    interactive: bool = False
    """It gets the terminal (`fly ssh console`): run with `interactive.launch`, not CommandRun."""

    @classmethod
    def from_emergency(cls, command: EmergencyCommand) -> Runnable:
        return cls(
            name=command.name,
            argv=command.command,
            kind="emergency",
            group=command.group,
            description=command.description,
            confirm=command.confirm,
            timeout=command.timeout,
            interactive=command.interactive,
        )

    @classmethod
    def from_step(cls, step: Step, *, kind: Kind = "step") -> Runnable:
        """A quick check (`kind="quick check"`) or runbook step; it must have a command."""
        if not step.command:
            raise ValueError(f"the step {step.label!r} has no command to run")
        return cls(
            name=step.name or step.label,
            argv=step.command,
            kind=kind,
            description=step.label,
            confirm=step.confirm,
            timeout=step.timeout,
            interactive=step.interactive,
        )

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The names of its `<placeholders>`, in order of first appearance."""
        return tuple(dict.fromkeys(m.group(1) for a in self.argv for m in PLACEHOLDER.finditer(a)))

    @property
    def confirmation_word(self) -> str:
        """What must be typed to run it when destructive: its Fly app (`--app X`, `-a X`),
        else its name."""
        return fly_app(self.argv) or self.name


def fly_app(argv: Sequence[str]) -> str | None:
    """The app an argv names with `--app X`, `-a X`, `--app=X` or `-a=X`; None if none."""
    for index, element in enumerate(argv):
        if element in ("--app", "-a") and index + 1 < len(argv):
            return argv[index + 1]
        for prefix in ("--app=", "-a="):
            if element.startswith(prefix):
                return element.removeprefix(prefix)
    return None


def runnables(playbook: Playbook) -> tuple[Runnable, ...]:
    """What `warroom run` can run by name: every emergency command, then every quick check
    that has a command (the loader keeps their names apart)."""
    emergency = tuple(Runnable.from_emergency(c) for c in playbook.emergency_commands)
    checks = tuple(
        Runnable.from_step(check, kind="quick check")
        for check in playbook.quick_checks
        if check.command
    )
    return emergency + checks


def find(playbook: Playbook, name: str) -> Runnable:
    """The emergency command or quick check called `name`; KeyError if none is."""
    for runnable in runnables(playbook):
        if runnable.name == name:
            return runnable
    raise KeyError(name)


def for_argv(playbook: Playbook, argv: Sequence[str], name: str) -> Runnable:
    """What runs `argv` as `name`: the quick check or runbook step of the playbook with that
    command (its confirm, timeout and interactive flags hold), else an undeclared step,
    which is not destructive."""
    steps = [*playbook.quick_checks]
    for runbook in playbook.runbooks:
        steps += runbook.diagnosis
        steps += [step for solution in runbook.solutions for step in solution.steps]
    for step in steps:
        if step.command == tuple(argv):
            return Runnable.from_step(step)._replace(name=name)
    return Runnable(name=name, argv=tuple(argv), kind="step")


class Refusal(StrEnum):
    READ_ONLY = "read-only"
    NOT_CONFIRMED = "not confirmed"
    UNFILLED = "unfilled placeholder"
    BAD_VALUE = "bad value"


class Refused(Exception):
    """Nothing was run; `str(self)` is one sentence saying why, `reason` which rule it was."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def prepare(
    runnable: Runnable,
    values: Mapping[str, str] | None = None,
    *,
    confirmation: str | None = None,
    read_only: bool = False,
) -> tuple[str, ...]:
    """The argv to run: `runnable`'s with each `<placeholder>` replaced by `values[name]`.

    Raises Refused when `read_only` and the command is destructive, when a placeholder has
    no value (or a value is given for none), when a value could be read as an option, or
    when a destructive command's `confirmation` is not exactly its `confirmation_word`.
    """
    values = {name.strip("<>"): value for name, value in (values or {}).items()}
    if read_only and runnable.confirm:
        raise Refused(
            Refusal.READ_ONLY,
            f"{runnable.name} is destructive and this warroom is read-only "
            "(--read-only or the playbook's read_only): nothing was run.",
        )
    wanted = runnable.placeholders
    unknown = [name for name in values if name not in wanted]
    if unknown:
        takes = f"it takes {_listed(wanted)}" if wanted else "it has no placeholders"
        raise Refused(
            Refusal.BAD_VALUE, f"{runnable.name} has no <{unknown[0]}>: {takes}; nothing was run."
        )
    missing = [name for name in wanted if not values.get(name)]
    if missing:
        sets = " ".join(f"--set {name}=..." for name in missing)
        raise Refused(
            Refusal.UNFILLED,
            f"{runnable.name} needs a value for {_listed(missing)} ({sets}); nothing was run.",
        )
    for name in wanted:
        if values[name].startswith("-"):
            raise Refused(
                Refusal.BAD_VALUE,
                f"The value for <{name}> starts with '-' and would be read as an option; "
                "nothing was run.",
            )
    if runnable.confirm and (confirmation or "").strip() != runnable.confirmation_word:
        typed = (confirmation or "").strip()
        why = f"{typed!r} is not {runnable.confirmation_word!r}" if typed else "none was given"
        raise Refused(
            Refusal.NOT_CONFIRMED,
            f"{runnable.name} is destructive: confirm it with the app name "
            f"{runnable.confirmation_word!r} ({why}); nothing was run.",
        )
    # One pass per element: a value is never scanned again, so `<x>` inside one stays as typed.
    return tuple(PLACEHOLDER.sub(lambda m: values[m.group(1)], arg) for arg in runnable.argv)


def masked_argv(argv: Iterable[str], secrets: Iterable[str]) -> tuple[str, ...]:
    """`argv` as it may be shown or recorded: every `${VAR}` value replaced by `•••`."""
    secrets = tuple(secrets)
    return tuple(masked(element, secrets) for element in argv)


def _listed(names: Sequence[str]) -> str:
    return ", ".join(f"<{name}>" for name in names)
