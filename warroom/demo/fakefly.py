"""A stand-in for `flyctl`, printing the bytes flyctl prints.

`python -m warroom.demo.fakefly logs --app APP [--json] [--no-tail] [--rate N] [--count N]
[--flood]`; the other commands the playbook runs (releases, machine list, status, apps
restart, scale, deploy) are `warroom.demo.fakefly_fleet`'s.

flyctl cannot be installed here, so the demo and the tests spawn this instead; the code under
test still spawns and reads a real process. The output follows flyctl's `render.LogEntry`
byte for byte: ANSI colours whatever the terminal, second-precision UTC timestamps, no space
after `[level]`, optional `name=value ` fields, `error.message="…"` written *before* the
timestamp (and then no message), multi-line messages printed as continuation lines without
a prefix, and `runner[…]` lines. `--json` prints pretty-printed objects like `render.JSON`.

What the app says follows `warroom.demo.scenario.log_mood` for the app: error bursts while its
episode runs, and (for the outage's own episodes) while the fleet file says the backend
still runs the bad release; the file is read again once a second, so a rollback made in
the demo stops the burst. Elapsed time counts from `WARROOM_DEMO_EPOCH` (unix time), else
from start.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from warroom.demo import fakefly_fleet, scenario

FAINT = "\x1b[2m"
GREEN = "\x1b[32m"
RESET = "\x1b[0m"
LEVEL_COLOURS = {"debug": "36", "info": "34", "warn": "33", "warning": "33"}
"""flyctl's `levelColor`: anything not listed is red (31)."""

REGIONS = ("iad", "ord", "fra")
ROUTES = ("/", "/api/chat", "/api/health", "/api/sessions", "/static/app.js", "/api/user")


def _instances(app: str) -> tuple[str, ...]:
    # Stable per app so a demo's instance ids do not change between restarts.
    rng = random.Random(app)
    return tuple(f"{rng.getrandbits(56):014x}" for _ in range(3))


def _field(name: str, value: str | int) -> str:
    if isinstance(value, int):
        return f"{FAINT}{name}={RESET}{value} "
    return f'{FAINT}{name}={RESET}"{value}" '


