"""Updating a line of text without paying for a layout of the whole screen.

`Static.update` asks for a layout by default, and a layout arranges every widget on the
screen: tens of milliseconds at 200×60. The command panel and the status lines rewrite
their text every second and on every event, nearly always to text of the same width, which
cannot move anything.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


def relabel(widget: Static, content: str | Text) -> None:
    """Show `content` in `widget`: nothing if it already does, no layout if its size holds."""
    old = widget.content
    if isinstance(old, str | Text) and type(old) is type(content) and old == content:
        return
    widget.update(
        content, layout=not (isinstance(old, str | Text) and _shape(old) == _shape(content))
    )


def _shape(content: str | Text) -> tuple[int, int]:
    plain = content.plain if isinstance(content, Text) else content
    return cell_len(plain), plain.count("\n")
