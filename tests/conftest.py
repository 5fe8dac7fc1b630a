"""Keep the developer's own incidents, playbook and config out of every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from warroom.store import EventStore, open_store


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for variable in ("WARROOM_DB", "WARROOM_PLAYBOOK", "WARROOM_AS", "WARROOM_DEMO_EPOCH"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("NO_COLOR", "1")
    yield home


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EventStore]:
    """A real incident database in the test's own folder."""
    async with await open_store(tmp_path / "incidents.db") as opened:
        yield opened
