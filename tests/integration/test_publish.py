"""Publishing against real HTTP servers on 127.0.0.1 that check what arrives and answer as
Statuspage, a Slack webhook and the Events API do — and as they misbehave: 401, 422, 429
with Retry-After, 500, or no answer at all."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from tests.support.apis import (
    HOOK_SECRET,
    KEY,
    PAGE,
    ROUTING_KEY,
    SECRETS,
    FakeApiServer,
    hang_up,
    json_answer,
    publishing_playbook,
)
from tests.support.health import never_answer, response
from tests.support.playbooks import quiet_playbook
from tests.support.times import T0, minutes
from warroom.incident import DECLARED, Event, IncidentState, NewEvent, derive
from warroom.incident.clocks import update_clock
from warroom.playbook import Playbook
from warroom.publish import (
    RetryPolicy,
    Sender,
    page_request,
    paged_event,
    plan_publish,
    publish,
    published_events,
)

INCIDENT = "INC-20250301-001"
FAST = RetryPolicy(attempts=4, backoff=0.01, max_wait=5, timeout=0.5)


def incident(
    playbook: Playbook, *new: NewEvent, health: dict[str, str] | None = None
) -> IncidentState:
    events = [Event(1, INCIDENT, T0, DECLARED, "ann", {"title": "Backend down", "severity": "P1"})]
    for target, state in (health or {}).items():
        payload = {"target": target, "from": "up", "to": state, "status": 503, "reason": "x"}
        events.append(Event(len(events) + 1, INCIDENT, T0, "health.changed", "warroom", payload))
    for number, event in enumerate(new, start=len(events) + 1):
        events.append(
            Event(number, INCIDENT, T0 + minutes(number), event.kind, "ann", event.payload)
        )
    return derive(events, playbook)


async def publish_once(
    playbook: Playbook,
    state: IncidentState,
    template: str,
    *,
    targets: Sequence[Any] = ("statuspage",),
    policy: RetryPolicy = FAST,
    **options: Any,
) -> list[NewEvent]:
    extra = {"cause": "a bad release", "postmortem_link": "https://wiki/pm", "resolution": "r"}
    plan = plan_publish(
        state, playbook, template, targets=targets, now=T0 + minutes(30), extra=extra, **options
    )
    async with Sender(policy) as sender:
        deliveries = await publish(plan, playbook, sender)
    return published_events(plan, deliveries)


@pytest.fixture
def playbook(api_server: FakeApiServer) -> Playbook:
    return publishing_playbook(api_server, quiet_playbook())


CREATED = json_answer(201, {"id": "sp-inc-1", "shortlink": "https://stspg.io/abc", "status": "x"})


async def test_the_first_publish_creates_the_incident_and_the_next_updates_it(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, CREATED)
    api_server.answer("PATCH", f"{PAGE}/sp-inc-1", json_answer(200, {"id": "sp-inc-1"}))
    state = incident(playbook, health={"backend": "down"})

    first = await publish_once(playbook, state, "investigating")

    (created,) = api_server.requests("POST", PAGE)
    assert created.headers["authorization"] == f"OAuth {KEY}"
    sent = created.json()["incident"]
    assert sent["name"] == "Backend down" and sent["status"] == "investigating"
    assert sent["body"].startswith("🔴 We're investigating reports of Backend down.")
    assert sent["component_ids"] == ["cmp-backend"]
    assert sent["components"] == {"cmp-backend": "major_outage"}
    assert sent["deliver_notifications"] is True
    assert first[0].payload["ok"] is True and first[0].payload["remote_id"] == "sp-inc-1"
    assert first[0].payload["shortlink"] == "https://stspg.io/abc"

    state = incident(playbook, *first, health={"backend": "degraded"})
    assert state.status_page_id == "sp-inc-1"
    second = await publish_once(playbook, state, "identified")

    assert len(api_server.requests("POST", PAGE)) == 1
    (patched,) = api_server.requests("PATCH", f"{PAGE}/sp-inc-1")
    assert patched.headers["authorization"] == f"OAuth {KEY}"
    assert patched.json()["incident"]["status"] == "identified"
    assert "a bad release" in patched.json()["incident"]["body"]
    assert patched.json()["incident"]["components"] == {"cmp-backend": "degraded_performance"}
    assert second[0].payload["ok"] is True


async def test_a_successful_publish_resets_the_next_update_countdown(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, CREATED)
    before = incident(playbook)

    events = await publish_once(playbook, before, "investigating")
    after = incident(playbook, *events)

    assert update_clock(before, playbook, T0).last_update is None
    assert after.last_status_update == T0 + minutes(2)
    assert update_clock(after, playbook, T0).due_at > update_clock(before, playbook, T0).due_at


async def test_components_follow_health_and_a_chosen_status_wins(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, CREATED)
    state = incident(playbook, health={"backend": "up", "Fly.io": "down"})

    await publish_once(
        playbook, state, "investigating", components={"cmp-backend": "partial_outage"}
    )

    sent = api_server.requests("POST", PAGE)[0].json()["incident"]
    assert sent["components"] == {"cmp-backend": "partial_outage", "cmp-fly": "major_outage"}
    assert sorted(sent["component_ids"]) == ["cmp-backend", "cmp-fly"]


async def test_resolved_proposes_every_component_operational(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, CREATED)
    state = incident(playbook, NewEvent("incident.resolved", {}), health={"backend": "down"})

    await publish_once(playbook, state, "resolved")

    sent = api_server.requests("POST", PAGE)[0].json()["incident"]
    assert sent["status"] == "resolved"
    assert sent["components"] == {"cmp-backend": "operational", "cmp-fly": "operational"}


async def test_401_says_the_key_is_wrong_or_lacks_the_role(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, json_answer(401, {"error": f"bad key {KEY}"}))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["ok"] is False and event.payload["outcome"] == "unauthorized"
    assert "Incident Manager role" in event.payload["message"]
    assert KEY not in event.payload["message"]
    assert len(api_server.requests("POST", PAGE)) == 1  # not retried


async def test_422_shows_the_apis_own_message(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, json_answer(422, {"error": ["Name can't be blank"]}))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["outcome"] == "rejected" and event.payload["http_status"] == 422
    assert "Name can't be blank" in event.payload["message"]


async def test_404_names_the_page_id(api_server: FakeApiServer, playbook: Playbook) -> None:
    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["outcome"] == "not found" and "page_id" in event.payload["message"]


async def test_429_waits_as_long_as_retry_after_says(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer(
        "POST", PAGE, response(429, "slow down", headers={"Retry-After": "1"}), CREATED
    )
    loop = asyncio.get_running_loop()
    started = loop.time()

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert loop.time() - started >= 1.0
    assert event.payload["ok"] is True
    assert event.payload["attempts"] == ["429 (waited 1s)", "201"]


async def test_a_retry_after_longer_than_the_cap_is_reported_not_waited(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, response(429, "", headers={"Retry-After": "3600"}))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["outcome"] == "rate limited"
    assert len(api_server.requests("POST", PAGE)) == 1


async def test_5xx_is_retried_with_backoff_then_succeeds(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, response(500, "oops"), response(503, "busy"), CREATED)

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["ok"] is True and event.payload["attempts"] == ["500", "503", "201"]


async def test_5xx_retries_are_bounded(api_server: FakeApiServer, playbook: Playbook) -> None:
    api_server.answer("POST", PAGE, response(500, "oops"))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert event.payload["outcome"] == "server error"
    assert len(api_server.requests("POST", PAGE)) == FAST.attempts


UNRESOLVED = f"{PAGE}/unresolved"


async def test_a_create_with_no_answer_is_looked_up_not_repeated(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, never_answer)
    found = [{"id": "sp-inc-9", "name": "Backend down", "shortlink": "https://stspg.io/9"}]
    api_server.answer("GET", UNRESOLVED, json_answer(200, found))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert len(api_server.requests("POST", PAGE)) == 1
    assert api_server.requests("GET", UNRESOLVED)[0].headers["authorization"] == f"OAuth {KEY}"
    assert event.payload["ok"] is True and event.payload["remote_id"] == "sp-inc-9"
    assert event.payload["attempts"] == ["timed out", "looked up: found"]


async def test_a_connection_broken_after_a_create_is_looked_up_not_repeated(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, hang_up)
    found = [{"id": "sp-inc-5", "name": "Backend down"}]
    api_server.answer("GET", UNRESOLVED, json_answer(200, found))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert len(api_server.requests("POST", PAGE)) == 1
    assert event.payload["attempts"] == ["no answer", "looked up: found"]
    assert event.payload["remote_id"] == "sp-inc-5"


async def test_a_create_with_no_answer_and_nothing_found_is_created_once_more(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, never_answer, CREATED)
    api_server.answer("GET", UNRESOLVED, json_answer(200, [{"id": "x", "name": "Other"}]))

    (event,) = await publish_once(playbook, incident(playbook), "investigating")

    assert len(api_server.requests("POST", PAGE)) == 2
    assert event.payload["ok"] is True and event.payload["remote_id"] == "sp-inc-1"


async def test_when_the_lookup_fails_too_the_next_publish_looks_before_creating(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", PAGE, never_answer)
    api_server.answer("GET", UNRESOLVED, response(500, "down"))

    first = await publish_once(playbook, incident(playbook), "investigating")

    assert first[0].payload["outcome"] == "timed out"
    assert "looks again before creating" in first[0].payload["message"]
    state = incident(playbook, *first)
    assert state.status_page_unconfirmed and not state.status_page_id

    found = [{"id": "sp-inc-7", "name": "Backend down"}]
    api_server.answer("GET", UNRESOLVED, json_answer(200, found))
    api_server.answer("PATCH", f"{PAGE}/sp-inc-7", json_answer(200, {"id": "sp-inc-7"}))
    second = await publish_once(playbook, state, "identified")

    assert len(api_server.requests("POST", PAGE)) == 1  # only the first, never again
    assert len(api_server.requests("PATCH", f"{PAGE}/sp-inc-7")) == 1
    assert second[0].payload["remote_id"] == "sp-inc-7"
    assert incident(playbook, *first, *second).status_page_id == "sp-inc-7"


async def test_chat_posts_the_text_with_the_incident_channel(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", f"/hooks/{HOOK_SECRET}", response(200, "ok"))

    (event,) = await publish_once(playbook, incident(playbook), "investigating", targets=["chat"])

    (posted,) = api_server.requests("POST", f"/hooks/{HOOK_SECRET}")
    assert list(posted.json()) == ["text"]
    assert posted.json()["text"].startswith("🔴 We're investigating reports of Backend down.")
    assert posted.json()["text"].endswith("Incident channel: #incident-20250301")
    assert event.payload["ok"] is True and event.payload["target"] == "chat"


async def test_a_webhook_error_shows_slacks_reason_never_the_url(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", f"/hooks/{HOOK_SECRET}", response(400, "invalid_payload"))

    (event,) = await publish_once(playbook, incident(playbook), "investigating", targets=["chat"])

    assert event.payload["outcome"] == "rejected" and "invalid_payload" in event.payload["message"]
    assert not any(secret in str(event.payload) for secret in SECRETS)


async def test_an_unreachable_webhook_is_reported_without_its_url(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    await api_server.stop()  # nothing listens on the port any more

    (event,) = await publish_once(playbook, incident(playbook), "investigating", targets=["chat"])

    assert (
        event.payload["outcome"] == "failed" and "could not reach chat" in event.payload["message"]
    )
    assert not any(secret in str(event.payload) for secret in SECRETS)
    await api_server.start()  # for the fixture's stop


async def test_paging_triggers_with_the_incident_as_dedup_key_and_resolves(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    accepted = json_answer(202, {"status": "success", "dedup_key": INCIDENT})
    api_server.answer("POST", "/v2/enqueue", accepted)
    state = incident(playbook)

    async with Sender(FAST) as sender:
        trigger = await sender.send(page_request(state, playbook, resolve=False))
        resolve = await sender.send(page_request(state, playbook, resolve=True))

    first, second = (seen.json() for seen in api_server.requests("POST", "/v2/enqueue"))
    assert first == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": INCIDENT,
        "payload": {
            "summary": f"[P1] Backend down ({INCIDENT})",
            "source": "Slurpy",
            "severity": "error",
        },
    }
    assert second == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": INCIDENT}
    event = paged_event(trigger, playbook)
    assert event.payload["ok"] is True and event.payload["action"] == "trigger"
    assert paged_event(resolve, playbook).payload["action"] == "resolve"
    assert ROUTING_KEY not in str(event.payload)


async def test_a_chat_post_with_no_answer_is_reported_not_posted_twice(
    api_server: FakeApiServer, playbook: Playbook
) -> None:
    api_server.answer("POST", f"/hooks/{HOOK_SECRET}", never_answer)

    (event,) = await publish_once(playbook, incident(playbook), "investigating", targets=["chat"])

    assert event.payload["outcome"] == "timed out"
    assert "may have been done all the same" in event.payload["message"]
    assert len(api_server.requests("POST", f"/hooks/{HOOK_SECRET}")) == 1
