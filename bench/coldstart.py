"""Cold start to the first screen in a real terminal (prints figures; not a test).

    .venv/bin/python bench/coldstart.py [--runs 7]

Starts each program in a fresh detached tmux session (a private server) at 200x60 and times
from the session's start to the first `capture-pane` (taken each time the program writes)
that shows its first screen; the tmux session's own start is measured too, with a shell
that prints at once, and taken off. Printed as the median of `--runs` starts and as a
ratio to the anchor, a trivial Textual app (one label), started the same way in the same
run:
- open: `warroom open` on an incident, the shipped playbook (health polling and a log
  source that never answers, so the screen cannot wait on either), until its title shows;
- demo: `warroom demo`, until the demo incident's title shows;
both run as the installed `warroom` command, as they are typed.
- each again until what the regions hold is on screen too (the timeline's first entry): a
  first frame of the header alone, the regions filled later, would show as the difference.
Goal: open and demo <= 2x the anchor.

warroom's modules are compiled to bytecode first, as `pip install` does: an editable install
under PYTHONDONTWRITEBYTECODE would otherwise compile them again at every start, a cost no
installed warroom pays and the anchor (Textual, installed) does not pay either.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.terminal import PYTHON, REPO, Terminal, declare, scratch, showing

SIZE = (200, 60)
WARROOM = str(Path(PYTHON).with_name("warroom"))
"""The command an incident commander types: the installed script, not `python -m warroom`,
whose runpy and module search no user pays."""
SHELL = ["sh", "-c", "echo ready; sleep 30"]
"""What only tmux's own start costs: a shell that prints at once."""
FILLED = "Declared P1"
"""The timeline's first entry: on screen once the regions are filled."""
HANGING_SOURCE = f"""
[[log_source]]
name = "silent"
command = ["{PYTHON}", "-c", "import time; time.sleep(3600)"]
"""


def first_screen(command: list[str], env: dict[str, str], shows: str) -> float:
    """Seconds from starting `command` in tmux until the screen shows `shows`."""
    start = time.perf_counter()
    term = Terminal(command, env=env, size=SIZE)
    try:
        term.wait_for(showing(shows), timeout=30)
        return time.perf_counter() - start
    finally:
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: start-up is timed to a real terminal's first screen")
    if not Path(WARROOM).exists():
        sys.exit(f"{WARROOM} is missing: install warroom in this environment (pip install -e .)")
    compileall.compile_dir(REPO / "warroom", quiet=1)
    with scratch("coldstart-bench-") as (folder, env, anchor_script):
        title = "cold start bench"
        playbook = folder / "playbook.toml"
        playbook.write_text((REPO / "playbook.toml").read_text() + HANGING_SOURCE)

        def open_incident(db: Path) -> list[str]:
            # A database of its own for each figure: the start before it on the same one
            # may still be closing it (up to a second's grace), and would be waited for.
            incident = declare(db, env, title)
            command = [WARROOM, "--db", str(db), "--playbook", str(playbook)]
            return [*command, "open", incident]

        demo = [WARROOM, "demo"]
        starts: dict[str, tuple[list[str], str]] = {
            "tmux": (SHELL, "ready"),
            "anchor": ([PYTHON, str(anchor_script)], "anchor"),
            "open": (open_incident(folder / "open.db"), title),
            "open, regions filled": (open_incident(folder / "filled.db"), FILLED),
            "demo": (demo, "demo outage"),
            "demo, regions filled": (demo, FILLED),
        }
        # In turns, not each program's runs together: the machine's drift falls on all.
        seconds: dict[str, list[float]] = {name: [] for name in starts}
        for _ in range(args.runs):
            for name, (command, shows) in starts.items():
                seconds[name].append(first_screen(command, env, shows))
    figures = {name: statistics.median(times) for name, times in seconds.items()}
    tmux = figures.pop("tmux")
    anchor = figures["anchor"] - tmux
    print(f"cold start to first screen in tmux {SIZE[0]}x{SIZE[1]}, median of {args.runs}")
    print(f"(tmux session start {tmux * 1000:.0f} ms, taken off every figure)")
    for name, median in figures.items():
        wall = median - tmux
        ratio = "" if name == "anchor" else f"  {wall / anchor:4.2f}x anchor"
        goal = "  (goal <= 2x)" if name in ("open", "demo") else ""
        print(f"{name:<21} {wall * 1000:6.0f} ms{ratio}{goal}")


if __name__ == "__main__":
    main()
