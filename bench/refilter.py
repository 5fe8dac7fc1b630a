"""Re-filter in a real terminal: Enter in the log filter to the new counts on screen (prints
figures; not a test).

    .venv/bin/python bench/refilter.py [--lines 100000] [--rounds 5]

Runs `warroom open` in a detached tmux session (a private server) at 200x60 with one log
source, a real subprocess that prints `--lines` fly-format lines at once and then stays
quiet, so the log pane holds a full buffer. Then, for each pattern in turn, it types the
filter (`2`, `/`, the pattern; not timed) and times from sending Enter until the info line
under the logs shows the pattern with its count (`capture-pane` each time the program
writes), and clears the filter again. Printed per pattern as the median and the worst of `--rounds`
rounds, beside the anchor measured in the same run: a trivial Textual app whose label a key
changes, key to screen the same way.
Goal: <= 100 ms for a 100,000-line buffer.
"""

from __future__ import annotations

import argparse
import re
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
    plain,
    playbook_without_outside_world,
    scratch,
    showing,
)

SIZE = (200, 60)
PATTERNS = ("GET /api", r"timeout|5\d\d", "ERROR|timeout")
"""A literal, an alternation with a class, and the README's example."""
PLACEHOLDER = "ERROR|timeout -health level:warn src:NAME"
"""The empty filter box: it is open and has the keys."""
FULL = re.compile(r"([\d,]+) / ([\d,]+) │")


def bulk_source(lines: int) -> str:
    """A log source that prints `lines` lines at once, then stays (no restart refills it)."""
    script = (
        "import subprocess, sys, time; "
        "subprocess.run([sys.executable, '-m', 'warroom.demo.fakefly', 'logs', '--app', "
        f"'bulk', '--flood', '--count', '{lines}']); time.sleep(3600)"
    )
    return f"""
[[log_source]]
name = "bulk"
command = ["{PYTHON}", "-c", "{script}"]
"""


def counts(rows: list[str]) -> tuple[int, int] | None:
    """(shown, held) from the log pane's info line, if it is on screen."""
    found = FULL.search(plain(rows))
    if found is None:
        return None
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


def refilter_times(term: Terminal, lines: int, rounds: int) -> dict[str, list[float]]:
    term.wait_for(lambda rows: (counts(rows) or (0, 0))[1] >= lines, timeout=120)
    term.send("2")
    term.wait_for(lambda rows: "/ Filter" in plain(rows), timeout=10)  # the logs have the keys
    times: dict[str, list[float]] = {pattern: [] for pattern in PATTERNS}
    for _ in range(rounds):
        for pattern in PATTERNS:
            term.send("/")
            term.wait_for(lambda rows: PLACEHOLDER in plain(rows), timeout=10)
            term.send_literal(pattern)
            term.wait_for(lambda rows: PLACEHOLDER not in plain(rows), timeout=10)
            time.sleep(0.3)  # the typing settles; only Enter is timed
            start = time.perf_counter()
            term.send("Enter")
            term.wait_for(showing(f"│ {pattern}"), timeout=10)
            times[pattern].append(time.perf_counter() - start)
            term.send("/")
            time.sleep(0.3)  # untimed: the box opens with the filter in force
            term.send("C-u")
            term.send("Enter")
            term.wait_for(lambda rows: counts(rows) == (lines, lines), timeout=10)
            time.sleep(0.2)
    return times


def anchor_times(term: Terminal, rounds: int) -> list[float]:
    term.wait_for(lambda rows: "anchor" in plain(rows), timeout=30)
    times = []
    for n in range(rounds * len(PATTERNS)):
        key, shows = ("2", "anchor shows two") if n % 2 == 0 else ("1", "anchor shows one")
        start = time.perf_counter()
        term.send(key)
        term.wait_for(showing(shows))
        times.append(time.perf_counter() - start)
        time.sleep(0.1)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: the re-filter is timed to a real terminal's screen")
    with scratch("refilter-bench-") as (folder, env, anchor_script):
        db = folder / "incidents.db"
        incident = declare(db, env, "refilter bench")
        anchor_term = Terminal([PYTHON, str(anchor_script)], env=env, size=SIZE)
        try:
            anchor = anchor_times(anchor_term, args.rounds)
        finally:
            anchor_term.close()
        playbook = playbook_without_outside_world(folder, bulk_source(args.lines))
        command = [PYTHON, "-m", "warroom", "--db", str(db), "--playbook", str(playbook)]
        term = Terminal([*command, "open", incident], env=env, size=SIZE)
        try:
            times = refilter_times(term, args.lines, args.rounds)
        finally:
            term.close()
    base = statistics.median(anchor) * 1000
    print(f"re-filter of a {args.lines:,}-line buffer, Enter -> counts on screen, tmux 200x60")
    print(f"anchor (trivial app, key -> screen)  median {base:6.1f} ms")
    for pattern, taken in times.items():
        median, worst = statistics.median(taken) * 1000, max(taken) * 1000
        print(
            f"{pattern:<16} median {median:6.1f} ms  worst {worst:6.1f} ms  "
            f"({median / base:4.1f}x anchor; goal <= 100 ms)"
        )


if __name__ == "__main__":
    main()
