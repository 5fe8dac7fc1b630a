"""What every subcommand shares: its options, where the playbook and database are, and
`CommandError`, the one way a command reports a problem the user can fix."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import NamedTuple

from warroom.playbook import Playbook, PlaybookError, load_playbook
from warroom.resources import bundled_playbook_path

BAD_INPUT = 2
OPERATIONAL_FAILURE = 1


class CommandError(Exception):
    """A problem to report on stderr as it is, then exit with `exit_code`."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


Database = Path | str
"""An incident database: a SQLite file, or a server's address (`postgresql://…`)."""


def as_database(text: str) -> Database:
    """What `--db`/`WARROOM_DB` names: an address as written, else a path (`~` expanded)."""
    return text if "://" in text else Path(text).expanduser()


def shown(db: Database) -> str:
    """`db` as it may be printed: a server address never shows its password."""
    if isinstance(db, Path):
        return str(db)
    from warroom.store import shown_target

    return shown_target(db)


def exists(db: Database) -> bool:
    """Whether `db` is a file already there (a server's database is never "created" here)."""
    return isinstance(db, Path) and db.exists()


class Options(NamedTuple):
    """The options every subcommand accepts, with their environment fallbacks applied."""

    db: Database | None
    """Database named by --db or WARROOM_DB; None means the user data dir."""
    playbook: Path | None
    """Playbook named by --playbook or WARROOM_PLAYBOOK; None means search the defaults."""
    actor: str
    """Recorded on every event this process appends."""
    read_only: bool = False
    """`--read-only`: refuse every write and every destructive command."""
    theme: str | None = None
    """`--theme NAME`: the war room's theme for this run."""
    no_color: bool = False
    """`--no-color`: no colour on screen (as NO_COLOR in the environment)."""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Options:
        db = getattr(args, "db", None) or os.environ.get("WARROOM_DB")
        playbook = getattr(args, "playbook", None) or os.environ.get("WARROOM_PLAYBOOK")
        actor = getattr(args, "actor", None) or os.environ.get("WARROOM_AS") or _login_name()
        return cls(
            db=as_database(db) if db else None,
            playbook=Path(playbook).expanduser() if playbook else None,
            actor=actor,
            read_only=bool(getattr(args, "read_only", False)),
            theme=getattr(args, "theme", None),
            no_color=bool(getattr(args, "no_color", False)),
        )


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def database_path(options: Options, *, create: bool = False) -> Database:
    """The incident database `--db`/`WARROOM_DB` names, else the user data dir's; only a
    command that may create the database (`create`) makes that directory."""
    if isinstance(options.db, str):
        return options.db
    if options.db is not None:
        try:
            found = options.db.parent.is_dir()
        except OSError as error:  # e.g. a parent this user may not enter
            raise CommandError(
                f"Cannot reach the database directory {options.db.parent}: {error.strerror}."
            ) from None
        if not found:
            raise CommandError(f"The database directory {options.db.parent} does not exist.")
        return options.db
    from platformdirs import user_data_path

    data_dir = user_data_path("warroom", appauthor=False)
    if create:
        data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / "incidents.db"


def say_if_created(path: Database, existed: bool) -> None:
    """The first time a database is made, say where: it holds every incident from now on."""
    if not existed and exists(path):
        print(f"Created the incident database {path}.", file=sys.stderr)


def playbook_path(options: Options, explicit: str | None = None) -> Path:
    if explicit is not None:
        return Path(explicit).expanduser()
    if options.playbook is not None:
        return options.playbook
    from platformdirs import user_config_path

    for candidate in (
        Path.cwd() / "playbook.toml",
        user_config_path("warroom", appauthor=False) / "playbook.toml",
    ):
        if candidate.is_file():
            return candidate
    return bundled_playbook_path()


def load(path: Path) -> Playbook:
    if not path.is_file():
        raise CommandError(f"{path}: no such playbook file.")
    try:
        return load_playbook(path)
    except PlaybookError as error:
        raise CommandError("\n".join(error.problems)) from None
