"""Incident command in the war room: severity panel, checklist phases, clocks, escalation,
roles, key moments, resolve and reopen — driven through Pilot on a real SQLite file, with a
fake clock the tests move forward (the screen reads it on every tick; nothing sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList, Static

from tests.support.playbooks import quiet_playbook
from tests.support.war_room import declare, shows, state_of, until, war_room_app, war_room_screen
from warroom import incident as kinds
from warroom.incident import Event, severity_action_id
from warroom.store import EventStore, open_store
from warroom.ui.app import WarRoomApp
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.incident_forms import MomentForm, RoleForm
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.clock_strip import ClockStrip
from warroom.ui.widgets.command_panel import CommandPanel
from warroom.ui.widgets.phase_strip import PhaseStrip

TITLE = "Checkout 503s"


class FakeClock:
    """Now, as the test says. Starts at the real time, because events the screen records
    are stamped by the store's own clock."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def war_room(store: EventStore, incident_id: str, clock: FakeClock) -> WarRoomApp:
    return war_room_app(store, incident_id, clock=clock)


def strip_text(app: WarRoomApp, name: str) -> str:
    return app.screen.query_one(ClockStrip).shown(name)


def overdue_clocks(app: WarRoomApp) -> set[str]:
    """The clocks the strip styles as run out."""
    return {part.name for part in app.screen.query_one(ClockStrip).parts if part.style}


def panel_text(app: WarRoomApp) -> str:
    """Every line of the command panel around the checklist, shown or not."""
    return "\n".join(
        str(line.render()) for line in app.screen.query(f"{CommandPanel.__name__} > Static")
    )


async def loaded(pilot: Pilot[None], app: WarRoomApp) -> WarRoomScreen:
    screen = app.screen
    assert isinstance(screen, WarRoomScreen)
    await until(pilot, lambda: screen.state is not None, what="incident loaded")
    await until(pilot, lambda: strip_text(app, "update") != "", what="clocks drawn")
    return screen


async def advance(pilot: Pilot[None], app: WarRoomApp, clock: FakeClock, **delta: float) -> None:
    """Move the clock and wait for the screen's once-a-second tick to read it."""
    clock.advance(**delta)
    await until(pilot, lambda: war_room_screen(app).now == clock(), what="clock tick")
    await pilot.pause()


async def recorded(store: EventStore, incident_id: str, kind: str) -> list[Event]:
    return [event for event in await store.events(incident_id) if event.kind == kind]


# The severity panel -----------------------------------------------------------------------


async def test_severity_actions_are_ticked_as_events_and_answer_the_response_target(
    store: EventStore, clock: FakeClock
) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        summary = panel_text(app)
        assert "P1 High: Urgent" in summary and "< 1 hour" in summary
        assert "Declared 0:00:00 ago" in summary and "Response due in 1:00:00" in summary
        checklist = screen.query_one(ChecklistPane)
        first = severity_action_id("P1", 1)
        assert str(checklist.get_option(first).prompt) == "[ ] Notify the on-call person"
        await pilot.press("3")
        checklist.highlighted = checklist.get_option_index(first)
        await pilot.press("space")
        await until(pilot, lambda: first in state_of(screen).ticked, what="action ticked")
        assert str(checklist.get_option(first).prompt).startswith("[x] Notify the on-call")
        await advance(pilot, app, clock, minutes=3)
        assert "Declared 0:03:00 ago" in panel_text(app)
        assert strip_text(app, "response").startswith("Response ✓ met in")
    ticks = await recorded(store, incident_id, kinds.ITEM_TICKED)
    assert [(t.payload["item_id"], t.actor) for t in ticks] == [(first, "bob")]


async def test_p0_shows_all_hands_and_its_own_actions(store: EventStore, clock: FakeClock) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        banner = screen.query_one("#all-hands", Static)
        assert not banner.display
        await pilot.press("s")
        await until(pilot, lambda: app.screen is not screen, what="severity prompt")
        app.screen.query_one(OptionList).highlighted = 0  # P0
        await pilot.press("enter")
        await until(pilot, lambda: state_of(screen).severity == "P0", what="P0")
        await until(pilot, lambda: banner.display, what="all-hands banner")
        assert "ALL HANDS ON DECK" in str(banner.render())
        checklist = screen.query_one(ChecklistPane)
        assert "ALL HANDS ON DECK" in str(checklist.get_option(severity_action_id("P0", 4)).prompt)
        assert "Response due in 5:00" in strip_text(app, "response")


# Phases and clocks ------------------------------------------------------------------------


