"""Memory of a long incident in the running war room (prints figures; not a test).

    .venv/bin/python bench/memory.py [--events 50000] [--lines 100000]

Each case runs in a fresh process: an incident of `--events` events (the mix of
bench/incident_growth.py) is opened in the headless app at 200x60, then the log buffer is
filled with `--lines` fly-format lines (as a flood leaves it), and the process's RSS is read
from /proc. The anchor is the same app on a 1-event incident with an empty buffer, in the
same run. Goal: <= 150 MB for 50,000 events with a full buffer.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def fly_line(index: int) -> str:
    failing = index % 70 == 0
    level = "error" if failing else "info"
    text = "ERROR pool exhausted" if failing else f"GET /api/items/{index} 200 {index % 300}ms"
    stamp = f"2026-12-03T14:{index // 60 % 60:02d}:{index % 60:02d}Z"
    return f"{stamp} app[3522ed01809d67] iad [{level}] {text}"


async def one_case(events: int, lines: int) -> dict[str, float]:
    from bench.incident_growth import MeasuredApp, build
    from tests.support.playbooks import quiet_playbook
    from warroom import collector
    from warroom.store import open_store
    from warroom.ui.widgets.log_pane import LogPane

    item_ids = [item.id for phase in quiet_playbook().phases for item in phase.items]
    folder = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    path = folder / "incident.db"
    incident_id = await build(path, events, item_ids)
    store = await open_store(path)
    # As `warroom` starts: the cyclic collector held until the war room's first frame.
    collector.hold()
    app = MeasuredApp(
        playbook=quiet_playbook(),
        store=store,
        incident_id=incident_id,
        actor="bench",
        copies_dir=folder / "copies",
        local_clipboard=None,
    )
    app.want = events
    async with store, app.run_test(size=(200, 60)) as pilot:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, app.shown.wait, 120)
        await pilot.pause()
        gc.collect()
        opened = rss_mb()
        buffer = app.screen.query_one(LogPane).tail.buffer
        for first in range(0, lines, 1000):
            buffer.extend("backend", [fly_line(i) for i in range(first, first + 1000)])
        await pilot.pause()
        gc.collect()
        filled = rss_mb()
    return {"opened": opened, "filled": filled}


def run_case(events: int, lines: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", str(events), str(lines)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--case", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(asyncio.run(one_case(*args.case))))
        return
    anchor = run_case(1, 0)
    got = run_case(args.events, args.lines)
    print(f"anchor (1 event, empty buffer)   RSS {anchor['opened']:6.1f} MB")
    print(
        f"{args.events:,} events opened          RSS {got['opened']:6.1f} MB "
        f"({got['opened'] / anchor['opened']:.1f}x anchor)"
    )
    print(
        f"  + {args.lines:,} lines in the buffer  RSS {got['filled']:6.1f} MB "
        f"({got['filled'] / anchor['opened']:.1f}x anchor; goal <= 150 MB)"
    )


if __name__ == "__main__":
    main()
