"""The command line's grammar: every subcommand, its arguments and their help.

No command's handler is imported here: reading the command line costs a start nothing but
argparse, and `warroom.cli.main` imports only the module of the command it runs.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from warroom import __version__
from warroom.incident.actions import POSTMORTEM_WRITTEN


class Command(Protocol):
    """Makes a subcommand's parser from its name and help; `on_incident`: its first argument
    is the incident it acts on."""

    def __call__(
        self, name: str, help_text: str, *, on_incident: bool = False
    ) -> argparse.ArgumentParser: ...


ID_HELP = "incident id, INC-YYYYMMDD-NNN"
ACTION_VERBS = ("add", "assign", "done", "reopen")
QUERY_HELP = (
    "the filter bar's syntax, one quoted argument: regexes to include (any matches), -REGEX "
    "or !REGEX to exclude, level:warn (that level and above), src:NAME (repeatable); "
    "`--` before a query that starts with -"
)
SEVERITY_HELP = "severity level from the playbook: P0, P1, P2 or P3"


def _common_options(*, suppress: bool) -> argparse.ArgumentParser:
    """Options every subcommand accepts, before or after the subcommand name.

    On subparsers the defaults are suppressed so that `warroom --db X list` is not
    overwritten by the subparser's own default.
    """
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="incident database (default: $WARROOM_DB, else the user data dir)",
    )
    group.add_argument(
        "--playbook",
        metavar="PATH",
        default=default,
        help="playbook file (default: $WARROOM_PLAYBOOK, ./playbook.toml, the user config dir, "
        "else the bundled one)",
    )
    group.add_argument(
        "--as",
        dest="actor",
        metavar="NAME",
        default=default,
        help="who is acting, recorded on every event (default: $WARROOM_AS, else your login)",
    )
    group.add_argument(
        "--read-only",
        action="store_true",
        default=default if suppress else False,
        help="change nothing: refuse every write and every destructive command "
        "(also the playbook's [settings] read_only)",
    )
    group.add_argument(
        "--theme",
        metavar="NAME",
        default=default,
        help="the war room's theme: dark, light, high-contrast, monochrome or one of yours "
        "(default: the last one chosen, else the playbook's [settings] theme, else dark)",
    )
    group.add_argument(
        "--no-color",
        action="store_true",
        default=default if suppress else False,
        help="no colour on screen at all (as NO_COLOR does)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warroom",
        description="A full-screen terminal war room for the person running a production "
        "incident. Without a command, opens the active incident or offers to declare one.",
        parents=[_common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = [_common_options(suppress=True)]

    def command(name: str, help_text: str, *, on_incident: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=common)
        sub.set_defaults(command_parser=sub)  # whose usage a stray argument is refused with
        if on_incident:
            sub.add_argument("incident_id", metavar="ID", help=ID_HELP)
        return sub

    command("demo", "the war room on a simulated outage, all local, on a throwaway database")

    new = command("new", "declare an incident and print its id")
    new.add_argument("--severity", required=True, metavar="LEVEL", help=SEVERITY_HELP)
    new.add_argument("--title", required=True, help="one line saying what is wrong")

    command("open", "open the war room on an incident", on_incident=True)

    command(
        "review",
        "the war room of a past (or running) incident, read-only, with replay: what was "
        "recorded is shown, nothing is written, polled, tailed or run",
        on_incident=True,
    )

    note = command("note", "append a note to an incident's timeline", on_incident=True)
    note.add_argument(
        "text",
        nargs="+",
        help="the note (several words are joined); - reads one note per line of stdin",
    )

    rename = command("rename", "rename an incident; its {description} follows", on_incident=True)
    rename.add_argument("title", nargs="+", help="the new title (several words are joined)")

    command(
        "ack",
        "acknowledge an incident as the person --as names: the response its target measures "
        "(a note is not one)",
        on_incident=True,
    )

    listing = command("list", "list incidents, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    check = command("check", "poll every service and provider once and print a table")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")

    validate = command("validate", "check a playbook and report every problem with its line")
    validate.add_argument(
        "path", nargs="?", metavar="PATH", help="playbook to check (default: as --playbook)"
    )

    status = command(
        "status-text", "print the status-page text that copying would produce", on_incident=True
    )
    status.add_argument(
        "--template",
        required=True,
        metavar="NAME",
        help="investigating, identified, monitoring, resolved or email",
    )
    assignments(status, "FIELD=VALUE", PLACEHOLDER_HELP)
    run = command(
        "run",
        "run an emergency command or quick check by name, print its output and record it "
        "on the incident; exits with the command's exit code",
        on_incident=True,
    )
    run.add_argument("name", metavar="NAME", help="the command's name (see `warroom commands`)")
    run.add_argument(
        "--confirm",
        metavar="APP",
        help="a destructive command runs only with its Fly app name here (else exit 2)",
    )
    assignments(
        run,
        "PLACEHOLDER=VALUE",
        "fill a <placeholder> of the command, e.g. --set image-ref=REF (repeatable)",
    )

    commands_ = command(
        "commands",
        "list the emergency commands and quick checks `warroom run` runs: group, whether "
        "destructive, placeholders",
    )
    commands_.add_argument("--json", action="store_true", help="print JSON instead of a table")

    for more in (
        _postmortem_commands,
        _publishing_commands,
        _db_command,
        _export_commands,
        _logs_command,
    ):
        more(command)
    return parser


PLACEHOLDER_HELP = "fill a placeholder the incident has no value for (repeatable)"


def assignments(parser: argparse.ArgumentParser, metavar: str, help: str) -> None:  # noqa: A002
    """A repeatable `--set NAME=VALUE`, gathered in `args.assignments`."""
    parser.add_argument(
        "--set", dest="assignments", action="append", default=[], metavar=metavar, help=help
    )


def _postmortem_commands(command: Command) -> None:
    """The three subcommands, on the parser `command(name, help)` makes."""
    postmortem = command(
        "postmortem",
        "print the post-mortem draft, or write a section of it with --set "
        f"({', '.join(POSTMORTEM_WRITTEN)})",
        on_incident=True,
    )
    assignments(
        postmortem, "FIELD=TEXT", "write a section (repeatable); FIELD=- reads the text from stdin"
    )

    action = command(
        "action", "add an action item to an incident, assign it, mark it done", on_incident=True
    )
    action.add_argument("verb", choices=ACTION_VERBS, help="add TEXT, or assign/done/reopen N")
    action.add_argument("words", nargs="+", metavar="TEXT|N", help="the item's text, or its number")
    action.add_argument("--owner", metavar="NAME", help="who will do it")
    action.add_argument("--due", metavar="WHEN", help="due date: 2025-03-08, 2025-03-08 17:00")

    actions = command("actions", "list action items across incidents, overdue first")
    actions.add_argument("--open", action="store_true", help="only those still to do")
    actions.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _publishing_commands(command: Command) -> None:
    """`publish` and `page`, on the parser `command(name, help)` makes."""
    publish = command(
        "publish",
        "send a status text to the status page and chat through their APIs, and record it",
        on_incident=True,
    )
    publish.add_argument(
        "--template",
        required=True,
        metavar="NAME",
        help="investigating, identified, monitoring or resolved (the status it publishes)",
    )
    publish.add_argument(
        "--to",
        metavar="TARGETS",
        help="statuspage, chat or both, comma-separated (default: those the playbook has)",
    )
    assignments(publish, "FIELD=VALUE", PLACEHOLDER_HELP)
    publish.add_argument(
        "--component",
        dest="components",
        action="append",
        default=[],
        metavar="NAME=STATUS",
        help="a component's status (NAME: a service, provider or component id), over the "
        "one proposed from the recorded health (repeatable)",
    )
    publish.add_argument(
        "--dry-run", action="store_true", help="print the requests, secrets masked; send nothing"
    )

    page = command(
        "page",
        "page on-call through PagerDuty (Events API v2), or resolve the page",
        on_incident=True,
    )
    page.add_argument("--resolve", action="store_true", help="resolve the page instead")
    page.add_argument(
        "--dry-run", action="store_true", help="print the request, secrets masked; send nothing"
    )


def _db_command(command: Command) -> None:
    """The `db` subcommand, on the parser `command(name, help)` makes."""
    db = command(
        "db",
        "copy incidents between stores (a SQLite file, postgresql://…): copy SRC DST copies "
        "every incident DST has not, whole; running it again changes nothing",
    )
    db.add_argument("action", choices=("copy",), help="copy: SRC's incidents into DST")
    db.add_argument("source", metavar="SRC", help="a database file or postgresql://… address")
    db.add_argument("target", metavar="DST", help="a database file or postgresql://… address")
    db.add_argument(
        "--incident",
        dest="incidents",
        action="append",
        default=[],
        metavar="ID",
        help="copy only this incident (repeatable)",
    )


def _export_commands(command: Command) -> None:
    """The two subcommands, on the parser `command(name, help)` makes."""
    export = command(
        "export", "write an incident's post-mortem (markdown) or all of it (json)", on_incident=True
    )
    export.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown: the post-mortem document; json: the whole incident, for warroom import",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")

    imported = command("import", "restore an incident exported with --format json")
    imported.add_argument("file", metavar="FILE", help="a file warroom export --format json wrote")


def _logs_command(command: Command) -> None:
    """The subcommand, on the parser `command(name, help)` makes."""
    logs = command("logs", "search an incident's whole captured log archive", on_incident=True)
    logs.add_argument("query", nargs="?", default="", metavar="QUERY", help=QUERY_HELP)
    logs.add_argument(
        "--limit", type=int, default=1000, metavar="N", help="print the first N matches (1000)"
    )
    logs.add_argument("--match-case", action="store_true", help="patterns match case exactly")
    logs.add_argument("--json", action="store_true", help="print JSON instead of lines")
