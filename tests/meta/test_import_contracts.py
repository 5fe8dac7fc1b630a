"""The layers of docs/architecture.md's package map hold: `lint-imports` keeps pyproject.toml's
contracts, and the modules that must stay light load nothing heavy in a fresh interpreter."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # Run from `root` so that its own `warroom` package is the one analysed.
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_textual_import_in_the_core_breaks_a_contract(tmp_path: Path) -> None:
    shutil.copytree(REPO / "warroom", tmp_path / "warroom")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    events = tmp_path / "warroom" / "incident" / "events.py"
    events.write_text(events.read_text() + "\nimport textual  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "The core never imports Textual or the UI BROKEN" in result.stdout


def test_a_database_driver_in_the_ui_breaks_a_contract(tmp_path: Path) -> None:
    shutil.copytree(REPO / "warroom", tmp_path / "warroom")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    header = tmp_path / "warroom" / "ui" / "widgets" / "incident_header.py"
    header.write_text(header.read_text() + "\nimport sqlite3  # noqa\n")
    result = lint_imports(tmp_path)
    assert "Only the store talks to a database driver BROKEN" in result.stdout


def top_level_modules_loaded_by(module: str) -> set[str]:
    """The top-level packages in `sys.modules` once a fresh interpreter has imported `module`."""
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(result.stdout))


def test_the_loader_does_not_import_textual() -> None:
    assert "textual" not in top_level_modules_loaded_by("warroom.playbook")


def test_timeparse_does_not_import_textual() -> None:
    assert "textual" not in top_level_modules_loaded_by("warroom.timeparse")


def test_judging_imports_neither_httpx_nor_textual() -> None:
    assert top_level_modules_loaded_by("warroom.health.judging") & {"httpx", "textual"} == set()
