"""The database file itself: whether it may be opened, and whether it is still the one opened.

A reading command must never create a database (a typo in `--db` would otherwise show an
empty list instead of saying so), and a write must never go into a file that was deleted or
replaced under a running war room: SQLite would keep writing into the unlinked inode.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from warroom.store.protocol import MissingStore, StoreError


def check_openable(path: Path, *, create: bool) -> None:
    """Raise StoreError, in one sentence, unless `path` can be opened (or, if `create`, made)."""
    try:
        _check_openable(path, create=create)
    except OSError as error:  # e.g. a directory on the way this user may not enter
        raise StoreError(f"Cannot reach the incident database {path}: {error.strerror}.") from None


def _check_openable(path: Path, *, create: bool) -> None:
    if not create and not path.exists():
        raise MissingStore(f"There is no incident database at {path}.")
    if not path.parent.is_dir():
        raise StoreError(f"The database directory {path.parent} does not exist.")
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not an incident database.")


def file_identity(path: Path) -> tuple[int, int]:
    """(device, inode) of the file at `path`; OSError if there is none."""
    stat = os.stat(path)
    if stat.st_nlink == 0:
        raise FileNotFoundError(path)
    return stat.st_dev, stat.st_ino


def read_only_uri(path: Path) -> str:
    """The URI that opens `path` for reading only, changing nothing in the database.

    Where this user may write the folder, SQLite makes the -wal and -shm it needs beside the
    file, so that a writer who starts later (review of a running incident) is seen. Where it
    may not, and no writer's WAL is there to read, the file is opened as it lies (immutable):
    a folder this user cannot write could not hold them.
    """
    idle = not Path(f"{path}-wal").exists()
    quiet = "&immutable=1" if idle and not os.access(path.resolve().parent, os.W_OK) else ""
    return f"file:{quote(str(path.resolve()))}?mode=ro{quiet}"
