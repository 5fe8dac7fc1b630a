"""The war room's commands that ask before they record: escalate, resolve, reopen. A part of
`WarRoomScreen`, kept in its own module so that the screen stays one readable page. Resolving
an incident whose on-call was paged offers resolving the page next.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from textual.app import App

from warroom.incident import (
    Clock,
    Event,
    IncidentState,
    NewEvent,
    escalated,
    reopened,
    resolved,
)
from warroom.incident.clocks import escalation_clock
from warroom.playbook import Playbook


class _Room(Protocol):
    playbook: Playbook
    clock: Clock

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    def notify(self, message: str, *, severity: Any = ...) -> None: ...
    def run_worker(self, work: Any) -> Any: ...
    async def record(self, new: NewEvent) -> Event | None: ...
    def _record_if_confirmed(
        self,
        new: NewEvent,
        question: str,
        *,
        yes: str,
        detail: str = "",
        then: Callable[[], None] | None = None,
    ) -> None: ...
    async def _record_then(self, new: NewEvent, then: Callable[[], None] | None) -> None: ...
    def page_oncall(self, *, resolve: bool = False) -> None: ...


class ConfirmedCommands:
    """Mixed into `WarRoomScreen`: `!` escalate, `R` resolve or reopen, each after asking."""

    def action_escalate(self: _Room) -> None:
        if self.state is None:
            return
        ladder = escalation_clock(self.state, self.playbook, self.clock())
        rung = ladder.next
        if rung is None:
            self.notify("Already at the top of the escalation ladder.", severity="warning")
            return
        question = f"Escalate to level {rung.level}, {rung.name}?"
        detail = f"Contact: {rung.contact}" if rung.contact else ""
        self._record_if_confirmed(escalated(rung.level), question, yes="Escalate", detail=detail)

    def action_resolve(self: _Room) -> None:
        if self.state is not None and self.state.is_open:
            detail = "The time is recorded now; the post-mortem checklist stays open."
            question = f"Resolve {self.state.id}?"
            # On-call was paged: resolving the page is offered next (it asks on its own).
            then = partial(self.page_oncall, resolve=True) if self.state.oncall_paged else None
            self._record_if_confirmed(resolved(), question, yes="Resolve", detail=detail, then=then)

    def action_reopen(self: _Room) -> None:
        if self.state is not None and not self.state.is_open:
            self._record_if_confirmed(reopened(), f"Reopen {self.state.id}?", yes="Reopen")

    def _record_if_confirmed(
        self: _Room,
        new: NewEvent,
        question: str,
        *,
        yes: str,
        detail: str = "",
        then: Callable[[], None] | None = None,
    ) -> None:
        """Record `new` on yes; once it is recorded, `then`."""
        from warroom.ui.screens.confirm import confirm

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_worker(self._record_then(new, then))

        confirm(self.app, answered, question, detail=detail, yes=yes)

    async def _record_then(self: _Room, new: NewEvent, then: Callable[[], None] | None) -> None:
        if await self.record(new) is not None and then is not None:
            then()
