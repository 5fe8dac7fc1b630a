"""Publishing from the comms preview: what it answers with (`CommsPublished`) and the
`PublishScreen` it opens on the values typed there, components proposed from health."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from warroom.incident import IncidentState, NewEvent, field_set, renamed
from warroom.playbook import Playbook
from warroom.publish import PUBLISH_TARGETS, PublishPlan, Target, plan_publish, proposed_components
from warroom.ui.screens.publish import PublishScreen


class CommsPublished(NamedTuple):
    """A publish the person sent from the comms screen; the caller sends and records it."""

    plan: PublishPlan
    """The requests, exactly as previewed."""
    typed: dict[str, str]
    """Placeholder values typed in the form: each one a `field.set`."""
    renamed: str | None = None
    """The incident's new title, when `{description}` was corrected in the form."""

    def events(self) -> list[NewEvent]:
        """What to record before sending: the rename and the fields the text was made from
        (each outcome is recorded once it is known)."""
        first = [renamed(self.renamed)] if self.renamed is not None else []
        return [*first, *(field_set(name, value) for name, value in self.typed.items())]


def publish_targets(playbook: Playbook) -> list[Target]:
    """The publishing targets the playbook configures, in order."""
    configured = (playbook.status_page, playbook.chat)
    return [t for t, c in zip(PUBLISH_TARGETS, configured, strict=True) if c is not None]


def publish_screen(
    *,
    state: IncidentState,
    playbook: Playbook,
    template: str,
    now: datetime,
    values: Mapping[str, str],
    targets: list[Target],
    health: Mapping[str, str],
    warning: str,
) -> PublishScreen:
    """The preview of publishing `template` with `values`; raises `NotPublishable`."""
    page = playbook.status_page
    proposed = proposed_components(page, health, resolved=template == "resolved") if page else {}
    labels: dict[str, str] = {}
    for name, component in page.components.items() if page else ():
        labels[component] = f"{labels[component]}, {name}" if component in labels else name

    def make_plan(chosen: Mapping[str, str]) -> PublishPlan:
        return plan_publish(
            state,
            playbook,
            template,
            targets=targets,
            now=now,
            extra=values,
            components=chosen,
            propose=False,
        )

    return PublishScreen(make_plan=make_plan, proposed=proposed, labels=labels, warning=warning)
