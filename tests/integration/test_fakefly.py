"""The demo's `fly` stand-in (warroom.demo.fakefly), run as a process: its `logs` output
parses, and the other commands answer as flyctl does, fail or hang when asked."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warroom.demo import scenario
from warroom.logs.buffer import LogBuffer
from warroom.safetext import strip_sgr


def test_fakefly_output_parses() -> None:
    argv = [sys.executable, "-m", "warroom.demo.fakefly", "logs", "--app", "slurpy-backend"]
    out = subprocess.run(
        [*argv, "--count", "200", "--rate", "100000"],
        capture_output=True,
        check=True,
        env={"WARROOM_DEMO_EPOCH": str(datetime.now(UTC).timestamp() - 30), "PATH": ""},
        timeout=30,
    ).stdout
    buffer = LogBuffer()
    buffer.extend("backend", strip_sgr(out.decode()).splitlines())
    records = list(buffer.records())
    assert len(records) == 200
    assert all(r.time is not None for r in records)  # entries and continuations alike
    assert any(r.continued for r in records)  # the scenario's error burst has tracebacks
    assert any(r.level == "error" for r in records)


def fakefly(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom.demo.fakefly", *args],
        capture_output=True,
        text=True,
        env={"PATH": "", **(env or {})},
        timeout=30,
    )


def test_logs_no_tail_prints_the_buffered_lines_and_exits() -> None:
    done = fakefly("logs", "--app", "slurpy-backend", "--no-tail")

    lines = strip_sgr(done.stdout).splitlines()
    assert done.returncode == 0 and len(lines) == 50
    assert lines[0][:1] == "2" and "[" in lines[0]  # flyctl's lines, timestamp first


def test_releases_json_has_flyctls_keys_newest_first() -> None:
    epoch = datetime.now(UTC).timestamp() - 30
    done = fakefly(
        "releases",
        "--json",
        "--image",
        "--app",
        "slurpy-backend",
        env={"WARROOM_DEMO_EPOCH": str(epoch)},
    )

    releases = json.loads(done.stdout)
    assert done.returncode == 0
    assert [r["Version"] for r in releases] == [4, 3, 2, 1]
    assert set(releases[0]) == {"Version", "Status", "Description", "User", "CreatedAt", "ImageRef"}
    newest = datetime.fromisoformat(releases[0]["CreatedAt"])
    assert newest < datetime.fromtimestamp(epoch, UTC)  # deployed just before the outage
    assert releases[0]["ImageRef"].startswith("registry.fly.io/slurpy-backend:deployment-")


def test_machine_checks_follow_the_scenario() -> None:
    down = next(e for e in scenario.EPISODES if e.target == "backend").start + 1
    epoch = {"WARROOM_DEMO_EPOCH": str(datetime.now(UTC).timestamp() - down)}

    machines = json.loads(
        fakefly("machine", "list", "--json", "--app", "slurpy-backend", env=epoch).stdout
    )
    calm = json.loads(fakefly("machine", "list", "--json", "--app", "slurpy-mcp", env=epoch).stdout)

    assert {"id", "state", "region", "checks"} <= set(machines[0])
    assert [c["status"] for m in machines for c in m["checks"]] == ["critical", "critical"]
    assert [c["status"] for m in calm for c in m["checks"]] == ["passing", "passing"]
    status = json.loads(fakefly("status", "--json", "--app", "slurpy-mcp").stdout)
    assert status["Name"] == "slurpy-mcp" and len(status["Machines"]) == 2


def test_deploy_and_scale_are_kept_in_the_fleet_file(tmp_path: Path) -> None:
    env = {"WARROOM_FAKEFLY_STATE": str(tmp_path / "fleet.json")}
    image = "registry.fly.io/slurpy-backend:deployment-GOOD"

    deployed = fakefly("deploy", "--app", "slurpy-backend", "--image", image, env=env)
    scaled = fakefly("scale", "count", "3", "--app", "slurpy-backend", "--yes", env=env)
    refused = fakefly("scale", "count", "5", "--app", "slurpy-backend", env=env)

    assert deployed.returncode == 0 and "Visit your newly deployed app" in deployed.stdout
    assert scaled.returncode == 0 and "+1 machines" in scaled.stdout
    assert refused.returncode == 1 and "yes flag must be specified" in refused.stderr
    releases = json.loads(fakefly("releases", "--json", "--app", "slurpy-backend", env=env).stdout)
    assert (releases[0]["Version"], releases[0]["ImageRef"]) == (5, image)
    quiet = fakefly("machine", "list", "-q", "--app", "slurpy-backend", env=env).stdout.split()
    assert len(quiet) == 3
    restarted = fakefly("apps", "restart", "slurpy-backend", env=env).stdout
    assert restarted.count("restarted successfully!") == 3


def test_it_fails_with_the_code_asked_for() -> None:
    done = fakefly("status", "--app", "slurpy-mcp", env={"WARROOM_FAKEFLY_EXIT": "4"})

    assert done.returncode == 4 and "Hostname = slurpy-mcp.fly.dev" in done.stdout
    assert "WARROOM_FAKEFLY_EXIT=4" in done.stderr


def test_it_hangs_when_asked_until_killed() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "warroom.demo.fakefly", "apps", "restart", "slurpy-mcp"],
        stdout=subprocess.PIPE,
        env={"PATH": "", "WARROOM_FAKEFLY_HANG": "1"},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(b"Restarting machine ")
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)  # a bound: it must still be there after printing
    finally:
        proc.kill()
        proc.wait()


def test_a_flood_at_a_rate_is_paced_and_one_without_is_not() -> None:
    """The keys bench floods at the 300k lines/s its goal names; pacing it is the stand-in's."""
    lines = 20_000
    started = time.monotonic()
    paced = fakefly("logs", "--app", "web", "--flood", "--flood-rate", "40000", "--count", "20000")
    paced_seconds = time.monotonic() - started
    started = time.monotonic()
    free = fakefly("logs", "--app", "web", "--flood", "--count", "20000")
    free_seconds = time.monotonic() - started
    assert paced.stdout.count("\n") == free.stdout.count("\n") == lines
    assert paced_seconds >= lines / 40_000  # it cannot be faster than the pace it was given
    assert free_seconds < paced_seconds
