"""Suggested runbooks: the shipped playbook's signals against health views and log counts,
ranked, each with its reason in words; the minute of log counts as it slides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.playbook import HealthSignal, LogRateSignal, LogShareSignal, Runbook, load_playbook
from warroom.runbooks import LogWindow, TargetView, suggest
from warroom.runbooks.suggest import log_signals

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RUNBOOKS = load_playbook(SHIPPED_PLAYBOOK, env={}).runbooks


def window() -> LogWindow:
    return LogWindow(log_signals(RUNBOOKS))


def titles(health: dict[str, TargetView], logs: LogWindow) -> list[tuple[str, str]]:
    return [(s.runbook.name, s.reason) for s in suggest(RUNBOOKS, health, logs, NOW)]


def test_nothing_wrong_suggests_nothing() -> None:
    logs = window()
    logs.add("backend", ["GET /api/chat 200 12ms"] * 50, NOW)

    assert titles({"backend": TargetView("up", latency=0.05)}, logs) == []


def test_a_service_down_with_5xx_suggests_site_down_with_how_long_and_why() -> None:
    health = {"backend": TargetView("down", since=NOW - timedelta(minutes=2), status=503)}

    assert titles(health, window()) == [("site-down", "backend down 2 min (HTTP 503)")]


def test_database_errors_in_the_backend_rank_database_first_and_say_how_many() -> None:
    logs = window()
    lines = ["psycopg.OperationalError: connection refused"] * 140 + ["GET / 200"] * 60
    logs.add("backend", lines, NOW - timedelta(seconds=30))
    health = {"backend": TargetView("down", since=NOW - timedelta(minutes=2))}

    suggested = titles(health, logs)

    assert suggested[0] == ("site-down", "backend down 2 min")
    assert ("database-connection", "140 database errors/min") in suggested
    assert ("high-error-rate", "70 % error lines (140 of 200 lines)") in suggested


def test_the_database_signal_counts_only_the_backends_lines() -> None:
    logs = window()
    logs.add("frontend", ["psycopg.OperationalError"] * 10 + ["ok"] * 1000, NOW)

    assert [name for name, _ in titles({}, logs)] == []


def test_two_signals_holding_rank_above_one() -> None:
    logs = window()
    logs.add("backend", ["psycopg.OperationalError: timeout"] * 6 + ["ok"] * 200, NOW)
    health = {
        "Supabase": TargetView("degraded", since=NOW, status=200),  # a status page: no HTTP
        "frontend": TargetView("up", latency=3.24),
    }

    assert titles(health, logs) == [
        ("database-connection", "Supabase degraded 0 s; 6 database errors/min"),
        ("slow-responses", "frontend answers in 3.2 s"),
    ]


def test_oom_lines_and_401_bursts_and_clerk_down() -> None:
    logs = window()
    logs.add("mcp", ["Out of memory: Killed process 412 (python)"] * 2, NOW)
    logs.add("backend", ["POST /api/me 401 3ms"] * 25, NOW)
    health = {"Clerk": TargetView("down", since=NOW - timedelta(hours=1, minutes=5))}

    suggested = dict(titles(health, logs))

    assert suggested["out-of-memory"] == "2 OOM lines/min"
    assert suggested["auth-broken"] == "Clerk down 1 h 5 min; 25 401 responses/min"


def test_a_share_needs_its_minimum_of_lines() -> None:
    logs = window()
    logs.add("backend", ["ERROR boom"] * 5, NOW)  # 100 % of 5 lines: too few to say

    assert "high-error-rate" not in dict(titles({}, logs))


def test_a_health_signal_waits_for_its_duration() -> None:
    signal = HealthSignal("frontend", "down", timedelta(minutes=5))
    held = Runbook(name="x", title="X", symptoms=(), diagnosis=(), solutions=(), signals=(signal,))
    young = {"frontend": TargetView("down", since=NOW - timedelta(minutes=4))}
    old = {"frontend": TargetView("down", since=NOW - timedelta(minutes=6))}

    assert suggest([held], young, window(), NOW) == []
    assert suggest([held], old, window(), NOW)[0].reason == "frontend down 6 min"


def test_the_window_forgets_lines_older_than_a_minute() -> None:
    rate = LogRateSignal("timeout", per_minute=1, label="timeouts")
    share = LogShareSignal("timeout", above_percent=5)
    logs = LogWindow([rate, share])
    logs.add("api", ["timeout"] * 3, NOW)
    logs.add("api", ["timeout", "fine"], NOW + timedelta(seconds=40))

    assert logs.matches(rate, NOW + timedelta(seconds=50)) == 4
    assert logs.lines("", NOW + timedelta(seconds=50)) == 5
    assert logs.matches(rate, NOW + timedelta(seconds=61)) == 1
    assert logs.lines("api", NOW + timedelta(seconds=61)) == 2
    assert logs.lines("other", NOW + timedelta(seconds=61)) == 0
