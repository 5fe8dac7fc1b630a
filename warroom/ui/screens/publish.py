"""Preview a publish exactly as it will be sent, with the components' statuses to choose,
and send it only on a key.

The requests shown are `PublishPlan.shown()`: the method, URL, headers and JSON body the
sender will send, every secret masked. Each status page component has a `Select` with the
status proposed from the health pane (down → major_outage, degraded → degraded_performance,
up → operational); changing one rebuilds the plan, so the preview follows. `s` (or the
Send button) answers with the plan; escape answers None and nothing is sent. Sending and
recording are the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Select, Static

from warroom.publish import COMPONENT_STATUSES, PublishPlan
from warroom.ui.screens.dialog import Dialog

PlanMaker = Callable[[Mapping[str, str]], PublishPlan]
"""component id -> status chosen, to the plan that sends them."""


class PublishScreen(Dialog[PublishPlan | None]):
    """The requests a publish sends, its components' statuses, and the key that sends.

    | key | action |
    |---|---|
    | `s` | send what is shown |
    | `escape` | close, sending nothing (answers None) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "send", "Send", id="publish-send"),
        Binding("escape", "cancel", "Cancel", id="publish-cancel"),
    ]

    DEFAULT_CSS = """
    PublishScreen { align: center middle; }
    PublishScreen > #publish { width: 92%; max-width: 110; height: 95%;
        border: round $primary; background: $surface; padding: 0 1; }
    PublishScreen .publish-heading { text-style: bold; }
    PublishScreen #publish-warning { background: $error; color: $text; text-style: bold; }
    PublishScreen #publish-components { height: auto; max-height: 8; }
    PublishScreen .publish-component { height: 1; }
    PublishScreen .publish-component > Label { width: 30; }
    PublishScreen .publish-component > Select { width: 1fr; }
    PublishScreen #publish-request { height: 1fr; min-height: 4; border: solid $panel; }
    PublishScreen #publish-actions { height: 1; margin-top: 1; }
    PublishScreen #publish-actions > Label { margin-left: 2; color: $text-muted; }
    """

    def __init__(
        self,
        *,
        make_plan: PlanMaker,
        proposed: Mapping[str, str],
        labels: Mapping[str, str],
        warning: str = "",
    ) -> None:
        """`proposed`: component id -> status proposed (components without one start
        blank and are left out); `labels`: component id -> what it shows (service names)."""
        super().__init__()
        self._make_plan = make_plan
        self._components = list(labels)
        self._labels = labels
        self._proposed = dict(proposed)
        self._warning = warning
        self._plan = make_plan(self._proposed)

    @property
    def plan(self) -> PublishPlan:
        """What `s` sends now."""
        return self._plan

    def compose(self) -> ComposeResult:
        targets = " and ".join(
            {"statuspage": "the status page", "chat": "chat"}[t] for t in self._plan.targets
        )
        with Vertical(id="publish"):
            yield Label(
                f"Publish {self._plan.template!r} to {targets}",
                markup=False,
                classes="publish-heading",
            )
            if self._warning:
                yield Label(f"⚠ {self._warning}", markup=False, id="publish-warning")
            if self._components and "statuspage" in self._plan.targets:
                with VerticalScroll(id="publish-components"):
                    for index, component in enumerate(self._components):
                        options = [(status, status) for status in COMPONENT_STATUSES]
                        select: Select[str] = Select(
                            options,
                            value=self._proposed.get(component, Select.NULL),
                            prompt="(not sent)",
                            type_to_search=False,
                            compact=True,
                            id=f"component-{index}",
                        )
                        label = f"{self._labels[component]} ({component}):"
                        yield Horizontal(
                            Label(label, markup=False), select, classes="publish-component"
                        )
            with VerticalScroll(id="publish-request"):
                yield Static(Text(self._plan.shown(), end=""), id="publish-text")
            with Horizontal(id="publish-actions"):
                yield Button("Send (s)", id="publish-send", variant="primary", compact=True)
                yield Label("nothing is sent before s · esc: cancel", markup=False)

    def on_mount(self) -> None:
        self.query_one("#publish-send", Button).focus()

    def _chosen(self) -> dict[str, str]:
        chosen: dict[str, str] = {}
        for index, component in enumerate(self._components):
            value = self.query_one(f"#component-{index}", Select).value
            if isinstance(value, str):
                chosen[component] = value
        return chosen

    @on(Select.Changed)
    def _component_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._plan = self._make_plan(self._chosen())
        self.query_one("#publish-text", Static).update(Text(self._plan.shown(), end=""))

    @on(Button.Pressed, "#publish-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    def action_send(self) -> None:
        """Send what the preview shows."""
        self.dismiss(self._plan)

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)
