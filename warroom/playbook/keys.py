"""The playbook's `[keys]`: key bindings remapped by their id, and the check of a keymap.

    [keys]
    add-note = "N"             # the binding's id = the key, or several: "N,ctrl+n"

The loader checks how each value is written; which ids exist and what they may clash with
is the UI's to say (its bindings are Textual's), so `keymap_problems` is handed every
binding the war room has, by scope, and says what is wrong the way the loader does:
`PATH:LINE: keys.ID: what is wrong`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

KEY = re.compile(r"[A-Za-z0-9_+\-!?/.,:;<>{}\[\]]+")
"""A key as a binding names it: `n`, `N`, `ctrl+n`, `f5`, `question_mark`, `?`."""


class KeyRemap(NamedTuple):
    """One line of `[keys]`."""

    binding_id: str
    keys: tuple[str, ...]
    """The keys the binding answers to instead of its own."""
    line: int
    """Where the playbook says it, for problems found once the bindings are known."""


def parse_keys(text: str) -> tuple[str, ...] | None:
    """`"N, ctrl+n"` -> ("N", "ctrl+n"); None if it is not a list of keys."""
    keys = tuple(part.strip() for part in text.split(","))
    if not keys or any(not key or KEY.fullmatch(key) is None for key in keys):
        return None
    return keys


def as_keymap(remaps: Iterable[KeyRemap]) -> dict[str, str]:
    """Remaps as Textual's keymap: binding id -> keys, comma-separated."""
    return {remap.binding_id: ",".join(remap.keys) for remap in remaps}


class BoundKey(NamedTuple):
    """One binding as the UI has it."""

    binding_id: str | None
    """None for a binding that cannot be remapped."""
    keys: tuple[str, ...]
    description: str


class Scope(NamedTuple):
    """Bindings that are active together: the war room's own and one region's, say."""

    name: str
    bindings: tuple[BoundKey, ...]


def keymap_problems(
    path: Path, remaps: Sequence[KeyRemap], scopes: Iterable[Scope], *, normal: Mapping[str, str]
) -> list[str]:
    """What is wrong with `remaps` given every scope of bindings: an id no binding has, and a
    remapped key that another binding active at the same time already answers to.

    `normal` maps a key as written to how the bindings name it (`?` -> `question_mark`)."""
    scopes = tuple(scopes)
    known = {b.binding_id for s in scopes for b in s.bindings if b.binding_id is not None}
    problems: list[tuple[int, str]] = []
    remapped: dict[str, KeyRemap] = {}
    for remap in remaps:
        if remap.binding_id in known:
            remapped[remap.binding_id] = remap
            continue
        close = difflib.get_close_matches(remap.binding_id, sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"keys.{remap.binding_id}: no key binding has this id{hint}"
        problems.append((remap.line, message))
    reported: set[tuple[str, str]] = set()
    for scope in scopes:
        taken: dict[str, list[BoundKey]] = {}
        for bound in scope.bindings:
            found = remapped.get(bound.binding_id or "")
            keys = tuple(normal.get(k, k) for k in found.keys) if found else bound.keys
            for key in keys:
                taken.setdefault(key, []).append(bound)
        for key, bindings in taken.items():
            ids = {b.binding_id for b in bindings}
            for bound in bindings:
                if bound.binding_id not in remapped or len(ids) == 1:
                    continue
                if (bound.binding_id, key) in reported:
                    continue
                reported.add((bound.binding_id, key))
                others = ", ".join(
                    f"{other.description or other.binding_id}"
                    for other in bindings
                    if other.binding_id != bound.binding_id
                )
                message = f"keys.{bound.binding_id}: {key!r} is already {others} ({scope.name})"
                problems.append((remapped[bound.binding_id].line, message))
    return [f"{path}:{line}: {message}" for line, message in sorted(problems)]
