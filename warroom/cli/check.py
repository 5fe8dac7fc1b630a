"""`warroom check [--json]`: poll every service and provider once and print the result.

Runs without a terminal (cron, CI, a bot): the table is plain text when `out` is not a tty,
and colour follows NO_COLOR. Textual is never imported here.
"""

from __future__ import annotations

import asyncio
import json
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from warroom.health.monitor import HEALTHY, SYMBOLS, HealthMonitor, HealthSample, State, summary
from warroom.playbook import Playbook

STYLES: dict[State, str] = {
    "up": "green",
    "degraded": "yellow",
    "down": "bold red",
    "maintenance": "cyan",
    "unknown": "magenta",
}


def run_check(playbook: Playbook, *, as_json: bool, out: TextIO) -> int:
    """Poll every target of `playbook` once, concurrently, and print a table or JSON.

    Returns 0 when every target is up or in announced maintenance (planned work pages
    nobody), 1 when any is degraded, down or unknown. A playbook without targets counts as
    all up.
    """
    samples = asyncio.run(_poll(playbook))
    healthy = all(s.state in HEALTHY for s in samples)
    if as_json:
        down, total, text = summary(s.state for s in samples)
        document = {
            "ok": healthy,
            "summary": text,
            "down": down,
            "total": total,
            "targets": [s.to_json() for s in samples],
        }
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        _print_table(samples, out)
    return 0 if healthy else 1


async def _poll(playbook: Playbook) -> list[HealthSample]:
    async with HealthMonitor.from_playbook(playbook) as monitor:
        return await monitor.poll_once()


def _print_table(samples: list[HealthSample], out: TextIO) -> None:
    console = Console(file=out, highlight=False, soft_wrap=False)
    table = Table(title=summary(s.state for s in samples)[2], title_justify="left", expand=False)
    table.add_column("target")
    table.add_column("kind")
    table.add_column("state", no_wrap=True)
    table.add_column("status", justify="right")
    table.add_column("latency", justify="right", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for sample in samples:
        # Every cell is a Text, never a markup string: reasons come from HTTP bodies.
        table.add_row(
            Text(sample.target),
            Text(sample.kind),
            Text(f"{SYMBOLS[sample.state]} {sample.state}", style=STYLES[sample.state]),
            Text("-" if sample.status is None else str(sample.status)),
            Text("-" if sample.latency is None else f"{sample.latency * 1000:.0f} ms"),
            Text(sample.reason),
        )
    console.print(table)
