"""The pure judging of health answers, the anti-flap tracker and the summary line: no server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.health import STATUS_OK, summary_json
from warroom.health.judging import State
from warroom.health.monitor import (
    FlapTracker,
    judge_provider,
    judge_service,
    stale_after,
    summary,
)
from warroom.playbook import BodyCheck, Service

# --- pure judging ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "status", "body", "latency", "state", "reason_part"),
    [
        (None, 200, b"", 0.1, "up", "HTTP 200"),
        (None, 503, b"", 0.1, "down", "HTTP 503"),
        (None, 302, b"", 0.1, "down", "HTTP 302"),
        (STATUS_OK, 200, b'{"status": "ok"}', 0.1, "up", '.status == "ok"'),
        (STATUS_OK, 200, b'{"status": "error"}', 0.1, "down", '.status is "error"'),
        (STATUS_OK, 200, b"<html>oops</html>", 0.1, "down", "not JSON"),
        (STATUS_OK, 200, b'{"state": "ok"}', 0.1, "down", "no .status"),
        (STATUS_OK, 200, b'{"status": "ok"}', 3.0, "degraded", "slow: 3.0s > 2.0s"),
        (BodyCheck("ok", True), 200, b'{"ok": true}', 0.1, "up", ".ok == true"),
        (BodyCheck("ok", True), 200, b'{"ok": 1}', 0.1, "down", ".ok is 1"),
        (BodyCheck("ok", True), 200, b'{"ok": "true"}', 0.1, "down", '.ok is "true"'),
        (BodyCheck("db.up", 1), 200, b'{"db": {"up": 1.0}}', 0.1, "up", ".db.up == 1"),
        (BodyCheck("checks.0.s", "ok"), 200, b'{"checks": [{"s": "ok"}]}', 0.1, "up", "HTTP 200"),
    ],
)
def test_judge_service(
    check: BodyCheck | None,
    status: int,
    body: bytes,
    latency: float,
    state: str,
    reason_part: str,
) -> None:
    service = Service(name="s", url="http://x", body=check)
    got_state, reason = judge_service(service, status, body, latency)
    assert (got_state, reason_part in reason) == (state, True), reason


def test_judge_service_custom_status_range_and_truncated_body() -> None:
    service = Service(name="s", url="http://x", expected_status=(200, 204), body=STATUS_OK)
    assert judge_service(service, 204, b'{"status":"ok"}', 0.1)[0] == "up"
    assert judge_service(service, 205, b'{"status":"ok"}', 0.1)[0] == "down"
    state, reason = judge_service(service, 200, b'{"status":"ok"', 0.1, truncated=True)
    assert state == "down" and "1 MiB" in reason


def test_lying_body_reason_is_one_visible_line() -> None:
    body = json.dumps({"status": "fine\n\x1b[31mreally"}).encode()
    state, reason = judge_service(Service(name="s", url="u", body=STATUS_OK), 200, body, 0.1)
    assert state == "down"
    assert "\n" not in reason and "\x1b" not in reason and "really" in reason


@pytest.mark.parametrize(
    ("status", "body", "state", "reason_part"),
    [
        (200, summary_json("none"), "up", "indicator none"),
        (200, summary_json("minor", broken="Auth"), "degraded", "Auth: partial_outage"),
        (200, summary_json("major", incidents=("API down",)), "down", "API down (investigating)"),
        (200, summary_json("critical"), "down", "critical"),
        (404, "not found", "unknown", "HTTP 404"),
        (200, "<html>Status</html>", "unknown", "not JSON"),
        (200, "{bad json", "unknown", "not JSON"),
        (200, '{"status": "ok"}', "unknown", "unexpected shape"),
        (200, '{"status": {"indicator": "fine"}}', "unknown", "unexpected shape"),
        (200, "[1, 2]", "unknown", "unexpected shape"),
        (500, summary_json("none"), "unknown", "HTTP 500"),
    ],
)
def test_judge_provider(status: int, body: str, state: str, reason_part: str) -> None:
    got_state, reason = judge_provider(status, body.encode())
    assert got_state == state
    assert reason_part in reason, reason


@pytest.mark.parametrize(
    ("body", "state", "reason"),
    [
        (
            summary_json("none", components={"API": "major_outage"}),
            "down",
            "indicator none but component API: major_outage",
        ),
        (
            summary_json("none", incidents=("Slow logins",)),
            "degraded",
            "indicator none but incident Slow logins (investigating)",
        ),
        (
            summary_json(
                "none", incidents=("Outage",), incident_status="identified", impact="major"
            ),
            "down",
            "indicator none but incident Outage (identified)",
        ),
        (
            summary_json("none", incidents=("Fixed",), incident_status="monitoring"),
            "degraded",
            "indicator none but incident Fixed (monitoring)",
        ),
        (
            summary_json("minor", components={"Auth": "major_outage"}, broken="DB"),
            "down",
            "indicator minor but component Auth: major_outage; component DB: partial_outage",
        ),
        (
            summary_json("none", components={"Edge": "degraded_performance"}),
            "degraded",
            "indicator none but component Edge: degraded_performance",
        ),
        (
            summary_json("none", maintenances={"DB upgrade": "in_progress"}),
            "maintenance",
            "indicator none but maintenance DB upgrade (in_progress)",
        ),
        (
            summary_json("maintenance", components={"DB": "under_maintenance"}),
            "maintenance",
            "maintenance: component DB: under_maintenance",
        ),
        (
            summary_json(
                "maintenance",
                maintenances={"DB upgrade": "in_progress"},
                components={"Auth": "partial_outage"},
            ),
            "degraded",
            "indicator maintenance but component Auth: partial_outage; maintenance DB upgrade",
        ),
        (
            summary_json("major", maintenances={"DB upgrade": "in_progress"}),
            "down",
            "major: maintenance DB upgrade (in_progress)",
        ),
    ],
)
def test_provider_is_the_worst_of_indicator_components_and_unresolved_incidents(
    body: str, state: State, reason: str
) -> None:
    got = judge_provider(200, body.encode())
    assert got[0] == state and got[1].startswith(reason), got


def test_what_is_over_or_not_begun_leaves_a_provider_up() -> None:
    body = summary_json(
        "none",
        incidents=("Yesterday",),
        incident_status="resolved",
        maintenances={"Next week": "scheduled", "Last week": "completed"},
    )
    assert judge_provider(200, body.encode()) == ("up", "indicator none")
    postmortem = summary_json("none", incidents=("Old",), incident_status="postmortem")
    assert judge_provider(200, postmortem.encode())[0] == "up"


def test_a_component_group_is_not_named_twice() -> None:
    body = json.dumps(
        {
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": [
                {"name": "Region EU", "status": "major_outage", "group": True},
                {"name": "EU API", "status": "major_outage", "group": False},
            ],
        }
    )
    assert judge_provider(200, body.encode()) == (
        "down",
        "indicator none but component EU API: major_outage",
    )


def test_hostile_names_on_a_status_page_stay_one_visible_line() -> None:
    body = summary_json("none", components={"A\n\x1b[31mB": "major_outage"})
    state, reason = judge_provider(200, body.encode())
    assert state == "down" and "\x1b" not in reason and "\n" not in reason


def test_stale_after_is_two_missed_polls() -> None:
    assert stale_after(timedelta(seconds=10), timedelta(seconds=5)) == 20
    assert stale_after(60.0, 5.0) == 120
    # A poll that may take longer than the interval spaces the answers by its timeout.
    assert stale_after(timedelta(seconds=1), timedelta(seconds=5)) == 10


# --- anti-flap ---------------------------------------------------------------------------

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def run_tracker(tracker: FlapTracker, observed: list[State]) -> list[State]:
    return [tracker.update(o, 0.1, T0 + timedelta(seconds=i)) for i, o in enumerate(observed)]


def test_flap_tracker_needs_consecutive_failures_and_successes() -> None:
    tracker = FlapTracker(failures_to_down=2, successes_to_up=2)
    shown = run_tracker(tracker, ["up", "down", "up", "down", "down", "up", "down", "up", "up"])
    assert shown == ["up", "up", "up", "up", "down", "down", "down", "down", "up"]
    assert tracker.since == T0 + timedelta(seconds=8)


def test_flap_tracker_shows_first_result_as_it_is() -> None:
    assert run_tracker(FlapTracker(failures_to_down=3), ["down"]) == ["down"]
    assert run_tracker(FlapTracker(successes_to_up=3), ["degraded", "up"]) == ["degraded", "up"]


def test_flap_tracker_latency_history_is_bounded() -> None:
    tracker = FlapTracker(history=5)
    run_tracker(tracker, ["up"] * 50)
    assert len(tracker.latencies) == 5


def test_summary_text() -> None:
    assert summary(["down", "up", "down"]) == (2, 3, "2/3 down")
    assert summary(["up", "unknown", "down", "degraded"]) == (
        1,
        4,
        "1/4 down, 1 degraded, 1 unknown",
    )
    assert summary(["up", "degraded"]) == (0, 2, "1/2 degraded")
    assert summary(["up"]) == (0, 1, "1/1 up")


def test_maintenance_is_no_failure_to_anti_flap() -> None:
    tracker = FlapTracker(failures_to_down=2, successes_to_up=2)
    # Into maintenance at once, as into degraded; back out of down only after two answers.
    assert run_tracker(tracker, ["up", "maintenance", "up", "down", "down"]) == [
        "up",
        "maintenance",
        "up",
        "up",
        "down",
    ]
    assert run_tracker(tracker, ["maintenance", "maintenance"]) == ["down", "maintenance"]


def test_maintenance_is_counted_but_never_as_down() -> None:
    assert summary(["up", "maintenance"]) == (0, 2, "1/2 maintenance")
    assert summary(["maintenance", "down", "up"]) == (1, 3, "1/3 down, 1 maintenance")


def test_losing_sight_of_a_known_target_is_held_back_like_a_failure() -> None:
    tracker = FlapTracker(failures_to_down=2, successes_to_up=2)
    assert run_tracker(tracker, ["up", "unknown", "up", "unknown", "unknown"]) == [
        "up",
        "up",
        "up",
        "up",
        "unknown",
    ]
    # A target never seen is shown at once when first known.
    assert run_tracker(FlapTracker(failures_to_down=2), ["unknown", "down"]) == ["unknown", "down"]


def test_json_nested_too_deep_is_named_not_raised() -> None:
    service = Service(name="s", url="http://x/", body=BodyCheck(path=".ok", equals=True))
    nested = b"[" * 100_000 + b"]" * 100_000
    assert judge_service(service, 200, nested, 0.1) == (
        "down",
        "HTTP 200 but body is JSON nested deeper than 64 levels",
    )
    state, reason = judge_provider(200, nested)
    assert state == "unknown" and "nested deeper than 64 levels" in reason
