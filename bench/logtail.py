"""Benchmark of the log tail in the running app (prints figures; not a test).

    /work/venv/bin/python bench/logtail.py [--lines 1000000]

A fakefly source floods `--lines` fly-format lines as fast as it can into a `LogPane` with an
include filter (`ERROR|timeout`) in a headless Textual app. Printed:
- ingest rate (lines/s) from the first to the last line buffered;
- key->handler latency during the flood: a Key event is posted to the app every 20 ms and
  the binding's action records when it ran (`pilot.press` waits for the app to go idle,
  up to 1 s twice, so under load it reads ~1.85 s whatever the app does);
- re-filter of the full 100,000-line buffer (apply_filter, including the repaint);
- RSS at the end;
- with `--capture`, the pane archives into an incident on a SQLite file in a temporary
  directory, as the war room does: lines archived vs produced (see also bench/capture.py);
- for scale, a bare `re.search` loop over the same lines, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.incident.events import utc_now
from warroom.logs.archive import Capture
from warroom.logs.filter import FilterSpec
from warroom.playbook import LogSource, load_playbook
from warroom.safetext import strip_sgr
from warroom.session.incident_session import IncidentSession
from warroom.store import open_store
from warroom.ui.widgets.log_pane import LogPane

PATTERN = "ERROR|timeout"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class BenchApp(App[None]):
    BINDINGS = [Binding("z", "ping", "ping", priority=True)]

    def __init__(self, pane: LogPane) -> None:
        super().__init__()
        self.pane = pane
        self.sent: float | None = None
        self.latencies: list[float] = []

    def compose(self) -> ComposeResult:
        yield self.pane

    def action_ping(self) -> None:
        if self.sent is not None:
            self.latencies.append(time.perf_counter() - self.sent)
            self.sent = None


async def incident_capture(stack: AsyncExitStack) -> Capture:
    """The capture of an incident on a SQLite file that lives as long as `stack`."""
    tmp = stack.enter_context(tempfile.TemporaryDirectory())
    store = await stack.enter_async_context(await open_store(Path(tmp) / "incidents.db"))
    declared = await store.declare(title="flood", severity="P1", actor="bench")
    session = IncidentSession(
        store=store,
        incident_id=declared.incident_id,
        playbook=load_playbook(Path(__file__).resolve().parent.parent / "playbook.toml"),
        actor="bench",
        clock=utc_now,
        on_state=lambda state: None,
        on_refused=lambda kind, error: None,
    )
    await session.load()
    return session.log_capture()


async def run_app(lines: int, pattern: str, *, capture: bool = False) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        archive = await incident_capture(stack) if capture else None
        return await run_pane(lines, pattern, archive)


async def run_pane(lines: int, pattern: str, capture: Capture | None) -> dict[str, float]:
    cmd = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "bench", "--flood")
    pane = LogPane(sources=[LogSource("bench", (*cmd, "--count", str(lines)))], capture=capture)
    spec = FilterSpec(include=(pattern,))
    pane.tail.set_filter(spec)
    pane.spec = spec
    app = BenchApp(pane)
    figures: dict[str, float] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        first: float | None = None
        done = asyncio.Event()
        original = pane.tail.on_batch
        assert original is not None

        def hook(added: int, shown: int) -> None:
            nonlocal first
            original(added, shown)
            if first is None:
                first = time.perf_counter()
            if pane.tail.buffer.next_seq >= lines:
                done.set()

        pane.tail.on_batch = hook

        async def pinger() -> None:
            while not done.is_set():
                app.sent = time.perf_counter()
                app.post_message(events.Key("z", "z"))
                await asyncio.sleep(0.02)

        ping_task = asyncio.create_task(pinger())
        await asyncio.wait_for(done.wait(), 120)
        end = time.perf_counter()
        await ping_task
        assert first is not None
        figures["ingest"] = lines / (end - first)
        figures["matched"] = pane.tail.buffer.match_count
        figures["held"] = len(pane.tail.buffer)
        lat = sorted(app.latencies)
        figures["pings"] = len(lat)
        if lat:
            figures["p50"] = statistics.median(lat) * 1000
            figures["p95"] = lat[int(len(lat) * 0.95) - 1 if len(lat) > 1 else 0] * 1000
            figures["max"] = lat[-1] * 1000
        archiver = pane.tail.archiver
        if archiver is not None:
            while archiver.archived + archiver.dropped < lines and not archiver.error:
                await asyncio.sleep(0.01)
            figures["archived"] = archiver.archived
            figures["archive_lag"] = time.perf_counter() - end
        await pilot.pause()
        timings = []
        for pattern in ("GET /api", "timeout|5\\d\\d", PATTERN):
            t0 = time.perf_counter()
            pane.apply_filter(FilterSpec(include=(pattern,)))
            timings.append(time.perf_counter() - t0)
        figures["refilter"] = max(timings) * 1000
        figures["rss"] = rss_mb()
    return figures


def bare_loop(lines: int, pattern: str) -> float:
    cmd = [sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "bench", "--flood"]
    out = subprocess.run([*cmd, "--count", str(lines)], capture_output=True, check=True).stdout
    texts = strip_sgr(out.decode()).split("\n")
    search = re.compile(pattern).search
    t0 = time.perf_counter()
    for text in texts:
        search(text)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    # A literal alternation runs on re; anything else (e.g. 'ERROR|time.ut') on RE2.
    parser.add_argument("--pattern", default=PATTERN)
    parser.add_argument("--capture", action="store_true", help="archive into SQLite as well")
    args = parser.parse_args()
    f = asyncio.run(run_app(args.lines, args.pattern, capture=args.capture))
    bare = bare_loop(args.lines, args.pattern)
    print(f"lines flooded               {args.lines:>12,}")
    print(f"ingest, filter {args.pattern!r}  {f['ingest']:>12,.0f} lines/s   (target >= 300,000)")
    print(f"bare re.search loop         {bare:>12,.0f} lines/s   (same lines, same run)")
    print(f"ingest / bare loop          {f['ingest'] / bare:>12.2f}")
    print(f"matched / held              {f['matched']:>8,.0f} / {f['held']:,.0f}")
    if "archived" in f:
        print(
            f"archived / produced         {f['archived']:>8,.0f} / {args.lines:,}"
            f"   (complete {f['archive_lag']:.2f} s after the last line buffered)"
        )
    if "p95" in f:
        print(
            f"key->handler during flood   p50 {f['p50']:.1f} ms  p95 {f['p95']:.1f} ms  "
            f"max {f['max']:.1f} ms  ({f['pings']:.0f} keys; target p95 <= 50 ms)"
        )
    print(f"re-filter 100k buffer       {f['refilter']:>9.1f} ms   (worst of 3; target <= 150)")
    print(f"RSS at end                  {f['rss']:>9.1f} MB   (target <= 200)")


if __name__ == "__main__":
    main()