def format_entry(
    ts: datetime,
    provider: str,
    instance: str,
    region: str,
    level: str,
    message: str,
    fields: dict[str, str | int] | None = None,
) -> str:
    """One entry as flyctl's plain renderer writes it (ending in a newline)."""
    fields = dict(fields or {})
    prefix = ""
    error_message = fields.pop("error.message", "")
    if error_message:
        prefix = _field("error.message", error_message)
    who = f"{provider}[{instance}]" if provider and instance else provider or instance
    colour = LEVEL_COLOURS.get(level, "31")
    stamp = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{FAINT}{stamp}{RESET} {who} {GREEN}{region}{RESET} [\x1b[{colour}m{level}{RESET}]"
    for name in ("error.code", "request.method", "request.url", "request.id", "response.status"):
        if name in fields:
            line += _field(name, fields[name])
    if not error_message:
        line += message
    return prefix + line + "\n"


def format_json(
    ts: datetime, provider: str, instance: str, region: str, level: str, message: str
) -> str:
    """One entry as `fly logs --json` writes it: a 4-space pretty-printed object."""
    obj = {
        "level": level,
        "instance": instance,
        "message": message,
        "region": region,
        "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
        "meta": {
            "Instance": instance,
            "Region": region,
            "Event": {"Provider": provider},
            "HTTP": None,
            "Error": None,
            "URL": None,
        },
    }
    return json.dumps(obj, indent=4) + "\n"


Entry = tuple[str, str, str, str, str, dict[str, str | int]]
"""(provider, instance, region, level, message, fields), as `format_entry` takes them."""


def entries(
    app: str, elapsed: float, rng: random.Random, *, bad_release: bool = True
) -> Iterator[Entry]:
    """Yield (provider, instance, region, level, message, fields) following the scenario."""
    mood, reason = scenario.log_mood(app, elapsed, bad_release=bad_release)
    instance = rng.choice(_instances(app))
    region = rng.choice(REGIONS)
    roll = rng.random()
    if roll < 0.03:
        yield (
            "runner",
            instance,
            region,
            "info",
            f"Reserved resources for machine '{instance}'",
            {},
        )
        return
    if mood == "errors" and roll < 0.45:
        if roll < 0.12:
            yield (
                "app",
                instance,
                region,
                "error",
                "Traceback (most recent call last):\n"
                f'  File "/app/server.py", line 88, in handle\n'
                f"    rows = await db.fetch(query)\n"
                f"psycopg.OperationalError: {reason}",
                {"error.code": 1},
            )
        elif roll < 0.18:
            yield ("app", instance, region, "error", "", {"error.code": 1, "error.message": reason})
        else:
            route = rng.choice(ROUTES)
            yield (
                "app",
                instance,
                region,
                "error",
                f"{reason} on GET {route} after 30000ms",
                {"request.method": "GET", "response.status": 503},
            )
        return
    route = rng.choice(ROUTES)
    ms = rng.randint(2, 180)
    level = "warn" if ms > 170 else "info"
    yield ("app", instance, region, level, f"GET {route} 200 {ms}ms", {})


def _epoch() -> float:
    try:
        return float(os.environ["WARROOM_DEMO_EPOCH"])
    except (KeyError, ValueError):
        return time.time()


def _flood_block(app: str, now: datetime, rng: random.Random, size: int) -> list[bytes]:
    """`size` physical lines, about 1.5% of them errors or timeouts, for the benchmark."""
    instances = _instances(app)
    lines: list[bytes] = []
    for i in range(size):
        instance = instances[i % 3]
        region = REGIONS[i % 3]
        if rng.random() < 0.015:
            text = format_entry(
                now, "app", instance, region, "error", "ERROR upstream timeout on GET /api/chat"
            )
        else:
            route = ROUTES[i % len(ROUTES)]
            text = format_entry(
                now, "app", instance, region, "info", f"GET {route} 200 {rng.randint(2, 99)}ms"
            )
        lines.append(text.encode())
    return lines


def run(
    app: str,
    *,
    as_json: bool,
    rate: float,
    count: int | None,
    flood: bool,
    flood_rate: float | None = None,
) -> None:
    """Print lines until `count` physical lines were written, or forever; a flood as fast as
    the reader takes it, or `flood_rate` lines a second."""
    out = sys.stdout.buffer
    rng = random.Random()
    epoch = _epoch()
    written = 0
    if flood:
        # Precomputed blocks re-stamped once a second: generation must outrun the reader.
        block_stamp = -1
        block: bytes = b""
        block_lines = 1000
        next_block = time.monotonic()
        while count is None or written < count:
            if flood_rate:
                next_block += block_lines / flood_rate
                time.sleep(max(0.0, next_block - time.monotonic()))
            second = int(time.time())
            if second != block_stamp:
                now = datetime.fromtimestamp(second, UTC)
                block = b"".join(_flood_block(app, now, rng, block_lines))
                block_stamp = second
            if count is not None and count - written < block_lines:
                out.write(b"".join(block.splitlines(keepends=True)[: count - written]))
                written = count
            else:
                out.write(block)
                written += block_lines
        out.flush()
        return
    interval = 1.0 / rate if rate > 0 else 0.0
    next_at = time.monotonic()
    fleet_read_at, bad_release = -FLEET_READ_SECONDS, True
    while count is None or written < count:
        if time.monotonic() - fleet_read_at >= FLEET_READ_SECONDS:
            fleet_read_at = time.monotonic()
            bad_release = fakefly_fleet.bad_release_running(fakefly_fleet.Fleet())
        elapsed = time.time() - epoch
        now = datetime.now(UTC)
        said = entries(app, elapsed, rng, bad_release=bad_release)
        for provider, instance, region, level, message, fields in said:
            if as_json:
                text = format_json(now, provider, instance, region, level, message)
                written += 1
            else:
                text = format_entry(now, provider, instance, region, level, message, fields)
                if count is not None and written + text.count("\n") > count:
                    # --count is exact in physical lines, even mid-traceback.
                    text = "".join(text.splitlines(keepends=True)[: count - written])
                written += text.count("\n")
            out.write(text.encode())
        out.flush()
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_at = time.monotonic()


FLEET_READ_SECONDS = 1.0
"""How often a streaming `logs` looks again at which image the backend runs."""

NO_TAIL_LINES = 50
"""Lines `logs --no-tail` prints: flyctl's buffered history is short."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: `logs --app APP ...` exits 0 when done or when the reader goes away; the
    other commands as `fakefly_fleet.answer` says."""
    # A reader that closes the pipe or a SIGTERM ends us quietly, like flyctl.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser(prog="fakefly")
    sub = parser.add_subparsers(dest="command", required=True)
    logs = sub.add_parser("logs", help="stream an app's logs")
    logs.add_argument("--app", "-a", required=True)
    logs.add_argument("--json", action="store_true")
    logs.add_argument("--rate", type=float, default=5.0, help="entries per second")
    logs.add_argument("--count", type=int, default=None, help="stop after N lines")
    logs.add_argument("--flood", action="store_true", help="print as fast as possible")
    logs.add_argument(
        "--flood-rate", type=float, default=None, help="with --flood: lines per second"
    )
    logs.add_argument("--no-tail", action="store_true", help="print the buffered lines, exit")
    fakefly_fleet.add_commands(sub)
    args = parser.parse_args(argv)
    if args.command != "logs":
        return fakefly_fleet.answer(args)
    if args.no_tail:
        args.count, args.rate = args.count or NO_TAIL_LINES, 0.0
    try:
        run(
            args.app,
            as_json=args.json,
            rate=args.rate,
            count=args.count,
            flood=args.flood,
            flood_rate=args.flood_rate,
        )
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
