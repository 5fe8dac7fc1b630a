"""A plain `pip install .` must carry the default playbook and the themes."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_playbook_and_themes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("warroom-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "warroom/data/playbook.toml" in names
    assert any(name.startswith("warroom/data/themes/") for name in names)
    assert "warroom/ui/warroom.tcss" in names
    shipped = zipfile.ZipFile(wheel).read("warroom/data/playbook.toml")
    assert shipped == (REPO / "playbook.toml").read_bytes()
