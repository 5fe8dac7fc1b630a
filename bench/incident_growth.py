"""Benchmark of a growing incident in the running war room (prints figures; not a test).

    .venv/bin/python bench/incident_growth.py [--sizes 100,1000,10000,50000] [--notes 40]

For each size an incident of that many events (notes, health flaps, ticks, pins; written with
`append_many`, as `warroom note ID -` does) is opened in the headless app at 200x60:
- open: from constructing the app to the first frame that shows every timeline entry;
- append -> frame: a thread that is not the app's loop hands the session a note to record and
  waits for the first frame (computed and rendered to segments) whose timeline holds it;
  p50/p95 over `--notes` notes, one at a time, with the loop idle in between.
The anchor is the same append -> frame on a 1-event incident in the same run: the cost of the
store, the widgets and a frame with nothing to scale. Goals: p95 <= 10 ms at 10,000 events and
<= 20 ms at 50,000; open 50,000 <= 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.screen import Screen

from bench.terminal import percentile
from tests.support.playbooks import quiet_playbook
from warroom.incident import (
    HEALTH_CHANGED,
    ITEM_TICKED,
    LOG_PINNED,
    NOTE_ADDED,
    note_added,
    utc_now,
)
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.timeline import TimelinePane

CHUNK = 1000


def mix(index: int, item_ids: list[str]) -> tuple[str, dict[str, Any]]:
    """A long incident's events: mostly notes, health flapping, some ticks and pins."""
    slot = index % 10
    if slot < 6:
        return NOTE_ADDED, {"text": f"note {index}: checked the pool, still saturated"}
    if slot < 8:
        to = "down" if index % 20 < 10 else "up"
        return HEALTH_CHANGED, {"target": f"svc-{index % 7}", "from": "up", "to": to}
    if slot == 8:
        return ITEM_TICKED, {"item_id": item_ids[index % len(item_ids)]}
    return LOG_PINNED, {"source": "backend", "line": f"ERROR pool exhausted #{index}"}


async def build(path: Path, size: int, item_ids: list[str]) -> str:
    store = await open_store(path)
    async with store:
        # Every event in the past, the last a minute ago: the notes measured come after it.
        start = utc_now() - timedelta(seconds=size + 60)
        declared = await store.declare(title="Growth", severity="P1", actor="bench", at=start)
        for first in range(1, size, CHUNK):
            rows = [mix(i, item_ids) for i in range(first, min(size, first + CHUNK))]
            at = start + timedelta(seconds=first)
            await store.append_many(declared.incident_id, rows, actor="bench", at=at)
    return declared.incident_id


class MeasuredApp(WarRoomApp):
    """The app, telling a waiting thread when a frame shows `want` timeline entries."""

    CSS_PATH = str(Path(sys.modules[WarRoomApp.__module__].__file__ or "").parent / "warroom.tcss")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.want = -1
        self.shown = threading.Event()
        self.shown_at = 0.0

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is None or self.shown.is_set() or not isinstance(screen, WarRoomScreen):
            return
        # Headless Textual computes the update but writes nothing: render it as a terminal would.
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(self.console)
        if screen.query_one(TimelinePane).entry_count >= self.want:
            self.shown_at = time.perf_counter()
            self.shown.set()


async def measure(path: Path, incident_id: str, size: int, notes: int) -> dict[str, float]:
    store: EventStore = await open_store(path)
    app = MeasuredApp(
        playbook=quiet_playbook(),
        store=store,
        incident_id=incident_id,
        actor="bench",
        copies_dir=Path(tempfile.mkdtemp(prefix="warroom-bench-")),
        local_clipboard=None,
    )
    app.want = size
    started = time.perf_counter()
    latencies: list[float] = []
    async with store, app.run_test(size=(200, 60)) as pilot:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, app.shown.wait, 60)
        opened = app.shown_at - started
        screen = app.screen
        assert isinstance(screen, WarRoomScreen)

        def drive() -> None:
            for n in range(notes):
                app.want = screen.query_one(TimelinePane).entry_count + 1
                app.shown.clear()
                sent = time.perf_counter()
                asyncio.run_coroutine_threadsafe(
                    screen.session.record(note_added(f"bench note {n}")), loop
                )
                if not app.shown.wait(30):
                    raise RuntimeError("a note never reached the screen")
                latencies.append(app.shown_at - sent)
                time.sleep(0.03)  # let the loop go idle: each note is measured on its own

        await loop.run_in_executor(None, drive)
        await pilot.pause()
    return {
        "open": opened,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--notes", type=int, default=40)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    item_ids = [item.id for phase in quiet_playbook().phases for item in phase.items]
    with tempfile.TemporaryDirectory() as folder:
        anchor_path = Path(folder) / "anchor.db"
        anchor_id = await build(anchor_path, 1, item_ids)
        anchor = await measure(anchor_path, anchor_id, 1, args.notes)
        print(
            f"anchor (1 event): open {anchor['open'] * 1000:.0f} ms, append->frame "
            f"p50 {anchor['p50'] * 1000:.1f} ms p95 {anchor['p95'] * 1000:.1f} ms"
        )
        for size in sizes:
            path = Path(folder) / f"incident-{size}.db"
            built = time.perf_counter()
            incident_id = await build(path, size, item_ids)
            written = time.perf_counter() - built
            got = await measure(path, incident_id, size, args.notes)
            print(
                f"{size:>6} events: written in {written:.2f} s; open {got['open']:.2f} s "
                f"({got['open'] / anchor['open']:.1f}x anchor); append->frame "
                f"p50 {got['p50'] * 1000:.1f} ms p95 {got['p95'] * 1000:.1f} ms "
                f"({got['p95'] / anchor['p95']:.1f}x anchor p95)"
            )


if __name__ == "__main__":
    asyncio.run(main())
