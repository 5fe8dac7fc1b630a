"""A plain `pip install .` must carry the default playbook and the themes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from tests.support.paths import REPO
from warroom.playbook import load_playbook

# Run in a fresh interpreter from the installed copy alone, so that a file missing from the
# wheel cannot be found at the repository root instead.
INSTALLED_REPORT = textwrap.dedent(
    """
    import json, pathlib, warroom
    from warroom.playbook import load_playbook
    from warroom.resources import bundled_playbook_path, themes_dir
    from warroom.incident.export import schema_path
    playbook = load_playbook(bundled_playbook_path())
    print(json.dumps({
        "package": warroom.__file__,
        "playbook": str(bundled_playbook_path()),
        "loaded": repr(playbook._replace(path=pathlib.Path("playbook.toml"))),
        "themes": {p.name: p.read_text() for p in sorted(themes_dir().iterdir())},
        "export_schema": json.loads(schema_path().read_text()),
    }))
    """
)


def test_wheel_ships_playbook_and_themes(tmp_path: Path) -> None:
    built = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(built), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = built.glob("warroom-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped_themes = {
            name.removeprefix("warroom/data/themes/"): archive.read(name)
            for name in names
            if name.startswith("warroom/data/themes/")
        }
        assert archive.read("warroom/data/playbook.toml") == (REPO / "playbook.toml").read_bytes()
    assert "warroom/ui/warroom.tcss" in names
    assert "warroom/incident/export.schema.json" in names
    themes = {p.name: p.read_bytes() for p in (REPO / "themes").iterdir()}
    assert shipped_themes == themes

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-t", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # The installed package must win over this checkout's editable install; -P keeps the
    # working directory off the path.
    report = subprocess.run(
        [sys.executable, "-P", "-c", INSTALLED_REPORT],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert report.returncode == 0, report.stderr
    installed = json.loads(report.stdout)
    data = site / "warroom" / "data"
    assert Path(installed["package"]).parent == site / "warroom"
    assert Path(installed["playbook"]) == data / "playbook.toml"
    expected = load_playbook(REPO / "playbook.toml")._replace(path=Path("playbook.toml"))
    assert installed["loaded"] == repr(expected)
    schema = json.loads((REPO / "warroom" / "incident" / "export.schema.json").read_text())
    assert installed["export_schema"] == schema
    assert installed["themes"] == {name: text.decode() for name, text in themes.items()}
