"""Reading what the commander sends: [template.NAME] and [postmortem].

Both hold text with `{placeholder}` fields, so the placeholder check lives here too: an
unknown field or a format spec is a problem now rather than a crash when the text is filled.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import get_args

from warroom.playbook.checker import references, without_references
from warroom.playbook.model import (
    POSTMORTEM_FIELDS,
    TEMPLATE_FIELDS,
    TEMPLATE_FOR,
    TEMPLATE_NAMES,
    Template,
    TemplateFor,
)
from warroom.playbook.toml_table import Table


def templates(root: Table) -> dict[str, Template]:
    table = root.table("template")
    if table is None:
        return {}
    found: dict[str, Template] = {}
    for name in list(table.data):
        if name not in TEMPLATE_NAMES:
            table.used.add(name)
            table.problem(name, f"unknown template; the names are {', '.join(TEMPLATE_NAMES)}")
            continue
        one = table.table(name)
        if one is None:
            continue
        text = one.text("text")
        subject = one.text("subject", "")
        _placeholders(one, "text", text, TEMPLATE_FIELDS)
        _placeholders(one, "subject", subject, TEMPLATE_FIELDS)
        title = one.text("title", name.title())
        statuses: tuple[TemplateFor, ...] = get_args(TemplateFor)
        for_status = one.choice("for_status", statuses, TEMPLATE_FOR.get(name, "open"))
        found[name] = Template(name, title, text, subject, for_status)  # type: ignore[arg-type]
        one.done()
    missing = [name for name in TEMPLATE_NAMES if name not in table.data]
    if missing:
        table.problem(None, f"templates missing: {', '.join(missing)}")
    table.done()
    return {name: found[name] for name in TEMPLATE_NAMES if name in found}


def postmortem(root: Table) -> tuple[str, tuple[str, ...]]:
    """The [postmortem] template and guidance; empty when the file has no [postmortem]."""
    table = root.table("postmortem", None)
    if table is None:
        return "", ()
    text = table.text("template")
    _placeholders(table, "template", text, POSTMORTEM_FIELDS)
    guidance = table.strs("guidance")
    table.done()
    return text, guidance


def _placeholders(table: Table, key: str, text: str, fields: Mapping[str, str]) -> None:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        table.problem(key, f"{exc} (write {{{{ and }}}} for literal braces)")
        return
    # Format errors quote nothing, but a placeholder's name may have come in with a ${VAR}:
    # only names the file itself writes are shown.
    written = table.checker.source((*table.path, key), text)
    in_file = _written_placeholders(written) if written is not None else None
    for _, name, spec, conversion in parsed:
        shown = f"{{{name}}}"
        if in_file is not None and (name, spec, conversion) not in in_file:
            names = ", ".join(f"${{{m.group(2)}}}" for m in references(written or ""))
            shown = f"in the value of {names}"
        if name is not None and name not in fields:
            table.problem(key, f"unknown placeholder {shown}")
        elif spec or conversion:
            # Every field is filled with text, so a format spec could only break it.
            table.problem(key, f"placeholder {shown} takes no format spec or conversion")


def _written_placeholders(written: str) -> set[tuple[str | None, str | None, str | None]]:
    """The placeholders (name, spec, conversion) a string as the file wrote it has, with no
    `${VAR}` expanded."""
    try:
        parsed = string.Formatter().parse(without_references(written))
        return {(name, spec, conv) for _, name, spec, conv in parsed}
    except ValueError:
        return set()
