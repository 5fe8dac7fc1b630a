"""Two war rooms on one PostgreSQL incident in real terminals (tmux), and `warroom note` from
a shell: each sees the other in its header and every change within seconds."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.support.postgres import create_database, drop_database
from tests.support.tmux import Tmux


@pytest.fixture
def database() -> Iterator[str]:
    url = asyncio.run(create_database())
    yield url
    asyncio.run(drop_database(url))


def open_war_room(tmux: Tmux, tmp_path: Path, url: str, incident: str, actor: str) -> None:
    environment = {
        "HOME": os.environ["HOME"],
        "XDG_DATA_HOME": str(tmp_path / actor / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / actor / "config"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    command = ["env", "-u", "COLUMNS", "-u", "LINES", sys.executable, "-m", "warroom"]
    command += ["open", incident, "--db", url, "--as", actor]
    env_args = [arg for key, value in environment.items() for arg in ("-e", f"{key}={value}")]
    where = ["new-session", "-d", "-s", actor, "-x", "200", "-y", "40"]
    tmux.run(*where, *env_args, "-c", str(tmp_path), *command)


def header_says(text: str, screen: str) -> bool:
    return text in screen.splitlines()[0]


def test_two_war_rooms_and_a_shell_share_a_postgresql_incident(
    tmux: Tmux, tmp_path: Path, database: str
) -> None:
    declare = [sys.executable, "-m", "warroom", "new", "--severity", "P1", "--db", database]
    declared = subprocess.run(
        [*declare, "--title", "checkout down"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    incident = declared.stdout.strip()
    for actor in ("ann", "bob"):
        open_war_room(tmux, tmp_path, database, incident, actor)
    for me, other in (("ann", "bob"), ("bob", "ann")):
        shown = f"also here: 1 — {other}@"
        tmux.wait_for(partial(header_says, shown), what=f"{other} in {me}'s header", target=me)
    tmux.run("send-keys", "-t", "bob", "4")
    tmux.run("send-keys", "-t", "bob", "n")
    tmux.wait_for(lambda s: "Note for the timeline" in s, what="the note prompt", target="bob")
    tmux.run("send-keys", "-t", "bob", "-l", "rolled back the deploy")
    tmux.run("send-keys", "-t", "bob", "Enter")
    tmux.run("send-keys", "-t", "ann", "4")
    tmux.wait_for(lambda s: "rolled back the deploy" in s, what="bob's note at ann", target="ann")
    subprocess.run(
        [sys.executable, "-m", "warroom", "note", incident, "from a shell", "--db", database],
        capture_output=True,
        timeout=60,
        check=True,
    )
    for actor in ("ann", "bob"):
        tmux.wait_for(lambda s: "from a shell" in s, what="the shell's note", target=actor)
    assert database.split("@")[0].split(":")[-1] not in tmux.screen("ann")
