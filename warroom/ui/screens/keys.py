"""`?`: the keys that work now, grouped: the focused region's (or the form's) first, then the
war room's, then the ones that work everywhere. Read from the screen's active bindings, so a
key remapped in the playbook's `[keys]` shows as it is remapped."""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from warroom.ui.keymap import FORMS
from warroom.ui.screens.dialog import Dialog
from warroom.ui.screens.war_room import WarRoomScreen


class KeyLine(NamedTuple):
    key: str
    """As the app shows it: `^p`, `?`, `N`."""
    does: str
    binding_id: str | None


class KeyGroup(NamedTuple):
    title: str
    keys: tuple[KeyLine, ...]


def _group_title(node: DOMNode, screen: Screen[Any]) -> tuple[int, str]:
    """Where a binding lives, as a group: its order (the focused first) and its title."""
    if isinstance(node, App):
        return 3, "Everywhere"
    if isinstance(node, WarRoomScreen):
        return 2, "War room"
    for ancestor in node.ancestors_with_self:
        if ancestor.id and ancestor.id.endswith("-region"):
            return 0, f"{ancestor.id.removesuffix('-region').capitalize()} (focused)"
    # A form's keys and those of the widget focused in it are one group.
    titles = {form: title for title, form in FORMS.items()}
    return 1, titles.get(type(screen), type(screen).__name__)


def key_groups(screen: Screen[Any]) -> tuple[KeyGroup, ...]:
    """The keys active on `screen`, grouped by where they act, one line per action."""
    app = screen.app
    groups: dict[tuple[int, str], dict[str, KeyLine]] = {}
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not enabled or not binding.description:
            continue
        lines = groups.setdefault(_group_title(node, screen), {})
        does = binding.tooltip or binding.description
        shown = app.get_key_display(binding)
        known = lines.get(binding.action)
        key = f"{known.key} {shown}" if known and shown not in known.key.split() else shown
        lines[binding.action] = KeyLine(key, does, binding.id)
    return tuple(
        KeyGroup(title, tuple(lines.values())) for (_, title), lines in sorted(groups.items())
    )


class KeysScreen(Dialog[None]):
    """The key help; `?`, `escape` or `q` closes it.

    Opaque, unlike the dialogs: under a see-through modal Textual draws the whole war room
    again, cell by cell through its tint, at every frame it shows. Alternating runs of
    bench/keys.py at 200×60, `?` key to screen p50 / p95: 40–43 / 63–66 ms opaque, 49–52 /
    79–82 ms see-through. The help is a page to read, not a question about what is behind.

    One instance serves every `?` (`reused`). Opening it, 100 keys in tmux at 200×60,
    p50 / p95: 40 / 62 ms built each time, 30 / 43 ms reused."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="keys-close"),
    ]
    DEFAULT_CSS = """
    KeysScreen {
        align: center middle;
        background: $background;
        & > VerticalScroll {
            width: 80%; max-width: 90; height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        .keys--title { text-style: bold underline; }
        .keys--key { text-style: bold; color: $accent; }
    }
    """
    COMPONENT_CLASSES = {"keys--title", "keys--key"}

    groups: tuple[KeyGroup, ...] = ()
    """The keys it lists: those of the screen it was last opened over."""

    def list_keys(self, groups: tuple[KeyGroup, ...]) -> None:
        """List `groups`, from the top."""
        if groups == self.groups and self.is_mounted:
            # The text as it is: new text is laid out again before the help shows. Opening
            # it, 150 keys in tmux at 200x60, p50 / p95: 28 / 47 ms rewritten, 19 / 26 kept.
            self.query_one(VerticalScroll).scroll_home(animate=False)
            return
        self.groups = groups
        if self.is_mounted:
            self._write()

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll()
        scroll.border_title = "Keys"
        scroll.border_subtitle = "? or escape to close"
        with scroll:
            yield Static(id="keys-body", markup=False)

    def on_mount(self) -> None:
        self._write()

    def _write(self) -> None:
        title = self.get_component_rich_style("keys--title")
        key_style = self.get_component_rich_style("keys--key")
        text = Text()
        for number, group in enumerate(self.groups):
            if number:
                text.append("\n\n")
            text.append(group.title, title)
            width = max(len(line.key) for line in group.keys)
            for line in group.keys:
                text.append("\n  ")
                text.append(line.key.ljust(width), key_style)
                text.append(f"  {line.does}")
                if line.binding_id:  # what the playbook's [keys] names to remap it
                    text.append(f"  [{line.binding_id}]", "dim")
        self.query_one("#keys-body", Static).update(text)
        self.query_one(VerticalScroll).scroll_home(animate=False)
