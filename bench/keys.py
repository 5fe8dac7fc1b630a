"""Key to screen in a real terminal: single-key actions (prints figures; not a test).

    .venv/bin/python bench/keys.py [--keys 200]

Runs in a detached tmux session (a private server) at 200x60, types a key that toggles the
screen between two states with `send-keys` and times each until the terminal shows the
change (`capture-pane` each time the program writes to the pane, one row that tells the two
states apart, with its colours), one key at a time, the next after a short random pause.
The actions:
- region switch: `2` and `1` in turn (the focused region's border is drawn in another
  colour);
- follow: space in the logs region, pausing the tail and following it again (the info line
  under the logs says which);
- help: `?` opening the key help over the war room and closing it again;
- note: `n` opening the note prompt over the war room and escape closing it;
- severity: `s` opening the severity choice (a list, built new each time) and escape.
Printed as p50/p95/p99 in ms and as a ratio to the anchor, a trivial Textual app whose
label `1`/`2` change, measured in the same run, each action:
- idle: `warroom open` on an incident, a playbook with nothing to poll or tail;
- flood (region switch only): the same with a log source that is a real subprocess printing
  lines as fast as it can (fakefly --flood), the logs region tailing it;
- 300k/s: the same flood at the 300,000 lines a second the goal names (--flood-rate).
Goal: p95 <= 50 ms idle and at 300k/s, every action.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from itertools import chain
from pathlib import Path
from typing import NamedTuple

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


class Action(NamedTuple):
    """Keys that take the screen from one state to the other and back; `marker` names the
    row that tells the two states apart (with its colours), or, with `words`, the word
    that does (for a row whose counts move under a flood); `setup` keys are sent once;
    `apart` names each key's figures when they are printed apart."""

    name: str
    keys: tuple[str, str]
    marker: str
    words: tuple[str, str] | None = None
    setup: tuple[str, ...] = ()
    apart: tuple[str, str] | None = None

    def state(self, rows: list[str]) -> str | None:
        """What the screen shows of this action now."""
        row = marker_row(rows, self.marker)
        if self.words is None or row is None:
            return row
        return next((word for word in self.words if word in plain([row])), None)


REGION_SWITCH = Action("region", ("2", "1"), "1 Health")


def dialog(name: str, key: str) -> Action:
    """`key` opens a dialog over the war room, which Textual dims, and escape closes it."""
    return Action(name, (key, "Escape"), "1 Health", apart=(f"{name} open", f"{name} escape"))


ACTIONS = (
    REGION_SWITCH,
    Action("follow", ("Space", "Space"), "│ times ", words=("paused", "following"), setup=("2",)),
    Action("help", ("?", "?"), "1 Health"),
    dialog("note", "n"),
    dialog("severity", "s"),
    dialog("comms", "c"),
    dialog("moment", "M"),
    dialog("roles", "a"),
    dialog("rename", "T"),
    dialog("commands", "x"),
    dialog("runbooks", "b"),
    dialog("changes", "D"),
    dialog("resolve", "R"),
)
"""The region keys; space in the logs, pausing the tail and following it again; the key
help opened over the war room and closed (it hides the war room); then each key that opens
a dialog, the dialog's opening and its closing with escape timed apart: escape is the one
key a terminal sends as a byte that may start a longer sequence, so it is read only once
the escape delay has passed without more (`warroom.ui.driver`)."""


def marker_row(rows: list[str], text: str) -> str | None:
    """The row (with its colours) that holds `text`: it alone tells the two states apart."""
    return next((row for row in rows if text in plain([row])), None)


def settled(term: Terminal, action: Action) -> str | None:
    """What the screen shows of `action` once it has stayed the same for 0.4 s."""
    last, since = action.state(term.screen()), time.perf_counter()
    while time.perf_counter() - since < 0.4:
        now = action.state(term.screen())
        if now != last:
            last, since = now, time.perf_counter()
        time.sleep(0.02)
    return last


