"""`CommandRun` on real subprocesses: no shell, output as it comes and made safe, timeout and
cancel killing the whole process group, every ending a result with a sentence, and each run
recorded with its output beside the event."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.playbooks import quiet_playbook
from tests.support.processes import pid_alive
from tests.support.waiting import eventually
from warroom import incident as inc
from warroom.commands import CommandRun, Outcome, Runnable, prepare
from warroom.commands.runner import HEAD_LINES, MAX_STORED_BYTES, TAIL_LINES
from warroom.session.incident_session import IncidentSession
from warroom.store import EventStore


def script(tmp_path: Path, name: str, body: str) -> tuple[str, ...]:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return (sys.executable, str(path))


class Lines:
    """The output listener: every line it was told, in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, batch: Sequence[str]) -> None:
        self.lines.extend(batch)


def family(tmp_path: Path) -> tuple[tuple[str, ...], Path]:
    """A leader that ignores SIGTERM and has started a grandchild; prints `ready` once both
    pids are written."""
    pids = tmp_path / "pids"
    argv = script(
        tmp_path,
        "family",
        f"""
        import os, signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pids)!r}, "w").write(f"{{os.getpid()}} {{child.pid}}")
        print("ready", flush=True)
        time.sleep(600)
        """,
    )
    return argv, pids


async def test_an_argument_with_shell_syntax_stays_one_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    echo = script(tmp_path, "echo", "import sys; print(repr(sys.argv[1:]))")
    runnable = Runnable(name="echo", argv=(*echo, "--ref", "<ref>"), kind="step")
    argv = prepare(runnable, {"ref": "x; touch pwned && $(touch pwned2) `touch pwned3`"})

    result = await CommandRun("echo", argv, timeout=timedelta(seconds=30)).run()

    assert result.ok
    assert result.output == "['--ref', 'x; touch pwned && $(touch pwned2) `touch pwned3`']"
    assert not list(tmp_path.glob("pwned*"))


async def test_output_streams_as_it_comes_from_stdout_and_stderr(tmp_path: Path) -> None:
    go = tmp_path / "go"
    argv = script(
        tmp_path,
        "slow",
        f"""
        import os, sys, time
        print("first", flush=True)
        print("to stderr", file=sys.stderr, flush=True)
        while not os.path.exists({str(go)!r}):
            time.sleep(0.01)
        print("second")
        sys.exit(3)
        """,
    )
    seen = Lines()
    run = CommandRun("slow", argv, timeout=timedelta(seconds=30), on_output=seen)
    task = asyncio.create_task(run.run())

    await eventually(lambda: {"first", "to stderr"} <= set(seen.lines), what="early lines")
    assert not task.done()  # shown while the command still runs
    go.touch()
    result = await task

    assert (result.outcome, result.exit_code) == (Outcome.EXITED, 3)
    assert seen.lines[-1] == "second"
    assert result.summary.startswith("exit 3 after ") and "(last line: second)" in result.summary


async def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    argv, pids = family(tmp_path)

    result = await CommandRun("stuck", argv, timeout=timedelta(seconds=3), kill_grace=0.3).run()

    leader, grandchild = map(int, pids.read_text().split())
    assert result.outcome == Outcome.TIMED_OUT and result.exit_code is None
    assert result.summary == "timed out after 3.0s; it and everything it started were killed"
    assert not pid_alive(leader) and not pid_alive(grandchild)
    assert result.output == "ready"


async def test_a_cancel_kills_the_whole_process_group(tmp_path: Path) -> None:
    argv, pids = family(tmp_path)
    run: CommandRun

    def on_output(lines: Sequence[str]) -> None:
        if "ready" in lines:
            run.cancel()

    run = CommandRun(
        "stuck", argv, timeout=timedelta(minutes=2), on_output=on_output, kill_grace=0.3
    )
    result = await run.run()

    leader, grandchild = map(int, pids.read_text().split())
    assert result.outcome == Outcome.CANCELLED and result.duration < 60
    assert result.summary.startswith("cancelled after ")
    assert not pid_alive(leader) and not pid_alive(grandchild)


