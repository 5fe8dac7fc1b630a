"""IncidentSession without a screen: a real SQLite store, the shipped playbook."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.playbooks import quiet_playbook
from tests.support.waiting import eventually
from warroom import incident as inc
from warroom.incident import IncidentState
from warroom.session.incident_session import AUTOMATIC_ACTOR, IncidentSession
from warroom.store import EventStore

T0 = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


async def open_session(store: EventStore) -> tuple[IncidentSession, list[IncidentState], list[str]]:
    declared = await store.declare(title="api down", severity="P1", actor="ann", at=T0)
    states: list[IncidentState] = []
    refused: list[str] = []
    session = IncidentSession(
        store=store,
        incident_id=declared.incident_id,
        playbook=quiet_playbook(),
        actor="bob",
        clock=lambda: T0,
        on_state=states.append,
        on_refused=lambda kind, error: refused.append(f"{kind}: {error}"),
    )
    await session.load()
    return session, states, refused


async def test_a_write_is_committed_then_shown(store: EventStore) -> None:
    session, states, _ = await open_session(store)
    event = await session.record(inc.note_added("rolled back"))
    assert event is not None and event.actor == "bob"
    assert [e.kind for e in await store.events(session.incident_id)][-1] == inc.NOTE_ADDED
    assert states[-1].timeline[-1].text == "rolled back"


async def test_a_health_change_is_recorded_once(store: EventStore) -> None:
    session, _, _ = await open_session(store)
    change = inc.health_changed("backend", "up", "down", status=503, reason="503")
    assert await session.record_health_change(change) is not None
    assert await session.record_health_change(change) is None  # the log already holds it
    recorded = [e for e in await store.events(session.incident_id) if e.kind == inc.HEALTH_CHANGED]
    assert len(recorded) == 1 and recorded[0].actor == AUTOMATIC_ACTOR


async def test_logs_are_captured_only_while_open(store: EventStore) -> None:
    session, _, _ = await open_session(store)
    assert await session.capture_log_lines([(T0, "backend", "ERROR boom")]) == 1
    await session.record(inc.resolved())
    assert await session.capture_log_lines([(T0, "backend", "later")]) == 0
    change = inc.health_changed("backend", "up", "down", status=503, reason="")
    assert await session.record_health_change(change) is None
    assert [line for _, _, line in await store.log_lines(session.incident_id)] == ["ERROR boom"]


async def test_a_refused_write_is_reported_not_shown(store: EventStore) -> None:
    session, states, refused = await open_session(store)
    shown = len(states)
    await store.close()
    assert await session.record(inc.note_added("lost?")) is None
    assert refused and refused[0].startswith(inc.NOTE_ADDED) and len(states) == shown


async def test_events_from_another_writer_arrive_by_follow(store: EventStore) -> None:
    import asyncio

    session, states, _ = await open_session(store)
    follower = asyncio.create_task(session.follow())
    await store.append(session.incident_id, inc.NOTE_ADDED, {"text": "from pane 2"}, actor="cy")
    try:
        await eventually(
            lambda: bool(states) and states[-1].timeline[-1].text == "from pane 2",
            what="the other writer's note in the session's state",
        )
    finally:
        follower.cancel()
    assert states[-1].timeline[-1].text == "from pane 2"