def key_latencies(term: Terminal, action: Action, count: int) -> tuple[list[float], list[float]]:
    """Seconds from each key to its change on screen, the action's two keys in turn: those
    of its first key and those of its second."""
    for key in action.setup:
        term.send(key)
        settled(term, action)
    shown: list[str | None] = []
    for key in action.keys:
        term.send(key)
        shown.append(settled(term, action))
    if shown[0] == shown[1]:
        raise SystemExit(f"{action.name}: its two states look the same on screen")
    latencies: tuple[list[float], list[float]] = ([], [])
    for n in range(count):
        state = n % 2
        start = time.perf_counter()
        term.send(action.keys[state])
        term.wait_for(lambda rows, want=shown[state]: action.state(rows) == want)  # type: ignore[misc]
        latencies[state].append(time.perf_counter() - start)
        time.sleep(random.uniform(0.05, 0.15))
    return latencies


def run(command: list[str], *, env: dict[str, str], ready: str, action: Action, keys: int,
        warmup: float = 0.0) -> tuple[list[float], list[float]]:  # fmt: skip
    term = Terminal(command, env=env, size=SIZE)
    try:
        term.wait_for(lambda rows: ready in plain(rows), timeout=30)
        time.sleep(warmup)
        return key_latencies(term, action, keys)
    finally:
        term.close()


def line(name: str, latencies: list[float], anchor: list[float] | None) -> str:
    p50, p95, p99 = (percentile(latencies, share) * 1000 for share in (0.5, 0.95, 0.99))
    figure = f"{name:<18} p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms  (n={len(latencies)})"
    if anchor is not None:
        figure += f"  p95 {p95 / (percentile(anchor, 0.95) * 1000):4.1f}x anchor  (goal <= 50 ms)"
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    names = [action.name for action in ACTIONS]
    parser.add_argument(
        "--actions", default=",".join(names), help=f"some of {', '.join(names)} (comma-separated)"
    )
    args = parser.parse_args()
    chosen = [action for action in ACTIONS if action.name in args.actions.split(",")]
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: keys are timed to a real terminal's screen")
    figures: list[tuple[str, list[float]]] = []
    with scratch("keys-bench-") as (folder, env, anchor_script):
        quiet = playbook_without_outside_world(folder)
        flood = playbook_without_outside_world(folder, flood_source())
        at_300k = playbook_without_outside_world(folder, flood_source("--flood-rate", "300000"))
        anchor_action = Action("anchor", ("2", "1"), "anchor")
        anchor = [*chain(*run([PYTHON, str(anchor_script)], env=env, ready="anchor",
                               action=anchor_action, keys=args.keys))]  # fmt: skip
        cases = [(action, "idle", quiet, 0.0) for action in chosen]
        if REGION_SWITCH in chosen:
            cases.append((REGION_SWITCH, "flood", flood, 3.0))
        cases += [(action, "300k/s", at_300k, 3.0) for action in chosen]
        for number, (action, load, playbook, warmup) in enumerate(cases):
            # A database of its own for each case: the start before may still be closing its.
            db = folder / f"incidents-{number}.db"
            incident = declare(db, env, "keys bench")
            warroom = [PYTHON, "-m", "warroom", "--db", str(db), "--playbook", str(playbook)]
            latencies = run([*warroom, "open", incident], env=env, ready="1 Health",
                            action=action, keys=args.keys, warmup=warmup)  # fmt: skip
            if action.apart is None:
                figures.append((f"{action.name} {load}", [*chain(*latencies)]))
            else:
                figures += [
                    (f"{name} {load}", of_key)
                    for name, of_key in zip(action.apart, latencies, strict=True)
                ]
    print(f"single-key actions, key -> screen in tmux {SIZE[0]}x{SIZE[1]}")
    print(line("anchor", anchor, None))
    for name, figure in figures:
        print(line(name, figure, anchor))
    print(f"(anchor mean {statistics.mean(anchor) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