async def test_a_grandchild_outliving_its_leader_is_killed_too(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    argv = script(
        tmp_path,
        "leaver",
        f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        print("bye")
        """,
    )

    result = await CommandRun("leaver", argv, timeout=timedelta(seconds=30)).run()

    assert result.ok and not pid_alive(int(pid_file.read_text()))


@pytest.mark.parametrize(
    ("argv", "summary"),
    [
        (
            ("fly-is-not-installed-here", "status"),
            "'fly-is-not-installed-here' is not on PATH, so nothing ran",
        ),
        (("/nonexistent/git", "log"), "'/nonexistent/git' does not exist, so nothing ran"),
    ],
)
async def test_a_missing_program_is_a_sentence_not_a_crash(
    argv: tuple[str, ...], summary: str
) -> None:
    result = await CommandRun("missing", argv, timeout=timedelta(seconds=5)).run()

    assert (result.outcome, result.exit_code, result.summary) == (Outcome.NOT_FOUND, None, summary)
    assert not result.ok and result.output == ""


async def test_hostile_output_is_made_visible_and_secrets_masked(tmp_path: Path) -> None:
    argv = script(
        tmp_path,
        "hostile",
        r"""
        import sys
        sys.stdout.write("\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 \x1b[2J [bold]markup[/bold]\n")
        sys.stdout.write("token=hunter2-secret nul\x00 bad \xff\n")
        sys.stdout.buffer.write(b"invalid \xff\xfe utf8 and no newline")
        """,
    )
    seen = Lines()

    result = await CommandRun(
        "hostile",
        (*argv, "hunter2-secret"),
        timeout=timedelta(seconds=30),
        on_output=seen,
        secrets={"hunter2-secret"},
    ).run()

    assert seen.lines == [
        "red ␛]52;c;aGk=␇ ␛[2J [bold]markup[/bold]",
        "token=••• nul␀ bad ÿ",
        "invalid \ufffd\ufffd utf8 and no newline",
    ]
    assert result.output == "\n".join(seen.lines)
    assert result.argv[-1] == "•••"
    assert not any("\x1b" in line or "hunter2" in line for line in seen.lines)


async def test_head_and_tail_are_kept_and_the_whole_output_capped(tmp_path: Path) -> None:
    line = "x" * 1023
    argv = script(
        tmp_path,
        "loud",
        f"""
        for i in range(2048):
            print(f"{{i:05d}} {line}")
        """,
    )

    result = await CommandRun("loud", argv, timeout=timedelta(seconds=60)).run()

    head, tail = result.head.split("\n"), result.tail.split("\n")
    assert len(head) == HEAD_LINES and head[0].startswith("00000 ")
    assert len(tail) == TAIL_LINES and tail[-1].startswith("02047 ")
    assert result.output_chars == 2048 * (6 + 1023 + 1)
    assert len(result.output.encode()) <= MAX_STORED_BYTES
    assert result.output.startswith("00000 ") and result.output.endswith(" of output]")


async def test_each_run_is_recorded_with_its_output_beside_it(
    store: EventStore, tmp_path: Path
) -> None:
    declared = await store.declare(title="api down", severity="P1", actor="ann")
    session = IncidentSession(
        store=store,
        incident_id=declared.incident_id,
        playbook=quiet_playbook(),
        actor="bob",
        clock=inc.utc_now,
        on_state=lambda state: None,
        on_refused=lambda kind, error: None,
    )
    await session.load()
    argv = script(tmp_path, "count", "for i in range(50): print(f'line {i}')")
    result = await CommandRun("count", argv, timeout=timedelta(seconds=30)).run()

    event = await session.record_command_run(result)

    assert event is not None and event.actor == "bob"
    (stored,) = await store.events(declared.incident_id, after_seq=1)
    assert stored.kind == inc.COMMAND_RUN
    assert stored.payload["name"] == "count" and stored.payload["argv"] == list(argv)
    assert (stored.payload["outcome"], stored.payload["exit_code"]) == ("exited", 0)
    assert stored.payload["output_head"].split("\n")[0] == "line 0"
    assert stored.payload["output_tail"].split("\n")[-1] == "line 49"
    assert await store.command_output(declared.incident_id, stored.seq) == "\n".join(
        f"line {i}" for i in range(50)
    )
    assert session.state is not None
    assert session.state.timeline[-1].text.startswith("Ran count: exit 0 after ")
