"""The playbook's `[keys]`: how a value is written, and the check against the bindings."""

from __future__ import annotations

from pathlib import Path

from warroom.playbook.keys import BoundKey, KeyRemap, Scope, keymap_problems, parse_keys

PATH = Path("playbook.toml")
ROOM = (
    BoundKey("add-note", ("n",), "Add note"),
    BoundKey("quit", ("q",), "Quit"),
    BoundKey("resolve", ("R",), "Resolve"),
)
SCOPES = (
    Scope("war room", ROOM),
    Scope("Logs", (*ROOM, BoundKey("logs-pin", ("p",), "Pin"), BoundKey(None, ("up",), "Up"))),
)


def test_keys_are_written_as_bindings_name_them() -> None:
    assert parse_keys("N") == ("N",)
    assert parse_keys("N, ctrl+n") == ("N", "ctrl+n")
    assert parse_keys("?") == ("?",)
    assert parse_keys("") is None
    assert parse_keys("N,") is None
    assert parse_keys("ctrl n") is None


def test_a_free_key_is_fine() -> None:
    assert keymap_problems(PATH, [KeyRemap("add-note", ("N",), 40)], SCOPES, normal={}) == []


def test_an_unknown_id_is_a_problem_at_its_line_with_a_hint() -> None:
    problems = keymap_problems(PATH, [KeyRemap("add-notes", ("N",), 41)], SCOPES, normal={})
    assert problems == [
        "playbook.toml:41: keys.add-notes: no key binding has this id (did you mean 'add-note'?)"
    ]


def test_a_key_another_binding_has_at_the_same_time_is_a_clash() -> None:
    problems = keymap_problems(PATH, [KeyRemap("add-note", ("q",), 42)], SCOPES, normal={})
    assert problems == ["playbook.toml:42: keys.add-note: 'q' is already Quit (war room)"]
    # Only in the logs region does `p` pin a line: there a global `p` would never reach.
    problems = keymap_problems(PATH, [KeyRemap("add-note", ("p",), 43)], SCOPES, normal={})
    assert problems == ["playbook.toml:43: keys.add-note: 'p' is already Pin (Logs)"]
    # A key as written is compared as bindings name it.
    normal = {"?": "up"}
    problems = keymap_problems(PATH, [KeyRemap("logs-pin", ("?",), 44)], SCOPES, normal=normal)
    assert problems == ["playbook.toml:44: keys.logs-pin: 'up' is already Up (Logs)"]


def test_two_bindings_may_swap_keys() -> None:
    remaps = [KeyRemap("add-note", ("q",), 45), KeyRemap("quit", ("n",), 46)]
    assert keymap_problems(PATH, remaps, SCOPES, normal={}) == []
