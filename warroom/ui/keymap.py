"""Every key binding of the war room by scope, for the playbook's `[keys]` and for `?`.

A scope is what is active at one time: the app's and the war room's keys with one region's
(the focused widget's and its parents'), or a form over the war room with the app's. The
playbook's remaps are checked against these (`warroom.playbook.keys.keymap_problems`) before
the war room starts, and applied as Textual's keymap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import ListView

from warroom.playbook import Playbook
from warroom.playbook.keys import BoundKey, Scope, keymap_problems
from warroom.ui.screens.comms import CommsScreen
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.incident_forms import MomentForm, RoleForm
from warroom.ui.screens.recent_changes import RecentChangesScreen
from warroom.ui.screens.runbooks import RunbookBrowser
from warroom.ui.screens.timeline_edit import TimePrompt
from warroom.ui.screens.war_room import WarRoomScreen
from warroom.ui.widgets.checklist import ChecklistPane
from warroom.ui.widgets.health_pane import HealthDetailScreen, HealthPane
from warroom.ui.widgets.log_pane import LogPane
from warroom.ui.widgets.log_view import LogView
from warroom.ui.widgets.timeline import TimelinePane

REGION_NODES: dict[str, tuple[type[DOMNode], ...]] = {
    "Health": (HealthPane, ListView),
    "Logs": (LogPane, LogView),
    "Checklist": (ChecklistPane,),
    "Timeline": (TimelinePane,),
}
"""Each region's widgets that hold bindings, from the outside in."""

FORMS: dict[str, type[DOMNode]] = {
    "Confirm": ConfirmScreen,
    "Key moment": MomentForm,
    "Roles": RoleForm,
    "Runbooks": RunbookBrowser,
    "Status text": CommsScreen,
    "Entry time": TimePrompt,
    "Recent changes": RecentChangesScreen,
    "Health detail": HealthDetailScreen,
}


def bound_keys(node: type[DOMNode]) -> tuple[BoundKey, ...]:
    """`node`'s bindings (its bases' too), one per binding with all its keys."""
    found: dict[tuple[str | None, str], BoundKey] = {}
    for key, bindings in node._merge_bindings().key_to_bindings.items():
        for binding in bindings:
            where = (binding.id, binding.action)
            known = found.get(where)
            keys = (*known.keys, key) if known else (key,)
            found[where] = BoundKey(binding.id, keys, binding.description)
    return tuple(found.values())


def scopes(app: type[App[Any]]) -> tuple[Scope, ...]:
    """Every set of bindings active together in the war room and its forms."""
    everywhere = bound_keys(app)
    room = (*everywhere, *bound_keys(WarRoomScreen))
    found = [Scope("war room", room)]
    for name, nodes in REGION_NODES.items():
        region = tuple(bound for node in nodes for bound in bound_keys(node))
        found.append(Scope(name, (*room, *region)))
    for name, form in FORMS.items():
        found.append(Scope(name, (*everywhere, *bound_keys(form))))
    return tuple(found)


def normal_keys(keys: Sequence[str]) -> dict[str, str]:
    """Each key as written -> as bindings name it (`?` -> `question_mark`)."""
    return {key: next(iter(Binding.make_bindings([(key, "x")]))).key for key in keys}


def problems(app: type[App[Any]], playbook: Playbook) -> list[str]:
    """What is wrong with the playbook's `[keys]` for the bindings the war room has."""
    written = [key for remap in playbook.keys for key in remap.keys]
    return keymap_problems(playbook.path, playbook.keys, scopes(app), normal=normal_keys(written))
