"""The checklist at 200×60: every phase on screen, the ones not at hand folded to their
heading, and space on a heading folding or unfolding it."""

from __future__ import annotations

from tests.support.war_room import declare, until, war_room_app
from tests.ui.test_incident_command import loaded
from warroom.incident import item_ticked
from warroom.store import EventStore
from warroom.ui.widgets.checklist import ChecklistPane


def shown_ids(checklist: ChecklistPane) -> list[str]:
    return [str(checklist.get_option_at_index(i).id) for i in range(checklist.option_count)]


async def test_every_phase_fits_and_folds_follow_the_incident(store: EventStore) -> None:
    incident_id = await declare(store)
    app = war_room_app(store, incident_id)
    async with app.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, app)
        await pilot.press("3")
        checklist = app.screen.query_one(ChecklistPane)
        phases = app.playbook.phases
        # Detection (current) and Investigation (next) show their items; the rest fold.
        ids = shown_ids(checklist)
        assert [f"phase:{n}" in ids for n in range(len(phases))] == [True] * len(phases)
        assert all(item.id in ids for phase in phases[:2] for item in phase.items)
        assert not any(item.id in ids for phase in phases[2:] for item in phase.items)
        assert checklist.virtual_size.height <= checklist.scrollable_content_region.height

        ticks = [item_ticked(item.id) for item in phases[0].items]
        await store.append_many(incident_id, [(t.kind, t.payload) for t in ticks], actor="carol")
        # Detection done: folded; Mitigation is next now.
        await until(
            pilot, lambda: phases[2].items[0].id in shown_ids(checklist), what="next unfolded"
        )
        assert phases[0].items[0].id not in shown_ids(checklist)
        assert checklist.virtual_size.height <= checklist.scrollable_content_region.height

        checklist.highlighted = checklist.get_option_index("phase:0")
        await pilot.press("space")  # unfold the done phase, to untick something
        await until(pilot, lambda: phases[0].items[0].id in shown_ids(checklist), what="open")
        await pilot.press("space")
        await until(pilot, lambda: phases[0].items[0].id not in shown_ids(checklist), what="shut")
