"""Reading what warroom watches: [[service]], [[provider]], [[log_source]], [[log_preset]].

Each function reads its array of tables from the root table into model objects, reporting
problems through the tables; the names they return are what later sections refer to.
"""

from __future__ import annotations

import re

from warroom.patterns import PatternError, check_pattern
from warroom.playbook.model import (
    POLL_TIMEOUT,
    PROVIDER_INTERVAL,
    SERVICE_INTERVAL,
    SLOW_ANSWER,
    STALE_AFTER,
    BodyCheck,
    LogPreset,
    LogSource,
    Provider,
    Service,
)
from warroom.playbook.toml_table import REQUIRED, Table, check_unique, describe, show

_MIN_LEVELS = ("", "debug", "info", "warn", "error")


def services(root: Table) -> tuple[Service, ...]:
    tables = root.tables("service")
    out: list[Service] = []
    for table in tables:
        body = None
        body_table = table.table("body", None)
        if body_table is not None:
            path = body_table.text("path")
            equals = body_table.get("equals", (str, int, float, bool), "a value", REQUIRED)
            body = BodyCheck(path=path.lstrip("."), equals=equals)
            body_table.done()
            if path and not re.fullmatch(r"\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", path):
                shown = body_table.shown("path", path)
                body_table.problem("path", f"{shown} is not a dotted path like '.status'")
        status = table.get("expected_status", list, "a list of two status codes", [200, 299])
        if not (
            len(status) == 2
            and all(type(code) is int and 100 <= code <= 599 for code in status)
            and status[0] <= status[1]
        ):
            table.problem("expected_status", "must be [lowest, highest] HTTP status codes")
            status = [200, 299]
        out.append(
            Service(
                name=table.text("name"),
                url=table.url("url"),
                fly_app=table.text("fly_app", ""),
                body=body,
                expected_status=(status[0], status[1]),
                interval=table.duration("interval", SERVICE_INTERVAL),
                timeout=table.duration("timeout", POLL_TIMEOUT),
                slow=table.duration("slow", SLOW_ANSWER),
                failures_to_down=table.integer("failures_to_down", 2, minimum=1),
                successes_to_up=table.integer("successes_to_up", 2, minimum=1),
            )
        )
        table.done()
    check_unique(tables, "name", [s.name for s in out], "service name")
    return tuple(out)


def providers(root: Table) -> tuple[Provider, ...]:
    tables = root.tables("provider")
    out: list[Provider] = []
    for table in tables:
        out.append(
            Provider(
                name=table.text("name"),
                page=table.url("page").rstrip("/"),
                interval=table.duration("interval", PROVIDER_INTERVAL),
                timeout=table.duration("timeout", POLL_TIMEOUT),
                failures_to_down=table.integer("failures_to_down", 2, minimum=1),
                successes_to_up=table.integer("successes_to_up", 2, minimum=1),
            )
        )
        table.done()
    check_unique(tables, "name", [p.name for p in out], "provider name")
    return tuple(out)


def presets(root: Table) -> tuple[LogPreset, ...]:
    tables = root.tables("log_preset")
    out: list[LogPreset] = []
    for table in tables:
        ignore_case = table.flag("ignore_case", True)
        patterns: dict[str, tuple[str, ...]] = {}
        for key in ("include", "exclude"):
            patterns[key] = table.strs(key)
            for index, pattern in enumerate(patterns[key]):
                try:
                    check_pattern(pattern, ignore_case=ignore_case)
                except PatternError as exc:
                    where = (*table.path, key, index)
                    written = table.checker.source(where, pattern)
                    # The reason may quote part of the pattern, so when some of it came from
                    # the environment only what is wrong is said, not where.
                    what = f"{describe(written, pattern)}: {exc}"
                    if written is not None:
                        what = f"in {describe(written, pattern)}: {exc.unquoted}"
                    table.checker.problem(
                        where,
                        f"{show((*table.path, key))}[{index}]: bad regular expression {what}",
                    )
        out.append(
            LogPreset(
                name=table.text("name"),
                include=patterns["include"],
                exclude=patterns["exclude"],
                min_level=table.choice("min_level", _MIN_LEVELS, ""),
                ignore_case=ignore_case,
            )
        )
        table.done()
    check_unique(tables, "name", [p.name for p in out], "log preset name")
    return tuple(out)


def log_sources(root: Table, service_names: set[str]) -> tuple[LogSource, ...]:
    tables = root.tables("log_source")
    out: list[LogSource] = []
    for table in tables:
        service = table.text("service", "")
        if service and service not in service_names:
            shown = table.shown("service", service)
            table.problem("service", f"no [[service]] is named {shown}")
        out.append(
            LogSource(
                name=table.text("name"),
                command=table.command("command"),
                service=service,
                format=table.choice("format", ("plain", "json"), "plain"),  # type: ignore[arg-type]
                stale_after=table.duration("stale_after", STALE_AFTER),
            )
        )
        table.done()
    check_unique(tables, "name", [s.name for s in out], "log source name")
    return tuple(out)
