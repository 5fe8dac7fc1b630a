"""`warroom publish` and `warroom page` as a user runs them: a real process, a real SQLite
file, and the APIs played by a real HTTP server on 127.0.0.1 — whose secrets must then be
nowhere in the database file, the exports or what was printed."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from tests.support.apis import (
    HOOK_SECRET,
    KEY,
    PAGE,
    SECRETS,
    FakeApiServer,
    json_answer,
    publishing_environment,
    write_publishing_playbook,
)
from tests.support.health import response
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.processes import warroom

CREATED = json_answer(201, {"id": "sp-77", "shortlink": "https://stspg.io/x7", "status": "x"})


@pytest.fixture
def env(api_server: FakeApiServer, tmp_path: Path) -> dict[str, str]:
    playbook = write_publishing_playbook(api_server, SHIPPED_PLAYBOOK, tmp_path)
    return {**publishing_environment(api_server), "WARROOM_PLAYBOOK": str(playbook)}


def declare(db: Path, env: dict[str, str]) -> str:
    result = warroom("new", "--severity", "P1", "--title", "Backend 503s", db=db, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def run(*args: str, db: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The CLI is a process of its own; the test's loop keeps serving the APIs meanwhile.
    return await asyncio.to_thread(warroom, *args, db=db, env=env)


def secrets_in(*texts: str | bytes) -> list[str]:
    found = []
    for text in texts:
        data = text if isinstance(text, bytes) else text.encode()
        found += [secret for secret in SECRETS if secret.encode() in data]
    return found


async def test_publish_creates_then_updates_and_no_secret_is_stored_or_printed(
    api_server: FakeApiServer, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "incidents.db"
    incident = declare(db, env)
    api_server.answer("POST", PAGE, CREATED)
    api_server.answer("PATCH", f"{PAGE}/sp-77", json_answer(200, {"id": "sp-77"}))
    api_server.answer("POST", f"/hooks/{HOOK_SECRET}", response(200, "ok"))
    api_server.answer("POST", "/v2/enqueue", json_answer(202, {"status": "success"}))

    first = await run("publish", incident, "--template", "investigating", db=db, env=env)
    second = await run(
        "publish", incident, "--template", "identified", "--to", "statuspage",
        "--set", "cause=a bad release", "--component", "backend=partial_outage",
        db=db, env=env,
    )  # fmt: skip
    paged = await run("page", incident, db=db, env=env)

    assert first.returncode == 0, first.stderr
    assert "statuspage:" in first.stdout and "https://stspg.io/x7" in first.stdout
    assert "chat:" in first.stdout
    (created,) = api_server.requests("POST", PAGE)
    assert created.headers["authorization"] == f"OAuth {KEY}"
    assert created.json()["incident"]["status"] == "investigating"
    assert second.returncode == 0, second.stderr
    (patched,) = api_server.requests("PATCH", f"{PAGE}/sp-77")
    assert patched.json()["incident"]["status"] == "identified"
    assert patched.json()["incident"]["components"] == {"cmp-backend": "partial_outage"}
    assert paged.returncode == 0, paged.stderr
    assert api_server.requests("POST", "/v2/enqueue")[0].json()["dedup_key"] == incident

    exported = await run("export", incident, "--format", "json", db=db, env=env)
    markdown = await run("export", incident, db=db, env=env)
    events = json.loads(exported.stdout)["events"]
    kinds = [event["kind"] for event in events]
    assert kinds.count("comms.published") == 3 and kinds.count("oncall.paged") == 1
    assert "via statuspage" in markdown.stdout
    files = [path.read_bytes() for path in tmp_path.glob("incidents.db*")]
    outputs = [r.stdout + r.stderr for r in (first, second, paged, exported, markdown)]
    assert secrets_in(*files, *outputs) == []


async def test_a_refused_key_exits_1_with_one_sentence_and_is_recorded(
    api_server: FakeApiServer, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "incidents.db"
    incident = declare(db, env)
    api_server.answer("POST", PAGE, json_answer(401, {"error": f"invalid key {KEY}"}))

    result = await run(
        "publish", incident, "--template", "investigating", "--to", "statuspage", db=db, env=env
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Incident Manager role" in result.stderr
    exported = json.loads(
        (await run("export", incident, "--format", "json", db=db, env=env)).stdout
    )
    (event,) = [e for e in exported["events"] if e["kind"] == "comms.published"]
    assert event["payload"]["outcome"] == "unauthorized"
    assert secrets_in(result.stderr, json.dumps(exported)) == []


async def test_a_dry_run_prints_the_requests_masked_and_sends_nothing(
    api_server: FakeApiServer, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "incidents.db"
    incident = declare(db, env)

    result = await run(
        "publish", incident, "--template", "investigating", "--dry-run", db=db, env=env
    )
    page = await run("page", incident, "--dry-run", db=db, env=env)

    assert result.returncode == 0, result.stderr
    assert f"POST {api_server.url(PAGE)}" in result.stdout
    assert "Authorization: OAuth •••" in result.stdout
    assert '"status": "investigating"' in result.stdout and '"text":' in result.stdout
    assert '"routing_key": "•••"' in page.stdout
    assert secrets_in(result.stdout, page.stdout) == []
    assert api_server.seen == []
    exported = json.loads(
        (await run("export", incident, "--format", "json", db=db, env=env)).stdout
    )
    assert [e["kind"] for e in exported["events"]] == ["incident.declared"]


async def test_read_only_refuses_to_publish_or_page(
    api_server: FakeApiServer, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "incidents.db"
    incident = declare(db, env)

    published = await run(
        "--read-only", "publish", incident, "--template", "investigating", db=db, env=env
    )
    paged = await run("--read-only", "page", incident, db=db, env=env)

    assert published.returncode == 2 and "--read-only" in published.stderr
    assert paged.returncode == 2
    assert api_server.seen == []


async def test_bad_input_exits_2(
    api_server: FakeApiServer, env: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "incidents.db"
    incident = declare(db, env)

    email = await run("publish", incident, "--template", "email", db=db, env=env)
    target = await run(
        "publish", incident, "--template", "investigating", "--to", "fax", db=db, env=env
    )
    status = await run(
        "publish", incident, "--template", "investigating", "--component", "backend=on_fire",
        db=db, env=env,
    )  # fmt: skip

    assert (email.returncode, target.returncode, status.returncode) == (2, 2, 2)
    assert "not a status update" in email.stderr and "'fax'" in target.stderr
    assert "'on_fire' is not a component status" in status.stderr
    assert api_server.seen == []
