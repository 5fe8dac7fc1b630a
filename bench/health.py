"""Benchmark of health polling: prints figures, asserts nothing.

1. 100 local endpoints, each answering after 50 ms (served by a child process so that the
   server does not share the poller's CPU time): one `poll_once()` round over all 100
   against one endpoint alone. Target: round <= 3x single.
2. Key-press latency in a running app with a `HealthPane` polling those 100 endpoints
   every second: a key event is posted to the app and timed until its action runs
   (`pilot.press` waits for the app to go idle, up to 1 s twice, so under load it would
   measure ~1.85 s whatever the app does). Target p95 <= 50 ms.

Run: /work/venv/bin/python bench/health.py [--endpoints 100] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta

REPEATS = 7


async def _serve(count: int, delay: float) -> None:
    """Child process: `count` keep-alive HTTP servers answering every request after `delay`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = b'{"status": "ok"}'
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(delay)
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0) for _ in range(count)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print(json.dumps(ports), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until parent exits


def _services(ports: list[int], interval: float = 10.0) -> list[object]:
    from warroom.playbook import BodyCheck, Service

    return [
        Service(
            name=f"svc-{i:03d}",
            url=f"http://127.0.0.1:{port}/health",
            body=BodyCheck("status", "ok"),
            interval=timedelta(seconds=interval),
            timeout=timedelta(seconds=5),
        )
        for i, port in enumerate(ports)
    ]


async def bench_rounds(ports: list[int]) -> tuple[float, float]:
    """Median seconds of one round over one endpoint, and over all of them."""
    from warroom.health.monitor import HealthMonitor

    async def median_round(targets: list[object]) -> float:
        async with HealthMonitor(targets) as monitor:  # type: ignore[arg-type]
            await monitor.poll_once()  # warm-up: connections opened, imports done
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                samples = await monitor.poll_once()
                times.append(time.perf_counter() - started)
                bad = [s for s in samples if s.state != "up"]
                assert not bad, bad[:3]
        return statistics.median(times)

    return await median_round(_services(ports[:1])), await median_round(_services(ports))


async def bench_keys(ports: list[int], presses: int = 200) -> list[float]:
    """Seconds from posting a key event to its action running, while the pane polls."""
    from textual import events
    from textual.app import App, ComposeResult
    from textual.binding import Binding

    from warroom.health.monitor import HealthMonitor
    from warroom.ui.widgets.health_pane import HealthPane

    latencies: list[float] = []
    polled = asyncio.Event()

    class Bench(App[None]):
        BINDINGS = [Binding("x", "mark", "mark")]

        def __init__(self) -> None:
            super().__init__()
            self.posted = 0.0
            self.done: asyncio.Future[None] | None = None

        def compose(self) -> ComposeResult:
            yield HealthPane(monitor=HealthMonitor(_services(ports, interval=1.0)))  # type: ignore[arg-type]

        def action_mark(self) -> None:
            latencies.append(time.perf_counter() - self.posted)
            if self.done is not None and not self.done.done():
                self.done.set_result(None)

        def on_health_pane_summary_changed(self, message: HealthPane.SummaryChanged) -> None:
            if message.text.endswith(" up") and message.total == len(ports):
                polled.set()

    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        await asyncio.wait_for(polled.wait(), 30)
        for _ in range(presses):
            # Spread the presses over the polling cycle so some land inside a burst.
            await asyncio.sleep(random.uniform(0.005, 0.05))
            app.done = asyncio.get_running_loop().create_future()
            app.posted = time.perf_counter()
            app.post_message(events.Key("x", "x"))
            await asyncio.wait_for(app.done, 5)
        await pilot.pause()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.endpoints, args.delay))
        return

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--endpoints", str(args.endpoints),
         "--delay", str(args.delay)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        ports: list[int] = json.loads(child.stdout.readline())
        single, round_all = asyncio.run(bench_rounds(ports))
        print(f"endpoints: {len(ports)}, each answering after {args.delay * 1000:.0f} ms")
        print(f"single endpoint round: {single * 1000:7.1f} ms (median of {REPEATS})")
        print(f"all {len(ports)} round:       {round_all * 1000:7.1f} ms (median of {REPEATS})")
        verdict = "ok" if round_all <= 3 * single else "OVER"
        print(f"ratio: {round_all / single:.2f}x (target <= 3x): {verdict}")

        keys = asyncio.run(bench_keys(ports))
        keys.sort()
        p50 = keys[len(keys) // 2] * 1000
        p95 = keys[int(len(keys) * 0.95)] * 1000
        verdict = "ok" if p95 <= 50 else "OVER"
        print(
            f"key->action during polling ({len(ports)} endpoints every 1 s, {len(keys)} presses): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {keys[-1] * 1000:.1f} ms "
            f"(target p95 <= 50 ms): {verdict}"
        )
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    main()
