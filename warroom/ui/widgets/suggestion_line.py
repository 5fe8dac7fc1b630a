"""One line under the clock strip naming the runbook the war room suggests, and why.

Hidden while nothing is suggested, so a calm incident's layout does not move; the screen
sets `suggestions` every few seconds from `warroom.runbooks.suggest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from warroom.safetext import visible
from warroom.ui.relabel import relabel

if TYPE_CHECKING:
    from warroom.runbooks import Suggestion


class SuggestionLine(Static):
    DEFAULT_CSS = """
    SuggestionLine {
        display: none; height: 1; padding: 0 1; background: $warning 20%;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    SuggestionLine.-shown { display: block; }
    """

    suggestions: var[tuple[Suggestion, ...]] = var(())

    def watch_suggestions(self, suggestions: tuple[Suggestion, ...]) -> None:
        self.set_class(bool(suggestions), "-shown")
        relabel(self, line(suggestions))


def line(suggestions: tuple[Suggestion, ...]) -> Text:
    """'Runbook? Site is down (HTTP 500/502/503): backend down 2 min · +1 more · b to browse'."""
    if not suggestions:
        return Text()
    best = suggestions[0]
    text = Text("Runbook? ", style="bold")
    text.append(visible(best.runbook.title, limit=120), style="bold")
    text.append(f": {visible(best.reason, limit=300)}")
    if len(suggestions) > 1:
        text.append(f" · +{len(suggestions) - 1} more")
    text.append(" · b to browse", style="italic")
    return text
