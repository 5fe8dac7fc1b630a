"""The Textual application: owns the injected parts and pushes the war room screen."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Collection, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.driver import Driver
from textual.screen import Screen, ScreenResultCallbackType, ScreenResultType
from textual.theme import BUILTIN_THEMES, Theme

from warroom import collector
from warroom.clipboard import LocalClipboard, system_clipboard
from warroom.incident import Clock, utc_now
from warroom.logs.step_aside import StepAside
from warroom.playbook import Playbook
from warroom.playbook.keys import as_keymap
from warroom.playbook.themes import Looks, remember_theme, shipped_looks
from warroom.procgroups import kill_all_sources, on_quit_signal
from warroom.store import EventStore
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.screens.war_room_postmortem import PostmortemWriter
from warroom.ui.theming import NO_COLOR_CURSORS, drop_colour, semantic_fallbacks, textual_theme

SHUTDOWN_GRACE_SECONDS = 1.3
"""How long a signalled shutdown may take before the process leaves regardless: with the
sources' SIGKILL after it, everything warroom started is gone within 2 s."""

SWITCH_INTERVAL = 0.001
"""Seconds another thread may keep the GIL once the event loop's thread asks for it back
while the app runs (Python's default: 0.005). The loop gives the GIL away at every read of a
log source's pipe and every write; with the store's, the capture's and Textual's writer
threads busy during a flood, each such call then waited up to the whole interval to go on.
Region switch at 300,000 lines/s in tmux at 200x60, two alternating pairs of 200 keys,
p95 / p99 ms: 48.3 / 61.5 and 51.6 / 60.2 at 0.005; 43.4 / 47.3 and 41.9 / 49.8 at 0.001."""


