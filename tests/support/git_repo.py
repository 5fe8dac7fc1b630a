"""A real git repository in a temporary folder, with commits of the test's choosing."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def git_repository(path: Path, messages: Sequence[str]) -> Path:
    """`path` made a repository holding one empty commit per message, oldest first."""
    path.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(path), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    for message in messages:
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], check=True)
    return path
