"""README's playbook reference keeps up with the loader."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.paths import REPO
from warroom.playbook import load_playbook
from warroom.playbook.toml_table import Table


def playbook_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## The playbook\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no '## The playbook' section"
    return match.group(1)


def tables_the_loader_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Each top-level table the loader asks for, with the header that opens it in TOML."""
    asked: dict[str, str] = {}
    table, tables = Table.table, Table.tables

    def spy_table(self: Table, key: str, *args: Any, **kwargs: Any) -> Any:
        if self.path == ():
            asked[key] = rf"(?<!\[)\[{key}[.\]]"  # [settings], [template.NAME]
        return table(self, key, *args, **kwargs)

    def spy_tables(self: Table, key: str, *args: Any, **kwargs: Any) -> Any:
        if self.path == ():
            asked[key] = rf"\[\[{key}\]\]"
        return tables(self, key, *args, **kwargs)

    monkeypatch.setattr(Table, "table", spy_table)
    monkeypatch.setattr(Table, "tables", spy_tables)
    load_playbook(REPO / "playbook.toml", env={})
    return asked


def test_readme_names_every_table_the_loader_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    section = playbook_section()
    asked = tables_the_loader_reads(monkeypatch)

    assert {"settings", "severity", "template", "postmortem"} <= asked.keys()
    missing = [key for key, header in asked.items() if not re.search(header, section)]
    assert missing == [], f"README's '## The playbook' does not describe: {missing}"


def test_readme_names_no_table_the_loader_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    written = set(re.findall(r"`\[\[?([a-z_]+)[.\]]", playbook_section()))
    assert written - tables_the_loader_reads(monkeypatch).keys() == set()
