"""The war room's communication commands: choose a template, preview and copy or publish it,
record what was sent (with every field corrected and the rename made in the preview), and
page on-call. A part of `WarRoomScreen`, kept in its own module so that the screen stays one
readable page.

Publishing and paging send through `warroom.publish` in a worker (the screen's own loop
never waits on the network); each outcome is recorded (`comms.published`, `oncall.paged`)
and shown as a notice, one sentence with every secret masked. Review and a read-only
playbook offer neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App, SystemCommand
from textual.screen import Screen

from warroom.clipboard import LocalClipboard
from warroom.incident import Clock, Event, IncidentState, NewEvent
from warroom.playbook import Playbook
from warroom.ui.widgets.busy_line import progress

if TYPE_CHECKING:
    from warroom.publish import ApiRequest, Delivery, PublishPlan
    from warroom.ui.screens.comms import CommsCopied
    from warroom.ui.screens.comms_publish import CommsPublished

# The screens these commands push are imported where they are pushed: the war room's first
# frame does not wait for them.


class _Room(Protocol):
    """What of the war room screen these commands use."""

    playbook: Playbook
    clock: Clock
    copies_dir: Path
    local_clipboard: LocalClipboard | None
    review: bool
    read_only: bool

    @property
    def app(self) -> App[Any]: ...
    @property
    def screen(self) -> Screen[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    async def record(self, new: NewEvent) -> Event | None: ...
    def open_comms(self, template_name: str) -> None: ...
    async def _copied(self, copied: CommsCopied | CommsPublished | None) -> None: ...
    def shown_health(self) -> Mapping[str, str]: ...
    def query(self, selector: Any) -> Any: ...
    def run_worker(self, work: Any, *, group: str = ..., exit_on_error: bool = ...) -> Any: ...
    def notify(
        self, message: str, *, title: str = ..., severity: Any = ..., markup: bool = ...
    ) -> None: ...
    async def _send_publish(self, plan: PublishPlan) -> None: ...
    async def _send_page(self, request: ApiRequest) -> None: ...
    def _say_delivered(self, delivery: Delivery) -> None: ...
    def page_oncall(self, *, resolve: bool = False) -> None: ...


class CommsCommands:
    """Mixed into `WarRoomScreen`: the `c` key, the palette's "Copy status: NAME" commands,
    publishing from the preview and "Page on-call"."""

    def action_copy_status(self: _Room) -> None:
        from warroom.ui.screens.prompts import ask_choice

        choices = [(name, f"{name}: {t.title}") for name, t in self.playbook.templates.items()]

        def chosen(name: str | None) -> None:
            if name:
                self.open_comms(name)

        ask_choice(self.app, "Copy which text?", choices, chosen)

    def open_comms(self: _Room, template_name: str) -> None:
        """Preview a template filled from the incident; copying records what was said."""
        from warroom.ui.screens.comms import CommsScreen

        if self.state is None:
            return
        screen = CommsScreen(
            playbook=self.playbook,
            state=self.state,
            template_name=template_name,
            now=self.clock(),
            fallback_dir=self.copies_dir,
            local=self.local_clipboard,
            publish_health=None if self.review or self.read_only else self.shown_health(),
        )
        self.app.push_screen(screen, self._copied)

    def shown_health(self: _Room) -> Mapping[str, str]:
        """target -> the state the health pane shows (what the incident recorded where the
        pane knows nothing yet): what component statuses are proposed from."""
        from warroom.ui.widgets.health_pane import HealthPane

        health = dict(self.state.health) if self.state is not None else {}
        for pane in self.query(HealthPane):
            health.update({t: s for t, s in pane.states.items() if s != "unknown"})
        return health

    async def _copied(self: _Room, copied: CommsCopied | CommsPublished | None) -> None:
        from warroom.ui.screens.comms_publish import CommsPublished

        for new in copied.events() if copied is not None else ():
            await self.record(new)
        if isinstance(copied, CommsPublished):
            self.run_worker(self._send_publish(copied.plan), group="publish", exit_on_error=False)

    async def _send_publish(self: _Room, plan: PublishPlan) -> None:
        from warroom.publish import Sender, publish, published_events

        async with progress(self.screen, "Publishing the status text"), Sender() as sender:
            deliveries = await publish(plan, self.playbook, sender)
        for new in published_events(plan, deliveries):
            await self.record(new)
        for delivery in deliveries:
            self._say_delivered(delivery)

    def _say_delivered(self: _Room, delivery: Delivery) -> None:
        from warroom.publish import secrets_of
        from warroom.safetext import masked, visible

        link = f" {delivery.shortlink}" if delivery.shortlink else ""
        text = visible(masked(f"{delivery.message}{link}", secrets_of(self.playbook)), limit=500)
        title = {"statuspage": "Status page", "chat": "Chat", "paging": "PagerDuty"}
        self.notify(
            text,
            title=title[delivery.request.target],
            severity="information" if delivery.ok else "error",
            markup=False,
        )

    def page_oncall(self: _Room, *, resolve: bool = False) -> None:
        """Show the Events API request that pages on-call (or resolves the page); send it
        only on yes."""
        from warroom.publish import NotPublishable, page_request, secrets_of
        from warroom.ui.screens.confirm import confirm

        if self.review or self.read_only:
            what = "review" if self.review else "the playbook"
            self.notify(f"Not paged: {what} is read-only.", severity="warning", markup=False)
            return
        if self.state is None:
            return
        try:
            request = page_request(self.state, self.playbook, resolve=resolve)
        except NotPublishable as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        question = "Resolve the page in PagerDuty?" if resolve else "Page on-call now?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._send_page(request), group="publish", exit_on_error=False)

        detail = request.shown(secrets_of(self.playbook))
        confirm(self.app, answered, question, detail=detail)

    async def _send_page(self: _Room, request: ApiRequest) -> None:
        from warroom.publish import Sender, paged_event

        async with progress(self.screen, "Paging on-call"), Sender() as sender:
            delivery = await sender.send(request)
        await self.record(paged_event(delivery, self.playbook))
        self._say_delivered(delivery)

    def comms_palette_commands(self: _Room) -> Iterable[SystemCommand]:
        """The palette's "Copy status: NAME" commands (the keyed ones come from the bindings),
        and paging when the playbook has [paging]."""
        for name, template in self.playbook.templates.items():
            yield SystemCommand(
                f"Copy status: {name}", template.title, partial(self.open_comms, name)
            )
        if self.playbook.paging is not None:
            yield SystemCommand(
                "Page on-call (PagerDuty)",
                "Events API v2 trigger for this incident, shown before it is sent",
                self.page_oncall,
            )
            yield SystemCommand(
                "Resolve the page (PagerDuty)",
                "Events API v2 resolve of this incident's page",
                partial(self.page_oncall, resolve=True),
            )
