"""The command line's two halves agree: every subcommand `warroom.cli.parser` reads has a
handler `warroom.cli.main` can import, and no handler waits for a command nobody can type."""

from __future__ import annotations

import argparse

from warroom.cli.main import HANDLERS, handler
from warroom.cli.parser import build_parser


def subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name for action in actions for name in action.choices}


def test_every_subcommand_has_a_handler_and_every_handler_a_subcommand() -> None:
    assert subcommands() == {command for command in HANDLERS if command is not None}


def test_every_handler_is_found_in_its_module() -> None:
    for command in HANDLERS:
        assert callable(handler(command)), command
