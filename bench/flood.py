"""The whole war room under a log flood, headless (prints figures; not a test).

    .venv/bin/python bench/flood.py [--lines 1000000]

The app as `warroom demo` builds it (health polling the simulated world, the checklist, the
timeline, an incident on a real SQLite file) with one more log source: the `fly logs`
stand-in flooding `--lines` lines as fast as it can. Headless Textual computes each frame but
writes nothing, so every frame is rendered to segments here as a terminal would get it.
Printed:
- lines/s from the first line buffered to the first frame after the last;
- keys: a thread that is not the app's loop posts a key every 20 ms and keeps each send time;
  the binding's action takes them in order, so a key that waited behind a busy loop counts
  in full (p50/p95/p99);
- loop lag: how late a 10 ms sleep on the loop wakes (p99, max);
- lines archived with the incident vs produced, and how long after the flood the last one was;
- RSS at the end;
- anchors in the same run: a bare `re.search` loop over the same lines, and Textual's own
  `Log` widget fed the same stream in batches of 1,000 (unbounded: a bounded `Log` stops
  repainting once it prunes, see ../shared/perf-notes.md).
Goals (issue 12): >= 300k lines/s, key p95 <= 50 ms, every line archived.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.__main__ import TEXTUAL_SETTINGS

# The war room as `warroom` runs it (and the Textual `Log` anchor, in the same process, too);
# set before Textual is imported, which reads them once.
os.environ.update({**TEXTUAL_SETTINGS, **os.environ})

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Log

from bench.logtail import bare_loop, rss_mb
from bench.terminal import percentile
from warroom.demo.world import DemoWorld, demo_playbook
from warroom.playbook import LogSource, load_playbook
from warroom.resources import bundled_playbook_path
from warroom.store import open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.widgets.log_pane import LogPane

FLOOD = (sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "flood", "--flood")
KEY_EVERY = 0.02


class FloodedApp(WarRoomApp):
    """The war room, with a key whose action only notes when it ran, and frames rendered."""

    CSS_PATH = str(Path(sys.modules[WarRoomApp.__module__].__file__ or "").parent / "warroom.tcss")
    BINDINGS = [*WarRoomApp.BINDINGS, Binding("f12", "ping", "ping", show=False, priority=True)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handled: list[float] = []
        self.frame_listeners: list[Any] = []

    def action_ping(self) -> None:
        self.handled.append(time.perf_counter())

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(self.console)
        for listener in self.frame_listeners:
            listener()


def key_poster(
    app: App[Any], loop: asyncio.AbstractEventLoop, stop: threading.Event
) -> list[float]:
    sent: list[float] = []
    while not stop.is_set():
        sent.append(time.perf_counter())
        loop.call_soon_threadsafe(app.post_message, events.Key("f12", None))
        time.sleep(KEY_EVERY)
    return sent


async def war_room(lines: int, folder: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    with DemoWorld() as world:
        demo = demo_playbook(load_playbook(bundled_playbook_path()), world.base_url)
        flood = LogSource("flood", (*FLOOD, "--count", str(lines)))
        playbook = demo._replace(log_sources=(flood,))
        store = await open_store(folder / "incidents.db")
        declared = await store.declare(title="Flood", severity="P1", actor="bench")
        app = FloodedApp(
            playbook=playbook,
            store=store,
            incident_id=declared.incident_id,
            actor="bench",
            copies_dir=folder / "copies",
            local_clipboard=None,
        )
        async with store, app.run_test(size=(200, 60)) as pilot:
            loop = asyncio.get_running_loop()
            pane = app.screen.query_one(LogPane)
            buffer = pane.tail.buffer
            first: float | None = None
            shown = asyncio.Event()

            def on_frame() -> None:
                nonlocal first
                if first is None and buffer.next_seq:
                    first = time.perf_counter()
                if buffer.next_seq >= lines and not shown.is_set():
                    figures["end"] = time.perf_counter()
                    shown.set()

            app.frame_listeners.append(on_frame)
            lags: list[float] = []

            async def lag_probe() -> None:
                while not shown.is_set():
                    before = time.perf_counter()
                    await asyncio.sleep(0.01)
                    lags.append(time.perf_counter() - before - 0.01)

            stop = threading.Event()
            poster = loop.run_in_executor(None, key_poster, app, loop, stop)
            probe = asyncio.create_task(lag_probe())
            await asyncio.wait_for(shown.wait(), 300)
            stop.set()
            sent = await poster
            await probe
            await pilot.pause()
            assert first is not None
            figures["rate"] = lines / (figures["end"] - first)
            handled = app.handled[: len(sent)]
            waits = [done - posted for posted, done in zip(sent, handled, strict=False)]
            figures["keys"] = len(waits)
            figures["lost"] = len(sent) - len(waits)
            for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
                figures[name] = percentile(waits, share) * 1000
            figures["lag99"] = percentile(lags, 0.99) * 1000
            figures["lagmax"] = max(lags) * 1000
            archiver = pane.tail.archiver
            assert archiver is not None
            while archiver.pending and not archiver.error:
                await asyncio.sleep(0.01)
            figures["archive_after"] = time.perf_counter() - figures["end"]
            figures["rss"] = rss_mb()
        store = await open_store(folder / "incidents.db")
        async with store:
            rows = await store.log_lines(declared.incident_id, limit=lines + 1)
        figures["archived"] = len(rows)
    return figures


class LogAnchor(App[None]):
    """Textual's `Log`, fed the same stream from a subprocess in batches of 1,000 lines."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines
        self.elapsed = 0.0

    def compose(self) -> ComposeResult:
        yield Log()

    async def feed(self) -> None:
        process = await asyncio.create_subprocess_exec(
            *FLOOD, "--count", str(self.lines), stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        log = self.query_one(Log)
        started = time.perf_counter()
        pending: list[str] = []
        tail = b""
        while chunk := await process.stdout.read(1 << 20):
            *complete, tail = (tail + chunk).split(b"\n")
            pending.extend(line.decode() for line in complete)
            while len(pending) >= 1000:
                log.write_lines(pending[:1000])
                del pending[:1000]
                await asyncio.sleep(0)
        log.write_lines(pending)
        await process.wait()
        self.elapsed = time.perf_counter() - started


async def log_anchor(lines: int) -> float:
    app = LogAnchor(lines)
    async with app.run_test(size=(200, 60)) as pilot:
        await app.feed()
        await pilot.pause()
    return lines / app.elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        got = asyncio.run(war_room(args.lines, Path(folder)))
    textual_log = asyncio.run(log_anchor(args.lines))
    bare = bare_loop(args.lines, "ERROR|timeout")
    print(f"lines flooded                  {args.lines:>10,}")
    print(
        f"war room, to screen            {got['rate']:>10,.0f} lines/s   "
        f"({got['rate'] / textual_log:.2f}x Textual Log, {got['rate'] / bare:.2f}x bare loop; "
        "goal >= 300,000)"
    )
    print(f"Textual Log, same stream       {textual_log:>10,.0f} lines/s   (anchor)")
    print(f"bare re.search loop            {bare:>10,.0f} lines/s   (anchor)")
    print(
        f"keys from another thread       p50 {got['p50']:.1f} ms  p95 {got['p95']:.1f} ms  "
        f"p99 {got['p99']:.1f} ms  ({got['keys']:.0f} keys, {got['lost']:.0f} unanswered; "
        "goal p95 <= 50 ms)"
    )
    print(f"loop lag                       p99 {got['lag99']:.1f} ms  max {got['lagmax']:.1f} ms")
    print(
        f"archived with the incident     {got['archived']:>10,.0f} of {args.lines:,}   "
        f"(last {got['archive_after']:.2f} s after the flood)"
    )
    print(f"RSS at end                     {got['rss']:>10.1f} MB")


if __name__ == "__main__":
    main()
