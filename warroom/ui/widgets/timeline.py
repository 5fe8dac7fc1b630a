"""The timeline: the incident's event log as readable lines, oldest first."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom.incident import IncidentState
from warroom.ui.timefmt import clock_time


class TimelinePane(OptionList):
    """One line per timeline entry; follows the end as entries arrive."""

    DEFAULT_CSS = """
    TimelinePane { height: 1fr; border: none; }
    """

    state: reactive[IncidentState | None] = reactive(None)
    """The incident as derived from its events."""

    def __init__(self, *, timezone: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._timezone = timezone

    def watch_state(self, state: IncidentState | None) -> None:
        if state is None:
            return
        following = self.highlighted is None or self.highlighted >= self.option_count - 1
        self.set_options(
            Option(self._entry_line(entry.at, entry.actor, entry.text), id=str(entry.seq))
            for entry in state.timeline
        )
        if following and self.option_count:
            self.highlighted = self.option_count - 1

    def _entry_line(self, at: datetime, actor: str, text: str) -> Text:
        # Entry text may quote log lines or HTTP bodies: plain Text, never markup.
        line = Text(clock_time(at, self._timezone), style="dim")
        line.append(f" {actor}: ", style="bold")
        line.append(text)
        return line
