"""Where the files warroom ships with are found, installed or run from a checkout.

A wheel carries the default playbook and the themes under `warroom/data/` (see the
force-include in pyproject.toml); a source checkout or an editable install has them at
the repository root instead.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_DATA = _PACKAGE_DIR / "data"
_CHECKOUT_ROOT = _PACKAGE_DIR.parent


def _shipped(name: str) -> Path:
    installed = _INSTALLED_DATA / name
    return installed if installed.exists() else _CHECKOUT_ROOT / name


def bundled_playbook_path() -> Path:
    """The Slurpy playbook that ships with warroom (also the demo's starting point)."""
    return _shipped("playbook.toml")


def themes_dir() -> Path:
    """The folder of theme files loaded at start-up."""
    return _shipped("themes")
