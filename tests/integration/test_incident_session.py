"""IncidentSession without a screen: a real SQLite store, the shipped playbook."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.playbooks import quiet_playbook
from tests.support.waiting import eventually
from warroom import incident as inc
from warroom.incident import IncidentState
from warroom.logchunks import LogChunk
from warroom.session.incident_session import AUTOMATIC_ACTOR, IncidentSession, Written
from warroom.store import EventStore, open_store

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


async def test_terminals_seeing_one_health_change_at_once_record_it_once(
    store: EventStore,
) -> None:
    first, _, _ = await open_session(store)
    # a second terminal on the same incident, which has not yet read what the first writes
    second = IncidentSession(
        store=store,
        incident_id=first.incident_id,
        playbook=quiet_playbook(),
        actor="cy",
        clock=lambda: T0,
        on_state=lambda state: None,
        on_refused=lambda kind, error: None,
    )
    await second.load()
    down = inc.health_changed("backend", "up", "down", status=503, reason="503")
    assert await first.record_health_change(down) is not None
    assert await second.record_health_change(down) is None  # refused as the same transition
    assert second.state is not None and second.state.health["backend"] == "down"  # read it
    up = inc.health_changed("backend", "down", "up", status=200, reason="")
    assert await second.record_health_change(up) is not None  # the next one is new
    kinds = [e.kind for e in await store.events(first.incident_id)]
    assert kinds.count(inc.HEALTH_CHANGED) == 2


async def test_logs_are_captured_only_while_open(store: EventStore) -> None:
    session, _, _ = await open_session(store)
    capture = session.log_capture()
    assert await capture.claim()
    assert await capture.keep([LogChunk("backend", ["ERROR boom"], [(T0, 1)])])
    await session.record(inc.resolved())
    # still the capturer, keeps nothing
    assert await capture.keep([LogChunk("backend", ["later"], [(T0, 1)])])
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


async def bob_beside(store: EventStore, incident_id: str, tmp_path: Path) -> IncidentSession:
    """A second terminal on the incident: its own connection to the same file, loaded now
    and not following, so it knows only what was there when it loaded."""
    other = await open_store(tmp_path / "incidents.db")
    session = IncidentSession(
        store=other,
        incident_id=incident_id,
        playbook=quiet_playbook(),
        actor="bob",
        clock=lambda: T0,
        on_state=lambda state: None,
        on_refused=lambda kind, error: None,
    )
    await session.load()
    return session


def ticks(events: list[inc.Event]) -> list[tuple[str, str]]:
    return [(e.kind, e.actor) for e in events if e.kind in (inc.ITEM_TICKED, inc.ITEM_UNTICKED)]


async def test_an_item_ticked_in_two_terminals_is_ticked_once(
    store: EventStore, tmp_path: Path
) -> None:
    ann, _, _ = await open_session(store)
    ann.actor = "ann"
    bob = await bob_beside(store, ann.incident_id, tmp_path)
    try:
        assert await ann.record_tick("triage:1", ticked=True) is Written.RECORDED
        # bob's screen still shows the item open; his tick finds ann's and adds nothing
        assert bob.state is not None and "triage:1" not in bob.state.ticked
        assert await bob.record_tick("triage:1", ticked=True) is Written.ALREADY
        assert bob.state.ticked["triage:1"].actor == "ann"
        assert await ann.record_tick("triage:1", ticked=False) is Written.RECORDED
        assert await bob.record_tick("triage:1", ticked=False) is Written.ALREADY
        assert await bob.record_tick("triage:1", ticked=True) is Written.RECORDED
        assert ticks(await store.events(ann.incident_id)) == [
            (inc.ITEM_TICKED, "ann"),
            (inc.ITEM_UNTICKED, "ann"),
            (inc.ITEM_TICKED, "bob"),
        ]
    finally:
        await bob.store.close()


async def test_a_tick_checks_events_this_terminal_skipped_over(
    store: EventStore, tmp_path: Path
) -> None:
    ann, _, _ = await open_session(store)
    bob = await bob_beside(store, ann.incident_id, tmp_path)
    try:
        assert await ann.record_tick("triage:1", ticked=True) is Written.RECORDED
        # bob's own note lands after ann's tick, which his session has not taken in yet
        assert await bob.record(inc.note_added("looking at the db")) is not None
        assert await bob.record_tick("triage:1", ticked=True) is Written.ALREADY
        assert len(ticks(await store.events(ann.incident_id))) == 1
    finally:
        await bob.store.close()


async def test_a_retracted_tick_can_be_ticked_again(store: EventStore) -> None:
    session, _, _ = await open_session(store)
    tick = await session.record(inc.item_ticked("triage:1"))
    assert tick is not None
    await session.record(inc.entry_retracted(tick.seq))
    assert await session.record_tick("triage:1", ticked=True) is Written.RECORDED
