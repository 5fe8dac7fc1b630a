"""Loading `playbook.toml`: read, expand `${VAR}`, validate, build the frozen `Playbook`.

`load_playbook` parses the file with `tomllib` and has a `checker.Checker` expand `${VAR}`
and collect every problem as `PATH:LINE: what is wrong` (`toml_lines.locate` finds the line,
only once there is one to name). The tables are read by `sections_watch`, `sections_response`,
`sections_comms` and `sections_publish`; only [settings], which belongs to none of them, is
read here. Callers import `load_playbook` from `warroom.playbook`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.playbook import sections_comms, sections_publish, sections_response, sections_watch
from warroom.playbook.checker import Checker
from warroom.playbook.keys import KeyRemap, parse_keys
from warroom.playbook.model import Playbook, PlaybookError, Settings
from warroom.playbook.sections_response import StepRefs
from warroom.playbook.sections_signals import SignalRefs
from warroom.playbook.toml_table import Table


def load_playbook(path: Path, env: Mapping[str, str] | None = None) -> Playbook:
    """The work behind `warroom.playbook.load_playbook`, which callers use (see there)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError([f"{path}: cannot read the playbook: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise PlaybookError([f"{path}: the playbook is not UTF-8 text: {exc.reason}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError([_syntax_problem(path, text, str(exc))]) from None
    checker = Checker(path, text, os.environ if env is None else env)
    data = checker.expand(data, ())
    playbook = _playbook(checker, data)
    if checker.problems:
        # In file order, so the list reads top to bottom alongside the file.
        ordered = sorted(checker.problems, key=lambda problem: problem[0])
        raise PlaybookError([f"{path}:{line}: {message}" for line, message in ordered])
    return playbook


def _syntax_problem(path: Path, text: str, message: str) -> str:
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if match is not None:
        line = int(match.group(1))
        message = message[: match.start()]
    else:
        # tomllib says "(at end of document)" when the error only shows at the end.
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        message = re.sub(r"\s*\(at end of document\)$", " (at end of file)", message)
    return f"{path}:{max(line, 1)}: invalid TOML: {message[:1].lower()}{message[1:]}"


def _playbook(checker: Checker, data: dict[str, Any]) -> Playbook:
    root = Table(checker, (), data)
    settings = _settings(root.table("settings"))
    severities = sections_response.severities(root)
    services = sections_watch.services(root)
    providers = sections_watch.providers(root)
    presets = sections_watch.presets(root)
    sources = sections_watch.log_sources(root, {s.name for s in services})
    refs = StepRefs({s.name for s in sources}, {p.name for p in presets})
    emergency = sections_response.emergency(root)
    quick_checks = sections_response.quick_checks(root, refs, {c.name for c in emergency})
    phases = sections_response.phases(root)
    escalation = sections_response.escalation(root)
    support = sections_response.support(root, {p.name for p in providers})
    targets = {s.name for s in services} | {p.name for p in providers}
    signal_refs = SignalRefs(targets, {s.name for s in sources})
    runbooks = sections_response.runbooks(root, refs, signal_refs)
    templates = sections_comms.templates(root)
    post_incident = sections_response.post_incident(root)
    postmortem, guidance = sections_comms.postmortem(root)
    keys = _keys(checker, root.table("keys", None))
    status_page = sections_publish.status_page(root, targets)
    chat = sections_publish.chat(root)
    paging = sections_publish.paging(root)
    root.done()
    return Playbook(
        path=checker.path,
        settings=settings,
        severities=severities,
        services=services,
        providers=providers,
        log_sources=sources,
        log_presets=presets,
        phases=phases,
        escalation=escalation,
        external_support=support,
        runbooks=runbooks,
        emergency_commands=emergency,
        templates=templates,
        post_incident=post_incident,
        postmortem_template=postmortem,
        quick_checks=quick_checks,
        postmortem_guidance=guidance,
        secrets=frozenset(checker.secrets),
        keys=keys,
        status_page=status_page,
        chat=chat,
        paging=paging,
    )


def _keys(checker: Checker, table: Table | None) -> tuple[KeyRemap, ...]:
    if table is None:
        return ()
    remaps = []
    for binding_id in list(table.data):
        written = table.text(binding_id)
        if not written:
            continue  # not a string, or empty: reported already
        keys = parse_keys(written)
        if keys is None:
            shown = table.shown(binding_id, written)
            table.problem(binding_id, f"{shown} is not a key or keys like 'N' or 'ctrl+n,f5'")
            continue
        remaps.append(KeyRemap(binding_id, keys, checker.lines.get(("keys", binding_id), 1)))
    table.done()
    return tuple(remaps)


def _settings(table: Table | None) -> Settings:
    if table is None:
        return Settings(product="")
    zone = table.text("display_timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        shown = table.shown("display_timezone", zone)
        table.problem("display_timezone", f"{shown} is not a known IANA time zone")
    settings = Settings(
        product=table.text("product"),
        display_timezone=zone,
        status_update_interval=table.duration("status_update_interval", timedelta(minutes=15)),
        postmortem_link=table.url("postmortem_link", ""),
        capture_max_lines=table.integer("capture_max_lines", 1_000_000, minimum=1),
        read_only=table.flag("read_only", False),
        repository=table.text("repository", ""),
        theme=table.text("theme", ""),
    )
    table.done()
    return settings
