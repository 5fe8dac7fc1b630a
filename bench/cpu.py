"""How much CPU the war room uses when nothing much happens (prints figures; not a test).

    .venv/bin/python bench/cpu.py [--seconds 30]

Runs warroom in a real terminal (a detached tmux session at 200x60), waits for it to settle,
then reads the process's CPU time (user + system, children included) from /proc over
`--seconds` of wall time. Printed as CPU seconds per minute and as a share of one core,
beside the anchor: a trivial Textual app (one label, one 1 s timer) in the same terminal.
- idle: `warroom` on its open incident, a playbook with nothing to poll or tail;
- demo: `warroom demo` (health polling, a 15 lines/s log tail, the clocks).
Goals: idle below 3 % of a core, the demo below 8 %.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.terminal import declare, playbook_without_outside_world

TICKS = os.sysconf("SC_CLK_TCK")
ANCHOR = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Label

    class Anchor(App):
        def compose(self):
            yield Label("0")

        def on_mount(self):
            self.n = 0
            self.set_interval(1.0, self.tick)

        def tick(self):
            self.n += 1
            self.query_one(Label).update(str(self.n))

    Anchor().run()
    """
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
    return sum(int(value) for value in fields[11:15]) / TICKS


def pane_pid(session: str) -> int:
    out = subprocess.run(
        ["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[0])


def measure(command: list[str], seconds: float, env: dict[str, str]) -> float:
    """CPU share of one core used by `command` over `seconds`, after 5 s to settle."""
    session = f"cpu-{os.getpid()}"
    shell_command = " ".join(f"'{part}'" for part in command)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60", shell_command],
        check=True,
        env=env,
    )
    try:
        pid = pane_pid(session)
        time.sleep(5)
        start_cpu, start = cpu_seconds(pid), time.monotonic()
        time.sleep(seconds)
        return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: the war room is measured in a real terminal")
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_DATA_HOME": folder, "XDG_CACHE_HOME": folder}
        db = Path(folder) / "incidents.db"
        quiet = playbook_without_outside_world(Path(folder))
        declare(db, env, "cpu bench")
        warroom = [python, "-m", "warroom", "--db", str(db)]
        anchor_script = Path(folder) / "anchor.py"
        anchor_script.write_text(ANCHOR)
        anchor = measure([python, str(anchor_script)], args.seconds, env)
        idle = measure([*warroom, "--playbook", str(quiet)], args.seconds, env)
        demo = measure([python, "-m", "warroom", "demo"], args.seconds, env)
    for name, share, goal in (("anchor", anchor, None), ("idle", idle, 3), ("demo", demo, 8)):
        figure = f"{name:<7} {share * 60:6.2f} CPU s/min  {share * 100:5.1f} % of a core"
        ratio = f"  ({share / anchor:4.1f}x anchor)" if name != "anchor" else ""
        target = f"  (goal < {goal} %)" if goal is not None else ""
        print(figure + ratio + target)


if __name__ == "__main__":
    main()
