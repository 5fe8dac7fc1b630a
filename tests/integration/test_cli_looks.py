"""How the war room will look and answer, from the command line: a `--theme` that is no
theme, or a `[keys]` problem, is bad input before any screen."""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.processes import warroom


def test_an_unknown_theme_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = warroom("open", "INC-20260101-001", "--theme", "solarised", db=tmp_path / "x.db")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "solarised" in lines[0] and "high-contrast" in lines[0]


def test_a_broken_user_theme_asked_for_names_its_file_and_line(tmp_path: Path) -> None:
    themes = tmp_path / "config" / "warroom" / "themes"
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('[colors]\nprimary = "pink-ish"\n', encoding="utf-8")
    result = warroom(
        "open",
        "INC-20260101-001",
        "--theme",
        "mine",
        db=tmp_path / "x.db",
        env={"XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    assert result.returncode == 2
    assert f"{themes / 'mine.toml'}:2:" in result.stderr


def test_a_keys_problem_stops_the_war_room_at_its_line(tmp_path: Path) -> None:
    text = SHIPPED_PLAYBOOK.read_text(encoding="utf-8")
    playbook = tmp_path / "playbook.toml"
    playbook.write_text(text + '\n[keys]\nadd-note = "N"\nescalate = "q"\n', encoding="utf-8")
    line = text.count("\n") + 4
    result = warroom(
        "open", "INC-20260101-001", db=tmp_path / "x.db", env={"WARROOM_PLAYBOOK": str(playbook)}
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"{playbook}:{line}: keys.escalate: 'q' is already Quit (war room)"
    )


def test_validate_reports_a_keys_problem_at_its_line(tmp_path: Path) -> None:
    text = SHIPPED_PLAYBOOK.read_text(encoding="utf-8")
    playbook = tmp_path / "playbook.toml"
    playbook.write_text(text + '\n[keys]\nadd-note = "N"\nnot-a-binding = "z"\n', encoding="utf-8")
    line = text.count("\n") + 4
    result = warroom("validate", str(playbook))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{playbook}:{line}: keys.not-a-binding")