async def test_countdowns_advance_and_turn_to_warnings_under_the_clock(
    store: EventStore, clock: FakeClock, tmp_path: Path
) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        checklist = screen.query_one(ChecklistPane)

        def heading(n: int) -> str:
            return str(checklist.get_option_at_index(n).prompt)

        detection = next(i for i in range(checklist.option_count) if "Detection" in heading(i))
        assert heading(detection).startswith("▶ Detection  0–5 min  0/4")
        assert "OVERDUE" not in heading(detection)
        assert strip_text(app, "update") == "Next update in 15:00"
        assert strip_text(app, "escalation") == "Escalate → Tech Lead in 30:00"
        phases = screen.query_one(PhaseStrip)
        assert phases.plain.startswith("▶Detection 0:00/5m  Investigation  Mitigation")

        await advance(pilot, app, clock, minutes=6)
        assert "OVERDUE +1:00" in heading(detection)
        assert phases.plain.startswith("!Detection +1:00  Investigation")
        assert strip_text(app, "update") == "Next update in 9:00"

        await advance(pilot, app, clock, minutes=10)
        assert strip_text(app, "update") == "⚠ UPDATE OVERDUE +1:00"
        assert overdue_clocks(app) == {"update"}
        # Another pane copies a status text: the countdown starts again from then.
        async with await open_store(tmp_path / "incidents.db") as other:
            payload = {"template": "investigating", "text": "…", "via": "osc52"}
            await other.append(incident_id, kinds.COMMS_COPIED, payload, actor="carol", at=clock())
        await until(
            pilot, lambda: strip_text(app, "update") == "Next update in 15:00", what="reset"
        )
        assert overdue_clocks(app) == set()

        await advance(pilot, app, clock, minutes=15)
        assert strip_text(app, "escalation") == "⚠ ESCALATE → Tech Lead +1:00"
        assert "Tech Lead (Tech lead) +1:00" in panel_text(app)


async def test_escalating_asks_then_records_the_next_level(
    store: EventStore, clock: FakeClock
) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("exclamation_mark")
        await until(pilot, shows(app, ConfirmScreen), what="confirm")
        shown = " ".join(str(label.render()) for label in app.screen.query(Label))
        assert "level 2, Tech Lead" in shown and "Contact: Tech lead" in shown
        await pilot.press("y")
        await until(pilot, lambda: state_of(screen).escalation_level == 2, what="escalated")
        await pilot.pause()
        assert strip_text(app, "escalation") == "Escalate → CTO/Founder in 1:00:00"
        assert "Level 2 Tech Lead" in panel_text(app)
        await pilot.press("exclamation_mark", "y")
        await until(pilot, lambda: state_of(screen).escalation_level == 3, what="top")
        await pilot.press("exclamation_mark")  # nothing above the top: no question, no event
        await pilot.pause()
        assert app.screen is screen
    assert [e.payload for e in await recorded(store, incident_id, kinds.ESCALATED)] == [
        {"level": 2},
        {"level": 3},
    ]


# Roles and key moments --------------------------------------------------------------------


async def test_roles_are_set_and_changed_in_one_form(store: EventStore, clock: FakeClock) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        assert "Commander: —" in panel_text(app)
        await pilot.press("a")
        await until(pilot, shows(app, RoleForm), what="role form")
        form = app.screen
        await pilot.press(*"carol", "tab", *"dave", "enter")
        await until(pilot, lambda: len(state_of(screen).roles) == 2, what="roles")
        await pilot.pause()
        facts = panel_text(app)
        assert "Commander: carol" in facts and "Scribe: dave" in facts and "Comms: —" in facts
        await pilot.press("a")
        await until(pilot, shows(app, RoleForm), what="role form again")
        assert app.screen is form  # the one form, filled anew
        commander = form.query_one("#role-commander", Input)
        assert commander.value == "carol" and form.focused is commander
        commander.value = "erin"
        await pilot.press("enter")
        await until(pilot, lambda: state_of(screen).roles["commander"] == "erin", what="changed")
    assigned = [e.payload for e in await recorded(store, incident_id, kinds.ROLE_ASSIGNED)]
    assert assigned == [
        {"role": "commander", "name": "carol"},
        {"role": "scribe", "name": "dave"},
        {"role": "commander", "name": "erin"},
    ]


async def test_a_key_moment_is_set_by_hand_with_an_editable_time(
    store: EventStore, clock: FakeClock
) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)
        await advance(pilot, app, clock, minutes=20)
        await pilot.press("M")
        await until(pilot, shows(app, MomentForm), what="moment form")
        form = app.screen
        assert isinstance(form, MomentForm)
        time_input = form.query_one(Input)
        # The first moment not yet set, at the time it is now.
        first_unset = form.query_one(OptionList).highlighted_option
        assert first_unset is not None and first_unset.id == "detected"
        assert time_input.value == f"{clock():%Y-%m-%d %H:%M:%S}"
        time_input.value = "soon"
        time_input.focus()
        await pilot.press("enter")
        assert "soon" in str(form.query_one("#moment-error", Label).render())
        detected = clock() - timedelta(minutes=25)
        time_input.value = f"{detected:%Y-%m-%d %H:%M:%S}"
        await pilot.press("enter")
        await until(pilot, lambda: "detected" in state_of(screen).moments, what="moment set")
        assert state_of(screen).moments["detected"] == detected
        await pilot.pause()
        assert f"Detected {detected:%H:%M:%S} UTC" in panel_text(app)

        await pilot.press("M")  # the one form, asked anew: the moment set, no error left
        await until(pilot, shows(app, MomentForm), what="moment form again")
        assert app.screen is form
        choice = form.query_one(OptionList)
        assert f"Detected    {detected:%H:%M:%S}" in str(choice.get_option_at_index(0).prompt)
        assert choice.highlighted_option is not None and choice.highlighted_option.id != "detected"
        assert str(form.query_one("#moment-error", Label).render()) == ""
        await pilot.press("escape")
    moments = [e.payload for e in await recorded(store, incident_id, kinds.MOMENT_SET)]
    assert moments == [{"moment": "detected", "at": detected.isoformat()}]


