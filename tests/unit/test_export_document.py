"""The JSON export as a document: it validates against the shipped schema, reads back into
the same incident, and carries no secret. Pure: built event logs, no database."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests.support.event_log import EventLog, declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.export import (
    FORMAT_VERSION,
    BadExport,
    LogRow,
    export_document,
    read_document,
    schema_path,
    to_json,
)
from warroom.playbook import Playbook, load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)
NOW = T0 + minutes(1000)
LINES: list[LogRow] = [
    (T0 + minutes(1), "backend", "GET /health 503"),
    (T0 + minutes(2), "backend", "panic: ```boom```"),
    (T0 + minutes(2), "frontend", "retrying"),
]


def validate(document: dict[str, Any]) -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def whole_incident() -> EventLog:
    log = declared_log()
    log.add(ev.acknowledged(), minute=1, actor="bob")
    log.add(ev.health_changed("backend", "up", "down", status=503, reason="503"), minute=1)
    log.add(ev.log_pinned("backend", "GET /health 503", T0 + minutes(1)), minute=3)
    log.add(ev.item_ticked("hypothesis-formed"), minute=8)
    log.add(
        ev.command_run(
            "status",
            ["fly", "status"],
            outcome="exited",
            exit_code=0,
            summary="exit 0",
            duration=1.5,
            output_head="ok",
            output_tail="",
            output_chars=2,
        ),
        minute=9,
    )
    log.add(ev.comms_copied("investigating", "We are on it", "clipboard"), minute=10)
    log.add(ev.action_added("Add an alert", owner="cat", due=T0 + minutes(5000)), minute=11)
    log.add(ev.resolved(), minute=30)
    log.add(ev.postmortem_field_set("root_cause", "A bad deploy"), minute=200)
    log.add(ev.action_done("p1"), minute=201)
    return log


def exported(log: EventLog, playbook: Playbook = PLAYBOOK) -> dict[str, Any]:
    document = export_document(
        log.events, playbook, now=NOW, log_lines=LINES, command_outputs={6: "ok\n"}
    )
    # What is written to the file is what is validated and read back.
    loaded: dict[str, Any] = json.loads(to_json(document))
    return loaded


def test_a_whole_incident_validates_and_carries_state_metrics_items_and_logs() -> None:
    document = exported(whole_incident())
    validate(document)
    assert document["format_version"] == FORMAT_VERSION
    assert [event["seq"] for event in document["events"]] == list(range(1, 12))
    assert document["state"]["status"] == "resolved"
    assert document["state"]["postmortem"] == {"root_cause": "A bad deploy"}
    assert document["measured_at"] == (T0 + minutes(30)).isoformat(timespec="microseconds")
    metrics = {metric["key"]: metric for metric in document["metrics"]}
    assert metrics["time_to_respond"]["value"] == "1 minute"
    assert metrics["time_to_mitigate"]["value"] == "not recorded"
    items = {item["key"]: item for item in document["action_items"]}
    assert items["1"]["owner"] == "cat" and items["p1"]["done"] and not items["p2"]["done"]
    summary = document["logs"]["summary"]
    assert summary["lines"] == 3 and summary["sources"]["backend"]["lines"] == 2
    assert summary["pinned"] == [
        {
            "at": LINES[0][0].isoformat(timespec="microseconds"),
            "source": "backend",
            "line": "GET /health 503",
        }
    ]
    assert document["command_outputs"] == {"6": "ok\n"}


def test_a_declared_only_incident_still_exports_and_validates() -> None:
    document = exported(declared_log())
    validate(document)
    assert document["action_items"] == [] and document["state"]["status"] == "open"
    assert document["measured_at"] == NOW.isoformat(timespec="microseconds")


def test_reading_an_export_back_gives_the_same_incident_and_the_same_document() -> None:
    log = whole_incident()
    document = exported(log)
    incident = read_document(document)
    assert incident.events == log.events
    assert incident.command_outputs == {6: "ok\n"}
    assert incident.log_lines == LINES
    again = export_document(
        incident.events,
        PLAYBOOK,
        now=NOW,
        log_lines=incident.log_lines,
        command_outputs=incident.command_outputs,
    )
    assert to_json(again) == to_json(document)


def test_secrets_never_appear_in_the_export() -> None:
    playbook = PLAYBOOK._replace(secrets=frozenset({"s3cr3t-value"}))
    log = declared_log()
    log.add(ev.note_added("token s3cr3t-value in a note"), minute=1)
    document = export_document(
        log.events,
        playbook,
        now=NOW,
        log_lines=[(T0, "backend", "auth=s3cr3t-value")],
        command_outputs={},
    )
    text = to_json(document)
    assert "s3cr3t" not in text and "•••" in text


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ([], "no format_version"),
        ({"format_version": FORMAT_VERSION + 1}, "newer than this warroom reads"),
        ({"format_version": FORMAT_VERSION, "incident": {}}, "not a complete warroom export"),
    ],
)
def test_what_is_not_an_export_is_refused_with_the_reason(document: Any, says: str) -> None:
    with pytest.raises(BadExport, match=says):
        read_document(document)


def test_events_out_of_order_are_refused() -> None:
    document = exported(whole_incident())
    document["events"][1]["seq"] = 7
    with pytest.raises(BadExport, match="order"):
        read_document(document)
