"""The tests stand in five layers, one folder each, and every test is marked with its layer
(`pytest -m unit`, `pytest -m "not e2e"`): `unit/` is pure (no database, no network, no
subprocess, no Textual app: derived state, clocks, templates, parsers, the playbook loader);
`integration/` uses real parts without a screen (SQLite files, HTTP servers on 127.0.0.1,
subprocesses, the CLI as a user runs it); `ui/` drives widgets, screens and the whole app
through Textual's Pilot and compares SVG snapshots (`ui/__snapshots__/`); `e2e/` runs warroom
in a real terminal under tmux and reads the screen back; `meta/` checks the repository itself
(mypy, the import contracts, packaging, README). Shared helpers live in `tests/support/`, the
playbook fixtures in `tests/data/`. For every test, the fixture below keeps the developer's
own incidents, playbook and config out of reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.apis import FakeApiServer
from tests.support.health import FakeHealthServer
from warroom.store import EventStore, open_store

TESTS = Path(__file__).resolve().parent
REAL_HOME = Path.home()
"""The developer's home, before any test moves HOME: the suite must leave it untouched."""
WARROOM_DIRS = [REAL_HOME / part / "warroom" for part in (".cache", ".local/share", ".config")]


def _files_in_warroom_dirs() -> dict[Path, float]:
    found: dict[Path, float] = {}
    for folder in WARROOM_DIRS:
        if folder.is_dir():
            found.update((path, path.stat().st_mtime) for path in folder.rglob("*"))
    return found


_BEFORE = _files_in_warroom_dirs()
LAYERS = {
    "unit": "pure: no database, no network, no subprocess, no Textual app",
    "integration": "real SQLite files, HTTP servers on 127.0.0.1 and subprocesses; no Pilot",
    "ui": "widgets, screens and the app through Textual's Pilot; SVG snapshots",
    "e2e": "warroom in a real terminal (tmux)",
    "meta": "the repository itself: mypy, import contracts, packaging, README",
}


def pytest_configure(config: pytest.Config) -> None:
    for layer, meaning in LAYERS.items():
        config.addinivalue_line("markers", f"{layer}: {meaning} (tests/{layer}/)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with the layer its folder names; a test outside every layer is an error."""
    for item in items:
        if not item.path.resolve().is_relative_to(TESTS):
            continue
        relative = item.path.resolve().relative_to(TESTS)
        layer = relative.parts[0] if len(relative.parts) > 1 else ""
        if layer not in LAYERS:
            raise pytest.UsageError(
                f"{item.nodeid}: every test module belongs in a layer folder, one of "
                + ", ".join(f"tests/{name}/" for name in LAYERS)
            )
        item.add_marker(getattr(pytest.mark, layer))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test wrote into the user's own warroom folders."""
    touched = sorted(
        str(path) for path, mtime in _files_in_warroom_dirs().items() if _BEFORE.get(path) != mtime
    )
    if touched:
        print(f"\nThe tests wrote outside their temporary folders: {', '.join(touched[:5])}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    yield home


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EventStore]:
    """A real incident database in the test's own folder."""
    async with await open_store(tmp_path / "incidents.db") as opened:
        yield opened


@pytest.fixture
async def health_server() -> AsyncIterator[FakeHealthServer]:
    """A misbehaving-on-demand HTTP server on 127.0.0.1 (tests.support.health); set its routes."""
    server = FakeHealthServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def api_server() -> AsyncIterator[FakeApiServer]:
    """Statuspage, webhook and Events API on 127.0.0.1 (tests.support.apis); script its answers."""
    server = FakeApiServer()
    await server.start()
    yield server
    await server.stop()
