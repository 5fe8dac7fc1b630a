"""What `comms.published` and `oncall.paged` mean for the incident: the Statuspage incident
to update, a create that may exist, the next-update countdown, the metrics' count of updates,
the post-mortem's comms, and the timeline's words."""

from __future__ import annotations

from typing import Any

from tests.support.event_log import declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.fold import derive
from warroom.incident.metrics import metrics
from warroom.incident.postmortem import render_markdown
from warroom.playbook import load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)


def published(ok: bool, outcome: str, *, target: str = "statuspage", **ids: Any) -> ev.NewEvent:
    return ev.comms_published(
        target,
        "investigating",
        "We are on it",
        status="investigating",
        outcome=outcome,
        ok=ok,
        message="the status page accepted it (HTTP 201)." if ok else "it failed.",
        http_status=201 if ok else None,
        attempts=["201"] if ok else ["timed out"],
        **ids,
    )


def test_the_first_successful_publish_names_the_incident_to_update() -> None:
    log = declared_log()
    log.add(published(False, "timed out"), minute=2)
    unconfirmed = derive(log.events, PLAYBOOK)
    log.add(published(True, "sent", remote_id="sp1", shortlink="https://stspg.io/1"), minute=3)
    log.add(published(True, "sent", remote_id="", shortlink=""), minute=9)  # an update
    state = derive(log.events, PLAYBOOK)

    assert unconfirmed.status_page_unconfirmed and not unconfirmed.status_page_id
    assert unconfirmed.last_status_update is None  # a failure promises nothing
    assert (state.status_page_id, state.status_page_link) == ("sp1", "https://stspg.io/1")
    assert not state.status_page_unconfirmed
    assert state.last_status_update == T0 + minutes(9)


def test_chat_neither_names_a_status_page_incident_nor_resets_the_countdown() -> None:
    log = declared_log()
    log.add(published(True, "sent", target="chat"), minute=2)
    state = derive(log.events, PLAYBOOK)

    assert state.status_page_id == "" and state.last_status_update is None


def test_paging_is_folded_until_the_page_is_resolved() -> None:
    def paged(action: str, ok: bool = True) -> ev.NewEvent:
        return ev.oncall_paged(
            action, outcome="sent" if ok else "rejected", ok=ok, message="m",
            http_status=202, attempts=["202"], dedup_key="INC-1",
        )  # fmt: skip

    log = declared_log()
    log.add(paged("trigger"), minute=1)
    triggered = derive(log.events, PLAYBOOK)
    log.add(paged("resolve", ok=False), minute=2)
    still = derive(log.events, PLAYBOOK)
    log.add(paged("resolve"), minute=3)

    assert triggered.oncall_paged and still.oncall_paged
    assert not derive(log.events, PLAYBOOK).oncall_paged
    assert [entry.text for entry in derive(log.events, PLAYBOOK).timeline[1:]] == [
        "Paged on-call (PagerDuty, INC-1)",
        "Resolving the page failed: m",
        "Resolved the page (PagerDuty, INC-1)",
    ]


def test_successful_publishes_count_as_updates_and_reach_the_postmortem() -> None:
    log = declared_log()
    log.add(published(False, "timed out"), minute=2)
    log.add(published(True, "sent", remote_id="sp1", shortlink="https://stspg.io/1"), minute=3)
    state = derive(log.events, PLAYBOOK)
    now = T0 + minutes(30)
    found = {metric.key: metric for metric in metrics(state, PLAYBOOK, now=now)}
    document = render_markdown(state, PLAYBOOK, now=now, metrics=list(found.values()))

    assert found["status_updates"].value == "1"
    assert document.count("investigating via statuspage") == 1
    assert (
        state.timeline[-1].text == "Published investigating to the status page https://stspg.io/1"
    )
