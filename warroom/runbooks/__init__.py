"""Suggested runbooks: the playbook's `[[runbook.signal]]` rules held against what the war
room sees, ranked, each with the reason in words ("backend down 2 min; 140 database
errors/min").

- `window`: `LogWindow` counts, per signal pattern, the log lines of the last minute; fed a
  chunk of lines at a time (one RE2 pass over the chunk per pattern, never per line).
- `suggest`: `suggest(runbooks, health, logs, now)` ranks the runbooks whose signals hold.

Pure: no Textual, no I/O; the war room feeds it health samples and log chunks.
"""

from __future__ import annotations

from warroom.runbooks.suggest import Suggestion, TargetView, suggest
from warroom.runbooks.window import WINDOW, LogWindow

__all__ = ["WINDOW", "LogWindow", "Suggestion", "TargetView", "suggest"]
