"""The `warroom` command line: parses arguments, picks a command, nothing else.

Heavy modules (Textual, httpx) are imported by the commands that need them, so that
`warroom note` or `warroom list` answer without paying for a UI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from warroom import __version__, collector
from warroom.cli.options import CommandError, Options

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

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=common)
        sub.set_defaults(command_parser=sub)  # whose usage a stray argument is refused with
        return sub

    command("demo", "the war room on a simulated outage, all local, on a throwaway database")

    new = command("new", "declare an incident and print its id")
    new.add_argument("--severity", required=True, metavar="LEVEL", help=SEVERITY_HELP)
    new.add_argument("--title", required=True, help="one line saying what is wrong")

    open_ = command("open", "open the war room on an incident")
    open_.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")

    review = command(
        "review",
        "the war room of a past (or running) incident, read-only, with replay: what was "
        "recorded is shown, nothing is written, polled, tailed or run",
    )
    review.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")

    note = command("note", "append a note to an incident's timeline")
    note.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")
    note.add_argument(
        "text",
        nargs="+",
        help="the note (several words are joined); - reads one note per line of stdin",
    )

    rename = command("rename", "rename an incident; its {description} follows")
    rename.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")
    rename.add_argument("title", nargs="+", help="the new title (several words are joined)")

    ack = command(
        "ack",
        "acknowledge an incident as the person --as names: the response its target measures "
        "(a note is not one)",
    )
    ack.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")

    listing = command("list", "list incidents, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    check = command("check", "poll every service and provider once and print a table")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")

    validate = command("validate", "check a playbook and report every problem with its line")
    validate.add_argument(
        "path", nargs="?", metavar="PATH", help="playbook to check (default: as --playbook)"
    )

    status = command("status-text", "print the status-page text that copying would produce")
    status.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")
    status.add_argument(
        "--template",
        required=True,
        metavar="NAME",
        help="investigating, identified, monitoring, resolved or email",
    )
    status.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="fill a placeholder the incident has no value for (repeatable)",
    )
    run = command(
        "run",
        "run an emergency command or quick check by name, print its output and record it "
        "on the incident; exits with the command's exit code",
    )
    run.add_argument("incident_id", metavar="ID", help="incident id, INC-YYYYMMDD-NNN")
    run.add_argument("name", metavar="NAME", help="the command's name (see `warroom commands`)")
    run.add_argument(
        "--confirm",
        metavar="APP",
        help="a destructive command runs only with its Fly app name here (else exit 2)",
    )
    run.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="PLACEHOLDER=VALUE",
        help="fill a <placeholder> of the command, e.g. --set image-ref=REF (repeatable)",
    )

    commands_ = command(
        "commands",
        "list the emergency commands and quick checks `warroom run` runs: group, whether "
        "destructive, placeholders",
    )
    commands_.add_argument("--json", action="store_true", help="print JSON instead of a table")

    from warroom.cli import db_copy, export, log_search, postmortem, publish

    postmortem.add_parsers(command)
    publish.add_parsers(command)
    db_copy.add_parsers(command)
    export.add_parsers(command)
    log_search.add_parsers(command)
    return parser


WRITERS = frozenset(
    {
        None,
        "demo",
        "new",
        "open",
        "note",
        "rename",
        "ack",
        "action",
        "import",
        "publish",
        "page",
        "db",
    }
)
"""Subcommands that write to an incident database (or act on the world through an API):
`--read-only` refuses them."""

SHOW_THE_WAR_ROOM = frozenset({None, "demo", "open", "review"})
"""Subcommands that start the app, which releases the held garbage collector once its
first screen is out (`warroom.collector`); the others release it before they run."""


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line read; a word no command takes is refused with that command's usage
    (argparse would print the top-level one for `warroom list --bogus`)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        owner: argparse.ArgumentParser = getattr(args, "command_parser", parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    options = Options.from_args(args)
    from warroom.cli import commands, db_copy, export, log_search, postmortem, publish, run

    if options.read_only and args.command in WRITERS:
        what = f"warroom {args.command}" if args.command else "the war room"
        print(
            f"--read-only: {what} writes to the incident database; nothing was done.",
            file=sys.stderr,
        )
        return 2
    handlers = {
        None: commands.run_default,
        "demo": commands.run_demo,
        "new": commands.run_new,
        "open": commands.run_open,
        "review": commands.run_review,
        "note": commands.run_note,
        "rename": commands.run_rename,
        "ack": commands.run_ack,
        "list": commands.run_list,
        "check": commands.run_check,
        "validate": commands.run_validate,
        "status-text": commands.run_status_text,
        "run": run.run_run,
        "commands": run.run_commands,
        "postmortem": postmortem.run_postmortem,
        "action": postmortem.run_action,
        "actions": postmortem.run_actions,
        "export": export.run_export,
        "import": export.run_import,
        "logs": log_search.run_logs,
        "publish": publish.run_publish,
        "page": publish.run_page,
        "db": db_copy.run_db,
    }
    try:
        if options.read_only and args.command in WRITERS:
            what = f"warroom {args.command}" if args.command else "the war room"
            raise CommandError(
                f"--read-only: {what} writes to the incident database; nothing was done."
            )
        if args.command not in SHOW_THE_WAR_ROOM:
            collector.release()
        return handlers[args.command](options, args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
