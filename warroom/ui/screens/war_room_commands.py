"""The war room's emergency commands, quick checks and rollbacks: pick one, fill its
`<placeholders>` (from what the real command lists, or typed), confirm a destructive one
with the app name, run it with its output on screen, record it. A part of `WarRoomScreen`,
kept in its own module so that the screen stays one readable page.

What may run and with which values is decided by `warroom.commands` (`prepare` refuses);
this only asks and shows. Each flow runs in a worker, so the screen stays responsive.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.worker import Worker

from warroom.commands import (
    CommandRun,
    Refused,
    Runnable,
    RunResult,
    find,
    for_argv,
    masked_argv,
    prepare,
    runnables,
)
from warroom.incident import Clock, Event, IncidentState
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.session.incident_session import IncidentSession
from warroom.ui.messages import RunRequested

if TYPE_CHECKING:
    from warroom.commands.fleet import Rollback

# warroom.commands.fleet and .interactive are imported where a flow needs them: the
# first frame does not wait for their modules (~3 ms).

FEED_TIMEOUT = timedelta(seconds=30)
"""A listing for a picker (machines, releases) still going after this is given up."""
TMUX_TIMEOUT = timedelta(seconds=10)
ROLLBACK = "rollback:"
"""Prefix of the command list's ids for "Roll back APP"."""


class _Room(Protocol):
    playbook: Playbook
    clock: Clock
    session: IncidentSession
    read_only: bool

    @property
    def app(self) -> App[Any]: ...
    @property
    def state(self) -> IncidentState | None: ...
    def run_worker(self, work: Any, *, group: str = ...) -> Worker[Any]: ...
    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...
    def start_run(self, runnable: Runnable, values: dict[str, str] | None = None) -> None: ...
    def start_rollback(self, app: str) -> None: ...
    async def _run_flow(self, runnable: Runnable, values: dict[str, str]) -> None: ...
    async def _pick(self, runnable: Runnable, placeholder: str) -> str | None: ...
    async def _listed(self, argv: tuple[str, ...]) -> str | None: ...
    async def _interactive(self, runnable: Runnable, argv: tuple[str, ...]) -> None: ...
    async def _record(self, result: RunResult) -> Event | None: ...
    def _refused(self, refused: Refused) -> None: ...


