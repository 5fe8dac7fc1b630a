"""What the log pane tells the screen: a line to pin, an export written."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from warroom.logs.parse import LogRecord


class PinRequested(Message):
    """The user asked to pin a line; the screen records it on the incident's timeline."""

    def __init__(self, record: LogRecord) -> None:
        super().__init__()
        self.record = record
        """The line, with its own `time` (UTC, may be None), `source` and `raw` text."""


class Exported(Message):
    """Lines were written to `path`."""

    def __init__(self, path: Path, lines: int) -> None:
        super().__init__()
        self.path = path
        self.lines = lines
