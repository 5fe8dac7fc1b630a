"""Publishing in the demo: the demo world plays Statuspage, a webhook and the Events API,
and Slurpy's own status page then shows what was published."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

from tests.support.times import T0
from warroom.demo.published import DEMO_API_KEY, SUMMARY_PATH
from warroom.demo.world import DemoWorld, demo_playbook
from warroom.incident import DECLARED, HEALTH_CHANGED, Event, derive
from warroom.playbook import load_playbook
from warroom.publish import (
    Sender,
    page_request,
    paged_event,
    plan_publish,
    publish,
    published_events,
)
from warroom.resources import bundled_playbook_path

INCIDENT = "INC-20250301-001"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.load(answer)


async def test_publish_and_page_work_end_to_end_against_the_demo_world() -> None:
    with DemoWorld(epoch=time.time()) as world:
        playbook = demo_playbook(load_playbook(bundled_playbook_path(), env={}), world.base_url)
        down = {"target": "backend", "from": "up", "to": "down", "status": 503, "reason": "x"}
        events = [
            Event(1, INCIDENT, T0, DECLARED, "ann", {"title": "Backend 503s", "severity": "P0"}),
            Event(2, INCIDENT, T0, HEALTH_CHANGED, "warroom", down),
        ]
        state = derive(events, playbook)
        plan = plan_publish(
            state, playbook, "investigating", targets=("statuspage", "chat"), now=T0
        )
        assert DEMO_API_KEY not in plan.shown()

        async with Sender() as sender:
            deliveries = await publish(plan, playbook, sender)
            paged = await sender.send(page_request(state, playbook, resolve=False))

        assert [d.ok for d in deliveries] == [True, True], [d.message for d in deliveries]
        assert paged_event(paged, playbook).payload["ok"] is True
        recorded = published_events(plan, deliveries)
        assert recorded[0].payload["shortlink"].startswith("https://stspg.io/demo")
        summary = await asyncio.to_thread(_get, world.base_url + SUMMARY_PATH)
        (shown,) = summary["incidents"]
        assert shown["name"] == "Backend 503s" and shown["status"] == "investigating"
        assert shown["incident_updates"][0]["body"] == plan.text
        assert {"id": "cmp-backend", "name": "Backend", "status": "major_outage"} in summary[
            "components"
        ]
        assert summary["status"]["indicator"] == "critical"
        assert world.publications.chat[0].startswith(plan.text)
        assert world.publications.pages[0]["dedup_key"] == INCIDENT
