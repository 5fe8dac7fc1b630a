"""Recent changes: each Fly app's latest releases and the repository's last commits.

What the playbook knows decides what is asked: every Fly app it names (a service's
`fly_app`, the `--app` of a log source, a step, a quick check or an emergency command) gets
`fly releases --json --app APP` (flyctl run as the log sources run it: `fly_program`), and
`[settings] repository`, when set, `git log --oneline -10` there. Each is run by
`CommandRun` like any playbook command (argv, timeout, process group); `changes` reads what
they printed. These runs are reads and are not recorded: they
change nothing, are refreshed at will, and what they show is the releases' own record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from warroom.commands.fleet import FleetError, Release, parse_releases
from warroom.commands.plan import PLACEHOLDER, fly_app
from warroom.commands.runner import CommandRun, Outcome, RunResult
from warroom.playbook import Playbook

READ_TIMEOUT = timedelta(seconds=30)
"""How long one `fly releases` or `git log` may take before it is killed."""
RELEASES_SHOWN = 5
"""Releases shown per app, newest first."""


class AppReleases(NamedTuple):
    app: str
    releases: tuple[Release, ...] = ()
    problem: str = ""
    """A sentence saying why there are no releases to show; "" when they were read."""


class Commits(NamedTuple):
    repository: str
    lines: tuple[str, ...] = ()
    problem: str = ""


def fly_program(playbook: Playbook) -> tuple[str, ...]:
    """How the playbook runs flyctl: what comes before `logs` in its first log source that
    tails with `logs` (`fly`, or the demo's stand-in); `fly` when none does."""
    for source in playbook.log_sources:
        if "logs" in source.command[1:]:
            return source.command[: source.command.index("logs", 1)]
    return ("fly",)


def fly_apps(playbook: Playbook) -> tuple[str, ...]:
    """Every Fly app the playbook names, in the order it first names them."""
    argvs: list[tuple[str, ...]] = [s.command for s in playbook.log_sources]
    argvs += [s.command for s in playbook.quick_checks]
    for runbook in playbook.runbooks:
        argvs += [s.command for s in runbook.diagnosis]
        argvs += [s.command for solution in runbook.solutions for s in solution.steps]
    argvs += [c.command for c in playbook.emergency_commands]
    named = [s.fly_app for s in playbook.services]
    named += [
        app for argv in argvs if argv[:1] in (("fly",), ("flyctl",)) if (app := fly_app(argv))
    ]
    return tuple(dict.fromkeys(a for a in named if a and not PLACEHOLDER.search(a)))


def releases_argv(app: str, program: tuple[str, ...] = ("fly",)) -> tuple[str, ...]:
    return (*program, "releases", "--json", "--app", app)


def repository_path(playbook: Playbook) -> Path | None:
    """The repository of `[settings] repository`, relative to the playbook's folder; None
    when the playbook names none."""
    if not playbook.settings.repository:
        return None
    return playbook.path.parent / playbook.settings.repository


def git_argv(repository: Path) -> tuple[str, ...]:
    return ("git", "-C", str(repository), "log", "--oneline", "-10")


async def app_releases(
    app: str, secrets: Iterable[str] = (), program: tuple[str, ...] = ("fly",)
) -> AppReleases:
    """`program` runs flyctl (`fly_program`)."""
    result = await _read(f"releases of {app}", releases_argv(app, program), secrets)
    if not result.ok:
        return AppReleases(app, problem=_failed(f"Releases of {app}", "fly releases", result))
    try:
        return AppReleases(app, parse_releases(result.output)[:RELEASES_SHOWN])
    except FleetError as error:
        return AppReleases(app, problem=f"Releases of {app} not shown: {error}")


async def commits(repository: Path, secrets: Iterable[str] = ()) -> Commits:
    shown = str(repository)
    result = await _read("recent commits", git_argv(repository), secrets)
    if not result.ok:
        return Commits(shown, problem=_failed("Recent commits", "git log", result))
    return Commits(shown, tuple(line for line in result.output.splitlines() if line.strip()))


async def _read(name: str, argv: tuple[str, ...], secrets: Iterable[str]) -> RunResult:
    return await CommandRun(name, argv, timeout=READ_TIMEOUT, secrets=secrets).run()


def _failed(what: str, command: str, result: RunResult) -> str:
    """The sentence shown instead of the answer: how the run ended (its summary names a
    missing program, or the exit code and the last line said)."""
    if result.outcome in (Outcome.NOT_FOUND, Outcome.FAILED):
        return f"{what} not shown: {result.summary}."
    return f"{what} not shown: `{command}` failed: {result.summary}."
