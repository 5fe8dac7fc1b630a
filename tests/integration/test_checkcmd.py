"""`warroom check`: the repo's playbook pointed at local servers, polled once."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.health import FakeHealthServer, response, summary_json
from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.cli.check import run_check
from warroom.playbook import Playbook, load_playbook

pytestmark = pytest.mark.timeout(30)

URLS = {
    "https://your-domain.com/api/health": "/frontend",
    "https://api.your-domain.com/health/healthz": "/backend",
    "https://mcp.your-domain.com/healthz": "/mcp",
    "https://status.flyio.net": "/fly",
    "https://status.supabase.com": "/supabase",
    "https://status.clerk.com": "/clerk",
    "https://status.openai.com": "/openai",
}


def local_playbook(tmp_path: Path, health_server: FakeHealthServer) -> Path:
    text = SHIPPED_PLAYBOOK.read_text()
    for remote, path in URLS.items():
        assert f'"{remote}"' in text, remote
        text = text.replace(f'"{remote}"', f'"{health_server.url(path)}"')
    target = tmp_path / "playbook.toml"
    target.write_text(text)
    return target


def serve_healthy(health_server: FakeHealthServer) -> None:
    health_server.routes["/frontend"] = response(200, '{"status": "ok"}')
    health_server.routes["/backend"] = response(200, '{"ok": true}')
    health_server.routes["/mcp"] = response(200, '{"ok": true}')
    for page in ("fly", "supabase", "clerk", "openai"):
        health_server.routes[f"/{page}/api/v2/summary.json"] = response(200, summary_json("none"))


async def check_in_thread(playbook: Playbook, *, as_json: bool) -> tuple[int, str]:
    # run_check owns its event loop (asyncio.run); the test's loop keeps serving meanwhile.
    out = io.StringIO()
    code = await asyncio.to_thread(run_check, playbook, as_json=as_json, out=out)
    return code, out.getvalue()


async def test_all_up_exits_0_with_json(tmp_path: Path, health_server: FakeHealthServer) -> None:
    serve_healthy(health_server)
    playbook = load_playbook(local_playbook(tmp_path, health_server))
    code, out = await check_in_thread(playbook, as_json=True)
    document = json.loads(out)
    assert code == 0
    assert document["ok"] is True and document["summary"] == "7/7 up"
    assert [t["target"] for t in document["targets"]] == [
        "frontend",
        "backend",
        "mcp",
        "Fly.io",
        "Supabase",
        "Clerk",
        "OpenAI",
    ]
    assert all(t["state"] == "up" and t["status"] == 200 for t in document["targets"])


async def test_any_not_up_exits_1_and_table_is_plain(
    tmp_path: Path, health_server: FakeHealthServer
) -> None:
    serve_healthy(health_server)
    health_server.routes["/backend"] = response(503, "[bold]overloaded")
    health_server.routes["/openai/api/v2/summary.json"] = response(200, "<html>status</html>")
    playbook = load_playbook(local_playbook(tmp_path, health_server))
    code, out = await check_in_thread(playbook, as_json=False)
    assert code == 1
    assert "\x1b" not in out  # not a tty: no colour codes
    backend = next(line for line in out.splitlines() if "backend" in line)
    assert "✗ down" in backend and "503" in backend
    openai = next(line for line in out.splitlines() if "OpenAI" in line)
    assert "? unknown" in openai
    assert "1/7 down" in out


async def test_maintenance_has_its_own_mark_and_pages_nobody(
    tmp_path: Path, health_server: FakeHealthServer
) -> None:
    serve_healthy(health_server)
    health_server.routes["/supabase/api/v2/summary.json"] = response(
        200, summary_json("maintenance", maintenances={"Postgres upgrade": "in_progress"})
    )
    playbook = load_playbook(local_playbook(tmp_path, health_server))
    code, out = await check_in_thread(playbook, as_json=False)
    assert code == 0  # planned work is no outage: a cron paging on exit 1 stays quiet
    supabase = next(line for line in out.splitlines() if "Supabase" in line)
    assert "⚒ maintenance" in supabase  # the reason folds onto the next lines
    assert "Postgres" in out and "upgrade" in out
    assert "1/7 maintenance" in out
    code, out = await check_in_thread(playbook, as_json=True)
    document = json.loads(out)
    assert (code, document["ok"], document["down"]) == (0, True, 0)
    states = {t["target"]: t["state"] for t in document["targets"]}
    assert states["Supabase"] == "maintenance"


async def warroom(*args: str, db: Path) -> tuple[int, str, str]:
    """`warroom ARGS` as a user runs it: its own process, interpreter and event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "warroom", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "WARROOM_DB": str(db)},
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def row(table: str, target: str) -> str:
    return next(line for line in table.splitlines() if f" {target} " in line)


async def test_cli_check_end_to_end(tmp_path: Path, health_server: FakeHealthServer) -> None:
    playbook = str(local_playbook(tmp_path, health_server))
    db = tmp_path / "db.sqlite"
    serve_healthy(health_server)
    health_server.routes["/mcp"] = response(200, '{"ok": false}')

    code, stdout, _ = await warroom("check", "--json", "--playbook", playbook, db=db)
    document = json.loads(stdout)
    assert code == 1 and document["ok"] is False and document["summary"] == "1/7 down"
    mcp = next(t for t in document["targets"] if t["target"] == "mcp")
    assert mcp["state"] == "down" and ".ok is false" in mcp["reason"]

    code, stdout, _ = await warroom("check", "--playbook", playbook, db=db)
    assert code == 1 and "1/7 down" in stdout and "\x1b" not in stdout
    assert "✗ down" in row(stdout, "mcp") and "✓ up" in row(stdout, "backend")

    serve_healthy(health_server)
    code, stdout, _ = await warroom("check", "--playbook", playbook, db=db)
    assert code == 0 and "7/7 up" in stdout
    for target in ("frontend", "backend", "mcp", "Fly.io", "Supabase", "Clerk", "OpenAI"):
        assert "✓ up" in row(stdout, target) and "200" in row(stdout, target), target
    assert health_server.hits["/mcp"] == 3  # three runs, three real polls

    bad = tmp_path / "bad.toml"
    bad.write_text("[settings\n")
    code, stdout, stderr = await warroom("check", "--playbook", str(bad), db=db)
    assert code == 2 and str(bad) in stderr and "Traceback" not in stderr and not stdout