# Resolve and reopen -----------------------------------------------------------------------


async def test_resolving_asks_records_the_time_and_leaves_the_postmortem_open(
    store: EventStore, clock: FakeClock
) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await loaded(pilot, app)

        def titles() -> set[str]:
            return {c.title for c in app.get_system_commands(screen)}

        assert {"Resolve", "Moment", "Roles", "Escalate"} <= titles() and "Reopen" not in titles()
        await pilot.press("R")
        await until(pilot, shows(app, ConfirmScreen), what="confirm")
        await pilot.press("enter")  # the focused answer is No: a stray enter resolves nothing
        await until(pilot, lambda: app.screen is screen, what="closed")
        assert state_of(screen).is_open
        await pilot.press("R", "y")
        await until(pilot, lambda: not state_of(screen).is_open, what="resolved")
        await pilot.pause()
        assert state_of(screen).resolved_at is not None
        assert strip_text(app, "update") == "Updates: none due (resolved)"
        assert "Reopen" in titles() and "Resolve" not in titles()
        # The post-mortem phase stays open: its items can still be ticked.
        await pilot.press("3")
        checklist = screen.query_one(ChecklistPane)
        # Folded while Detection is the phase at hand: space on its heading unfolds it.
        checklist.highlighted = checklist.get_option_index(f"phase:{len(app.playbook.phases) - 1}")
        await pilot.press("space")
        await until(pilot, lambda: checklist._has_option("timeline-documented"), what="unfolded")
        checklist.highlighted = checklist.get_option_index("timeline-documented")
        await pilot.press("space")
        await until(pilot, lambda: "timeline-documented" in state_of(screen).ticked, what="tick")
        await pilot.press("R", "y")
        await until(pilot, lambda: state_of(screen).is_open, what="reopened")
    recorded_kinds = [e.kind for e in await store.events(incident_id)]
    assert recorded_kinds == [
        kinds.DECLARED,
        kinds.RESOLVED,
        kinds.ITEM_TICKED,
        kinds.REOPENED,
    ]


# Layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)])
async def test_clocks_stay_on_screen_at_every_size(
    store: EventStore, clock: FakeClock, size: tuple[int, int]
) -> None:
    app = war_room(store, await declare(store, title=TITLE, at=clock()), clock)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(pilot, app)
        strip = screen.query_one(ClockStrip)
        width = size[0]
        assert strip.region.right <= width
        for part in strip.parts:
            assert strip.shown(part.name) == part.text, part.name
        phases = screen.query_one(PhaseStrip)
        assert phases.region.height == 1 and phases.region.right <= width
        assert phases.plain == (
            "▶Detection 0:00/5m  Investigation  Mitigation  Resolution  Post-Mortem"
        )
        await pilot.press("3")
        panel = screen.query_one(CommandPanel)
        checklist = screen.query_one(ChecklistPane)
        assert panel.region.height > 0 and checklist.region.height >= 5
        assert checklist.has_focus
        roles = panel.query_one("#roles-line")
        assert roles.display and roles.content_region.height == 1
        assert roles.region.bottom <= screen.query_one("#checklist-region").region.bottom
        # A quarter of 100×30 keeps the checklist usable by dropping what the strip shows.
        moments = panel.query_one("#moments-line")
        assert moments.display == (size != (100, 30))


async def test_a_severity_without_a_summary_reads_without_a_dangling_colon(
    store: EventStore, clock: FakeClock
) -> None:
    playbook = quiet_playbook()
    severities = tuple(
        s._replace(summary="") if s.level == "P1" else s for s in playbook.severities
    )
    app = war_room_app(
        store,
        await declare(store, title=TITLE, at=clock()),
        clock=clock,
        playbook=playbook._replace(severities=severities),
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, app)
        first_line = panel_text(app).splitlines()[0]
        assert first_line.startswith("P1 High · respond"), first_line


async def test_an_empty_moment_answer_clears_nothing(store: EventStore, clock: FakeClock) -> None:
    incident_id = await declare(store, title=TITLE, at=clock())
    app = war_room(store, incident_id, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, app)
        await pilot.press("M")
        await until(pilot, shows(app, MomentForm), what="moment form")
        form = app.screen
        form.query_one(Input).focus()
        await pilot.press("ctrl+u", "enter")  # as a laggy link delivers a correction
        assert isinstance(app.screen, MomentForm)
        assert "or clear to clear" in str(form.query_one("#moment-error", Label).render())
        await pilot.press("escape")
    assert await recorded(store, incident_id, kinds.MOMENT_SET) == []
