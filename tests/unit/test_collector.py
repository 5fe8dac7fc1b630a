"""The garbage collector held during a start (`warroom.collector`), without a UI."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom import collector
from warroom.__main__ import TEXTUAL_SETTINGS
from warroom.__main__ import main as entry_point
from warroom.cli.main import main


@pytest.fixture
def held() -> Iterator[None]:
    """The collector held as `warroom` holds it; afterwards running and unfrozen again,
    whatever the test did, so no other test's objects stay frozen."""
    collector.hold()
    try:
        yield
    finally:
        collector.release()
        gc.unfreeze()


def test_hold_stops_the_collector_and_release_freezes_the_survivors(held: None) -> None:
    assert not gc.isenabled()
    frozen_before = gc.get_freeze_count()
    collector.release()
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen_before


def test_release_without_a_hold_changes_nothing() -> None:
    frozen_before = gc.get_freeze_count()
    collector.release()
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before


def test_hold_leaves_a_collector_someone_else_stopped_to_them() -> None:
    gc.disable()
    try:
        collector.hold()
        collector.release()
        assert not gc.isenabled()  # not ours to start
    finally:
        gc.enable()


def test_a_command_without_a_screen_releases_it_before_it_runs(held: None, tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    assert main(["--db", str(db), "new", "--severity", "P2", "--title", "Slow search"]) == 0
    assert gc.isenabled()


def test_the_command_runs_textual_with_warroom_settings_unless_the_user_set_them(
    held: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    argv = ["warroom", "--db", str(tmp_path / "none.db"), "list"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    entry_point()
    assert os.environ["TEXTUAL_FPS"] == TEXTUAL_SETTINGS["TEXTUAL_FPS"] == "120"
    assert gc.isenabled()  # `list` shows no screen: released before it ran
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    entry_point()
    assert os.environ["TEXTUAL_FPS"] == "30"
