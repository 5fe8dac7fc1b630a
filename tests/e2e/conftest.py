"""The e2e tests each get a private tmux server, killed when the test ends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.tmux import Tmux


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    server = Tmux()
    yield server
    server.kill()
