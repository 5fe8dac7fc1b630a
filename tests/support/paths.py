"""Where the repository and the tests' data are, whichever layer folder asks."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_PLAYBOOK = REPO / "playbook.toml"
"""The playbook the repository ships (and the wheel bundles)."""
DATA = REPO / "tests" / "data"
MINIMAL_PLAYBOOK = DATA / "playbooks" / "minimal.toml"
"""A small valid playbook: the base every bad fixture is made from."""
BAD_PLAYBOOKS = DATA / "bad_playbooks"
"""One playbook a way of being wrong, each checked at the line it must name."""