class WarRoomApp(App[None]):
    """One incident on one screen. Everything it touches is passed in.

    Without an incident named, it opens the one open incident, offers a choice among
    several, or offers to declare one when none is open.
    """

    CSS_PATH = "warroom.tcss"
    TITLE = "warroom"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "show_keys", "Keys", id="show-keys"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="command-palette"),
    ]

    def __init__(
        self,
        *,
        playbook: Playbook,
        store: EventStore,
        incident_id: str | None,
        actor: str,
        clock: Clock = utc_now,
        copies_dir: Path | None = None,
        local_clipboard: LocalClipboard | None = system_clipboard,
        review: bool = False,
        postmortem_writer: PostmortemWriter | None = None,
        looks: Looks | None = None,
        on_shown: Callable[[], object] | None = None,
    ) -> None:
        """`copies_dir` (default: the user cache dir) keeps copied texts that no clipboard
        confirmed; `local_clipboard=None` never touches the host's clipboard; `review`
        opens the incident read-only, with replay (`warroom review`), where only the post-mortem
        is written, through `postmortem_writer`; `looks`: the themes, the one to use and
        whether to draw in colour (default: the shipped themes, the default one); `on_shown`
        is called once the first screen is out (what may start then, not before it)."""
        looks = looks or shipped_looks()
        no_color = looks.no_color or "NO_COLOR" in os.environ
        super().__init__(ansi_color=True if no_color else None)
        if no_color:
            drop_colour(self)
        self.looks = looks
        self._use_themes(looks)
        if playbook.keys:
            self.set_keymap(as_keymap(playbook.keys))
        if copies_dir is None:
            from platformdirs import user_cache_path

            copies_dir = user_cache_path("warroom", appauthor=False) / "copies"
        self.copies_dir = copies_dir
        self.local_clipboard = local_clipboard
        self.playbook = playbook
        self.store = store
        self.actor = actor
        self.clock = clock
        self._incident_id = incident_id
        self.review = review
        self.postmortem_writer = postmortem_writer
        self._on_shown = on_shown
        self._switch_interval = sys.getswitchinterval()
        """Python's, given back when the app ends (SWITCH_INTERVAL)."""
        self.step_aside = StepAside(pause_collector=True)
        """Held from a key's arrival until its frame is out: the log sources wait meanwhile."""

    def _use_themes(self, looks: Looks) -> None:
        for spec in looks.themes.themes:
            self.register_theme(textual_theme(spec))
        if looks.theme in looks.themes.names:
            self._start_in_theme(looks.theme)
            # The palette's switcher offers warroom's themes alone: each names the semantic
            # colours, and a choice it remembers is one the next start finds.
            for name in BUILTIN_THEMES:
                if name not in looks.themes.names:
                    self.unregister_theme(name)
        # Else no theme file could be read: Textual's own, with semantic colours derived.
        self._theme_in_use = self.theme

    def _start_in_theme(self, name: str) -> None:
        """`name` as the theme before anything is styled. Setting `App.theme` has Textual
        restyle the app and parse its stylesheet once more, with the theme's colours (~6 ms
        of the first frame); nothing is styled yet here, so the colours are given to the
        first parse instead. Only where the ANSI colour filter Textual made for its default
        theme holds for this one too (as dark, as native); else as Textual does it."""
        default, chosen = self.current_theme, self.get_theme(name)
        assert chosen is not None  # registered just before

        def native_ansi(theme: Theme) -> bool:
            return theme.ansi if self.ansi_color is None else self.ansi_color

        if (chosen.dark, native_ansi(chosen)) != (default.dark, native_ansi(default)):
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        mode = "-dark-mode" if chosen.dark else "-light-mode"
        self.set_class(True, f"-theme-{name}", mode, update=False)
        self.stylesheet.set_variables(self.get_css_variables())

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, with escape answered when its delay ends on a Linux terminal."""
        chosen = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if chosen is LinuxDriver:
            from warroom.ui.driver import PromptEscapeDriver

            return PromptEscapeDriver
        return chosen

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        if self.no_color:
            # Without colour a cursor is only its text style: bold reverse where the focus
            # is, underlined in the other lists.
            variables.update(NO_COLOR_CURSORS)
        return variables

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """warroom's semantic colours for a theme that does not name them (Textual's own)."""
        return semantic_fallbacks(self.current_theme)

    def on_mount(self) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL)
        for warning in self.looks.warnings:
            self.notify(warning, title="Theme", severity="warning", timeout=20, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_chosen)
        # A closed terminal (SIGHUP: tmux killed, SSH dropped) or SIGTERM leaves the way
        # `q` does, so log sources are stopped and the store is closed behind us. The
        # signals are taken by the watchdog thread `warroom.cli.launch` started, which
        # needs nothing of the loop: a stuck loop is left after the grace all the same.
        loop = asyncio.get_running_loop()
        on_quit_signal(partial(self._leave_on_signal, loop), grace=SHUTDOWN_GRACE_SECONDS)
        if self._incident_id is None:
            self.run_worker(self._find_open_incident(), exit_on_error=True)
        else:
            # Once the app's start-up is over: pushed inside it, the war room's first frame
            # is drawn while Textual holds repaints back, thrown away and drawn again.
            self.call_later(self._open, self._incident_id)

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)
        # The key that quit may still hold the sources, and with them the garbage collector.
        self.step_aside.release()

    async def on_event(self, event: events.Event) -> None:
        key = isinstance(event, events.Key)
        # Asked before Textual forwards the key to the focused widget, which marks this very
        # event forwarded: after it, an arriving key and one back from the widget look alike.
        arriving = key and not event.is_forwarded
        if arriving:
            self.step_aside.hold()
        await super().on_event(event)
        if key and not arriving:
            # Back from the focused widget, unanswered there: the app's bindings have run
            # now. A key a widget answered never comes back; the hold's cap releases it.
            self.screen.call_after_refresh(self.step_aside.release)

    def _theme_chosen(self, theme: Theme) -> None:
        # Once the app runs only the palette's switcher changes the theme: the user's choice.
        # The theme set at start-up is announced too, and is not one.
        config_dir = self.looks.config_dir
        if theme.name == self._theme_in_use:
            return
        self._theme_in_use = theme.name
        if config_dir is not None:
            self.run_worker(asyncio.to_thread(remember_theme, config_dir, theme.name))

    def _leave_on_signal(self, loop: asyncio.AbstractEventLoop, _signum: int) -> None:
        loop.call_soon_threadsafe(self._leave_cleanly)

    def _leave_cleanly(self) -> None:
        kill_all_sources()
        self.exit()

    # The screens below are imported when they are needed: `warroom open` never shows them,
    # and its first frame does not wait for their modules.

    async def _find_open_incident(self) -> None:
        from warroom.ui.screens.choose_incident import DECLARE_NEW, ChooseIncidentScreen

        open_now = [s for s in await self.store.list_incidents() if s.status == "open"]
        if len(open_now) == 1:
            self._open(open_now[0].id)
            return
        if not open_now:
            self._declare(known_open=())
            return
        listed = [s.id for s in open_now]

        def chosen(choice: str | None) -> None:
            if choice == DECLARE_NEW:
                self._declare(known_open=listed)
            else:
                self._open_or_leave(choice)

        zone = self.playbook.settings.display_timezone
        self._show_first(ChooseIncidentScreen(incidents=open_now, timezone=zone), chosen)

    def _declare(self, *, known_open: Collection[str]) -> None:
        from warroom.ui.screens.declare import DeclareScreen

        screen = DeclareScreen(
            playbook=self.playbook, store=self.store, actor=self.actor, known_open=known_open
        )
        self._show_first(screen, self._open_or_leave)

    def _open_or_leave(self, incident_id: str | None) -> None:
        if incident_id is None:
            self.exit()
        else:
            self._open(incident_id)

    def _open(self, incident_id: str) -> None:
        self._show_first(
            WarRoomScreen(
                incident_id=incident_id,
                playbook=self.playbook,
                store=self.store,
                actor=self.actor,
                clock=self.clock,
                copies_dir=self.copies_dir,
                local_clipboard=self.local_clipboard,
                review=self.review,
                postmortem_writer=self.postmortem_writer,
                step_aside=self.step_aside,
            )
        )

    def _show_first(
        self,
        screen: Screen[ScreenResultType],
        done: ScreenResultCallbackType[ScreenResultType] | None = None,
    ) -> None:
        """Push one of the screens a start shows first; once it is drawn, the start is over:
        for the garbage collector the command line held (`warroom.collector`), and for what
        waited on `on_shown`."""
        self.push_screen(screen, done)
        # Screen messages are handled after its mount: this waits for the screen's own frame.
        screen.call_after_refresh(self._first_screen_out)

    def _first_screen_out(self) -> None:
        collector.release()
        on_shown, self._on_shown = self._on_shown, None
        if on_shown is not None:
            on_shown()

    def action_show_keys(self) -> None:
        from warroom.ui.screens.keys import KeysScreen, key_groups
        from warroom.ui.screens.reused import reused

        if isinstance(self.screen, KeysScreen):
            self.screen.dismiss()
            return
        keys = reused(self, KeysScreen)
        keys.list_keys(key_groups(self.screen))
        self.push_screen(keys)

    @classmethod
    def keymap_problems(cls, playbook: Playbook) -> list[str]:
        """What is wrong with the playbook's `[keys]`, `PATH:LINE: problem` each."""
        if not playbook.keys:
            return []  # without importing every form, which the first frame does not wait for
        from warroom.ui.keymap import problems

        return problems(cls, playbook)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key binding of the screen is also a palette command, named by what it does."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            help_text = binding.tooltip or f"key: {binding.key}"
            yield SystemCommand(
                binding.description, help_text, _runner(active.node, binding.action)
            )
        if isinstance(screen, WarRoomScreen) and not screen.review:  # they copy or run
            yield from screen.palette_commands()
            yield from screen.run_palette_commands()


def _runner(node: DOMNode, action: str) -> Callable[[], Awaitable[None]]:
    # A binding's node is the app, a screen or a widget. `Widget.run_action` is exactly
    # `app.run_action(action, widget)`, and the app as its own namespace is the default, so
    # this runs the action where the binding lives; DOMNode itself has no `run_action`.
    async def run() -> None:
        await node.app.run_action(action, node)

    return run
