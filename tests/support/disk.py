"""A full disk without filling one: RLIMIT_FSIZE (`ulimit -f`) makes every write that would
grow a file past the limit fail with EFBIG, as SQLite sees ENOSPC, once SIGXFSZ (which would
kill the writer instead) is ignored."""

from __future__ import annotations

import contextlib
import resource
import signal
from collections.abc import Callable, Iterator


def full_at(limit: int) -> Callable[[], None]:
    """A `preexec_fn`: the child may grow no file past `limit` bytes."""

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))

    return limit_file_size


@contextlib.contextmanager
def disk_full_at(limit: int) -> Iterator[None]:
    """This whole process may grow no file past `limit` bytes until the block ends."""
    before_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    before_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, before_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, before_limit)
        signal.signal(signal.SIGXFSZ, before_handler)
