"""Key to screen in a real terminal: moving between regions (prints figures; not a test).

    .venv/bin/python bench/keys.py [--keys 200]

Runs in a detached tmux session (a private server) at 200x60, types `2` and `1` in turn
with `send-keys` and times each until the terminal shows the change (`capture-pane` polled
every 2 ms: the focused region's border is drawn in another colour), one key at a time,
the next after a short random pause. Printed as p50/p95/p99 in ms and as a ratio to the
anchor, a trivial Textual app whose label `1`/`2` change, measured in the same run:
- idle: `warroom open` on an incident, a playbook with nothing to poll or tail;
- flood: the same with a log source that is a real subprocess printing lines as fast as
  it can (fakefly --flood), the logs region tailing it;
- 300k/s: the same flood at the 300,000 lines a second the goal names (--flood-rate).
Goal: p95 <= 50 ms idle and under the flood.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.terminal import (
    PYTHON,
    Terminal,
    declare,
    percentile,
    plain,
    playbook_without_outside_world,
    scratch,
)

SIZE = (200, 60)


def flood_source(*rate: str) -> str:
    """A `[[log_source]]` printing fly lines as fast as it can, or at `--flood-rate N`."""
    argv = [PYTHON, "-m", "warroom.demo.fakefly", "logs", "--app", "flood", "--flood", *rate]
    return f'\n[[log_source]]\nname = "flood"\ncommand = {json.dumps(argv)}\n'


def marker_row(rows: list[str], text: str) -> str | None:
    """The row (with its colours) that holds `text`: it alone tells the two states apart."""
    return next((row for row in rows if text in plain([row])), None)


def settled(term: Terminal, text: str) -> str:
    """The marker row once it has stayed the same for 0.4 s."""
    last, since = None, time.perf_counter()
    while time.perf_counter() - since < 0.4:
        row = marker_row(term.screen(), text)
        if row != last:
            last, since = row, time.perf_counter()
        time.sleep(0.02)
    assert last is not None, f"{text!r} is not on screen"
    return last


def key_latencies(term: Terminal, text: str, count: int) -> list[float]:
    """Seconds from each key to its change on screen, `2` and `1` in turn."""
    shown: dict[str, str] = {}
    for key in ("2", "1"):
        term.send(key)
        shown[key] = settled(term, text)
    if shown["1"] == shown["2"]:
        raise SystemExit(f"{text!r}: `1` and `2` look the same on screen")
    latencies = []
    for n in range(count):
        key = "2" if n % 2 == 0 else "1"
        start = time.perf_counter()
        term.send(key)
        term.wait_for(lambda rows, key=key: marker_row(rows, text) == shown[key])  # type: ignore[misc]
        latencies.append(time.perf_counter() - start)
        time.sleep(random.uniform(0.05, 0.15))
    return latencies


def run(command: list[str], *, env: dict[str, str], ready: str, marker: str, keys: int,
        warmup: float = 0.0) -> list[float]:  # fmt: skip
    term = Terminal(command, env=env, size=SIZE)
    try:
        term.wait_for(lambda rows: ready in plain(rows), timeout=30, every=0.05)
        time.sleep(warmup)
        return key_latencies(term, marker, keys)
    finally:
        term.close()


def line(name: str, latencies: list[float], anchor: list[float] | None) -> str:
    p50, p95, p99 = (percentile(latencies, share) * 1000 for share in (0.5, 0.95, 0.99))
    figure = f"{name:<7} p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms  (n={len(latencies)})"
    if anchor is not None:
        figure += f"  p95 {p95 / (percentile(anchor, 0.95) * 1000):4.1f}x anchor  (goal <= 50 ms)"
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: keys are timed to a real terminal's screen")
    with scratch("keys-bench-") as (folder, env, anchor_script):
        db = folder / "incidents.db"
        incident = declare(db, env, "keys bench")
        warroom = [PYTHON, "-m", "warroom", "--db", str(db)]
        quiet = playbook_without_outside_world(folder)
        flood = playbook_without_outside_world(folder, flood_source())
        at_300k = playbook_without_outside_world(folder, flood_source("--flood-rate", "300000"))
        anchor = run([PYTHON, str(anchor_script)], env=env, ready="anchor", marker="anchor",
                     keys=args.keys)  # fmt: skip
        idle = run([*warroom, "--playbook", str(quiet), "open", incident], env=env,
                   ready="1 Health", marker="1 Health", keys=args.keys)  # fmt: skip
        flooded = run([*warroom, "--playbook", str(flood), "open", incident], env=env,
                      ready="1 Health", marker="1 Health", keys=args.keys, warmup=3)  # fmt: skip
        at_rate = run([*warroom, "--playbook", str(at_300k), "open", incident], env=env,
                      ready="1 Health", marker="1 Health", keys=args.keys, warmup=3)  # fmt: skip
    print(f"region switch (1/2) key -> screen in tmux {SIZE[0]}x{SIZE[1]}")
    print(line("anchor", anchor, None))
    print(line("idle", idle, anchor))
    print(line("flood", flooded, anchor))
    print(line("300k/s", at_rate, anchor))
    print(f"(anchor mean {statistics.mean(anchor) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
