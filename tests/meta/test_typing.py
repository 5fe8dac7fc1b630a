"""The package and its tests type-check: `mypy` with the [tool.mypy] settings of pyproject.toml
(strict; `files` names both `warroom` and `tests`)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tests.support.paths import REPO


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (pip install -e '.[test]')",
)
def test_mypy_strict_is_clean() -> None:
    # From the repo root so mypy reads pyproject.toml and reuses .mypy_cache (git-ignored).
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