class RunCommands:
    """Mixed into `WarRoomScreen`: the `x` key, the palette's "Run: NAME" and "Roll back
    APP" commands, and `RunRequested` from the runbook browser."""

    def action_emergency_commands(self: _Room) -> None:
        from warroom.commands.fleet import rollbacks
        from warroom.ui.screens.prompts import ask_choice

        choices = [(f"{ROLLBACK}{r.app}", f"Roll back {r.app}") for r in rollbacks(self.playbook)]
        for runnable in runnables(self.playbook):
            heading = runnable.group or runnable.kind
            flags = " [destructive]" if runnable.confirm else ""
            flags += " [interactive]" if runnable.interactive else ""
            line = f"{heading}: {runnable.name}{flags} — {runnable.description}"
            choices.append((runnable.name, line))

        def chosen(key: str | None) -> None:
            if key and key.startswith(ROLLBACK):
                self.start_rollback(key.removeprefix(ROLLBACK))
            elif key:
                self.start_run(find(self.playbook, key))

        ask_choice(self.app, "Run which command?", choices, chosen)

    def on_run_requested(self: _Room, message: RunRequested) -> None:
        message.stop()
        self.start_run(for_argv(self.playbook, message.argv, message.name or message.source))

    def start_run(self: _Room, runnable: Runnable, values: dict[str, str] | None = None) -> None:
        """Fill, confirm, run and record `runnable`, asking the user on the way."""
        self.run_worker(self._run_flow(runnable, dict(values or {})), group="command-flow")

    def start_rollback(self: _Room, app: str) -> None:
        from warroom.commands.fleet import rollbacks

        rollback = next((r for r in rollbacks(self.playbook) if r.app == app), None)
        if rollback is not None:
            self.run_worker(_roll_back(self, rollback), group="command-flow")

    async def _run_flow(self: _Room, runnable: Runnable, values: dict[str, str]) -> None:
        from warroom.ui.screens.run_forms import ConfirmRunScreen
        from warroom.ui.screens.run_output import RunScreen

        try:
            # Read-only is refused before anything is asked.
            if self.read_only and runnable.confirm:
                prepare(runnable, read_only=True)
            for placeholder in runnable.placeholders:
                if placeholder not in values:
                    value = await self._pick(runnable, placeholder)
                    if value is None:
                        return
                    values[placeholder] = value
            confirmation = None
            if runnable.confirm:
                shown = prepare(runnable._replace(confirm=False), values)
                form = ConfirmRunScreen(
                    name=runnable.name,
                    argv=masked_argv(shown, self.playbook.secrets),
                    word=runnable.confirmation_word,
                )
                confirmation = await self.app.push_screen_wait(form)
                if confirmation is None:
                    return
            argv = prepare(runnable, values, confirmation=confirmation, read_only=self.read_only)
        except Refused as refused:
            self._refused(refused)
            return
        if runnable.interactive:
            await self._interactive(runnable, argv)
            return
        screen = RunScreen(
            name=runnable.name,
            argv=argv,
            timeout=runnable.timeout,
            secrets=self.playbook.secrets,
            record=None if self.read_only else self._record,
        )
        await self.app.push_screen_wait(screen)

    async def _record(self: _Room, result: RunResult) -> Event | None:
        return await self.session.record_command_run(result)

    def _refused(self: _Room, refused: Refused) -> None:
        self.notify(str(refused), title="Not run", severity="error", timeout=15, markup=False)

    async def _pick(self: _Room, runnable: Runnable, placeholder: str) -> str | None:
        from warroom.commands.fleet import (
            FleetError,
            deployable,
            feed_argv,
            parse_machines,
            parse_releases,
        )
        from warroom.ui.screens.run_forms import PickScreen

        feed = feed_argv(runnable, placeholder)
        choices: list[tuple[str, str]] = []
        note = ""
        if feed is not None:
            text = await self._listed(feed)
            try:
                if text is not None and placeholder == "machine-id":
                    choices = [
                        (m.id, f"{m.id}  {m.name}  {m.state}  {m.region}")
                        for m in parse_machines(text)
                    ]
                elif text is not None:
                    releases = deployable(parse_releases(text))
                    choices = [(r.image, f"v{r.version}  {r.image}") for r in releases]
            except FleetError as error:
                note = str(error)
            if text is None:
                note = "Listing them failed (see the notice); type the value."
        form = PickScreen(placeholder=placeholder, choices=choices, note=note)
        value: str | None = await self.app.push_screen_wait(form)
        return value

    async def _listed(self: _Room, argv: tuple[str, ...]) -> str | None:
        """What `argv` printed, or None (and a notice saying why) when it failed."""
        run = CommandRun("list", argv, timeout=FEED_TIMEOUT, secrets=self.playbook.secrets)
        result = await run.run()
        if result.ok:
            return result.output
        shown = visible(" ".join(masked_argv(argv, self.playbook.secrets)), limit=300)
        why = visible(result.summary, limit=300)
        self.notify(f"{shown}: {why}", title="Listing failed", severity="error", markup=False)
        return None

    async def _interactive(self: _Room, runnable: Runnable, argv: tuple[str, ...]) -> None:
        from warroom.commands.interactive import plan_launch, run_in_terminal

        launch = plan_launch(runnable.name, argv, os.environ)
        if launch.how == "tmux":
            opener = CommandRun(runnable.name, launch.argv, timeout=TMUX_TIMEOUT)
            result = await opener.run()
        else:
            with self.app.suspend():
                result = run_in_terminal(runnable.name, argv)
        masked = masked_argv(result.argv, self.playbook.secrets)
        result = result._replace(argv=masked)
        if not self.read_only:
            await self._record(result)
        where = "a new tmux window" if launch.how == "tmux" else "this terminal"
        said = f"{runnable.name} ran in {where}: {visible(result.summary, limit=300)}"
        self.notify(said, severity="information" if result.ok else "warning", markup=False)

    def run_palette_commands(self: _Room) -> Iterable[SystemCommand]:
        """The palette's "Roll back APP" and "Run: NAME" commands."""
        from warroom.commands.fleet import rollbacks

        for rollback in rollbacks(self.playbook):
            yield SystemCommand(
                f"Roll back {rollback.app}",
                "Deploy a previous release's image (asks for the app name)",
                partial(self.start_rollback, rollback.app),
            )
        for runnable in runnables(self.playbook):
            help_text = runnable.description or " ".join(runnable.argv)
            yield SystemCommand(
                f"Run: {runnable.name}", help_text, partial(self.start_run, runnable)
            )


async def _roll_back(room: _Room, rollback: Rollback) -> None:
    """List the app's releases, let the user choose (the newest before the incident is
    pre-selected), then run the playbook's deploy command with that image."""
    from warroom.commands.fleet import FleetError, deployable, parse_releases
    from warroom.ui.screens.run_forms import RollbackScreen

    if room.read_only:
        room.start_run(rollback.runnable)  # refused there, with the reason
        return
    text = await room._listed(rollback.releases_argv)
    if text is None or room.state is None:
        return
    try:
        releases = deployable(parse_releases(text))
    except FleetError as error:
        room.notify(str(error), title="Not run", severity="error", markup=False)
        return
    screen = RollbackScreen(
        app_name=rollback.app,
        releases=releases,
        started=room.state.declared_at,
        now=room.clock(),
    )
    image: str | None = await room.app.push_screen_wait(screen)
    if image is not None:
        await room._run_flow(rollback.runnable, {"image-ref": image})
