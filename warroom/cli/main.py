"""The `warroom` command line: parses arguments, picks a command, nothing else.

Only the module of the command that runs is imported (`HANDLERS`), and heavy modules
(Textual, httpx) only by the commands that need them, so that `warroom note` or `warroom list`
answer without paying for a UI, and `warroom open` without paying for the other commands.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from warroom import collector
from warroom.cli.options import CommandError, Options
from warroom.cli.parser import build_parser

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


HANDLERS: dict[str | None, tuple[str, str]] = {
    None: ("commands", "run_default"),
    "demo": ("commands", "run_demo"),
    "new": ("commands", "run_new"),
    "open": ("commands", "run_open"),
    "review": ("commands", "run_review"),
    "note": ("commands", "run_note"),
    "rename": ("commands", "run_rename"),
    "ack": ("commands", "run_ack"),
    "list": ("commands", "run_list"),
    "check": ("commands", "run_check"),
    "validate": ("commands", "run_validate"),
    "status-text": ("commands", "run_status_text"),
    "run": ("run", "run_run"),
    "commands": ("run", "run_commands"),
    "postmortem": ("postmortem", "run_postmortem"),
    "action": ("postmortem", "run_action"),
    "actions": ("postmortem", "run_actions"),
    "export": ("export", "run_export"),
    "import": ("export", "run_import"),
    "logs": ("log_search", "run_logs"),
    "publish": ("publish", "run_publish"),
    "page": ("publish", "run_page"),
    "db": ("db_copy", "run_db"),
}
"""Subcommand -> the module of `warroom.cli` that runs it, and its function there."""


def handler(command: str | None) -> Callable[[Options, argparse.Namespace], int]:
    """The function that runs `command`, its module imported now."""
    module, function = HANDLERS[command]
    run: Callable[[Options, argparse.Namespace], int] = getattr(
        importlib.import_module(f"warroom.cli.{module}"), function
    )
    return run


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    options = Options.from_args(args)
    try:
        if options.read_only and args.command in WRITERS:
            what = f"warroom {args.command}" if args.command else "the war room"
            raise CommandError(
                f"--read-only: {what} writes to the incident database; nothing was done."
            )
        if args.command not in SHOW_THE_WAR_ROOM:
            collector.release()
        return handler(args.command)(options, args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
