"""Recent changes: each Fly app's latest releases and the repository's last commits.

Read on opening and again on `r`, through `warroom.commands.changes` (the command runner:
argv, timeout, process group); the time of the last refresh is shown in the display zone,
and a release made after the incident began is highlighted. A missing `fly` or `git`, or a
failed run, is a sentence in the panel.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from warroom.commands import changes
from warroom.incident import Clock
from warroom.playbook import Playbook
from warroom.safetext import visible
from warroom.ui.screens.dialog import Dialog
from warroom.ui.timefmt import clock_time

AFTER = "after the incident began"


def age(at: datetime | None, now: datetime) -> str:
    """'3 min ago', '2 h ago', '4 d ago'."""
    if at is None:
        return "?"
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


class ChangeStyles(NamedTuple):
    """The theme's styles for what the panel flags."""

    problem: Style | str = "bold"
    late: Style | str = "bold reverse"
    """A release made after the incident began."""


PLAIN = ChangeStyles()
"""Without a theme at hand: flagged by bold and reverse alone."""


def releases_text(
    found: changes.AppReleases,
    *,
    began: datetime | None,
    now: datetime,
    timezone: str,
    styles: ChangeStyles = PLAIN,
) -> Text:
    """One app's releases, newest first; those after `began` marked and highlighted."""
    text = Text(f"{found.app}", style="bold underline")
    text.append("  fly releases", style="italic")
    if found.problem:
        text.append(f"\n  {visible(found.problem, limit=400)}", style=styles.problem)
        return text
    if not found.releases:
        text.append("\n  no releases")
    for release in found.releases:
        late = began is not None and release.created is not None and release.created > began
        when = _date_time(release.created, timezone) if release.created else "?"
        row = f"\n  v{release.version:<4} {release.status:<10} {age(release.created, now):<11}"
        row += f" {when}  {release.user}"
        text.append(row, style=styles.late if late else "")
        if late:
            text.append(f"  ◀ {AFTER}", style=styles.late)
    return text


def _date_time(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def commits_text(found: changes.Commits | None, problem_style: Style | str = "bold") -> Text:
    text = Text("Repository", style="bold underline")
    if found is None:
        text.append('\n  No repository set: add repository = "PATH" to [settings].')
        return text
    text.append(f"  git log --oneline -10 in {visible(found.repository, limit=200)}", "italic")
    if found.problem:
        text.append(f"\n  {visible(found.problem, limit=400)}", style=problem_style)
    for line in found.lines:
        text.append(f"\n  {line}")
    return text


class RecentChangesScreen(Dialog[None]):
    """What changed lately: releases per Fly app, the last commits.

    | Key | Does |
    | :- | :- |
    | r | refresh (run `fly releases` and `git log` again) |
    | escape, q | close |
    """

    BINDINGS = [
        Binding("r", "refresh_changes", "Refresh", id="changes-refresh"),
        Binding("escape", "close", "Close", id="changes-close"),
        Binding("q", "close", "Close", show=False),
    ]

    COMPONENT_CLASSES = {"changes--problem", "changes--late"}
    DEFAULT_CSS = """
    RecentChangesScreen {
        align: center middle;
        .changes--problem { color: $error; text-style: bold; }
        .changes--late { color: $warning; text-style: bold reverse; }
        & > VerticalScroll {
            width: 90%; height: 90%; max-width: 130;
            border: round $primary; background: $surface; padding: 0 1;
        }
    }
    """

    def __init__(self, *, playbook: Playbook, began: datetime | None, clock: Clock) -> None:
        """`began`: when the incident began; releases after it are highlighted."""
        super().__init__()
        self._playbook = playbook
        self._began = began
        self._clock = clock
        self.refreshed_at: datetime | None = None
        """When the last refresh finished."""

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll()
        scroll.border_title = "Recent changes"
        scroll.border_subtitle = "r refresh · escape close"
        with scroll:
            yield Static(Text("Reading releases and commits…"), id="changes-body", markup=False)

    def on_mount(self) -> None:
        self.action_refresh_changes()

    @work(exclusive=True, group="recent-changes")
    async def action_refresh_changes(self) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.border_subtitle = "refreshing… · escape close"
        secrets = self._playbook.secrets
        apps = changes.fly_apps(self._playbook)
        fly = changes.fly_program(self._playbook)
        repository = changes.repository_path(self._playbook)
        commits = changes.commits(repository, secrets) if repository is not None else None
        found = await asyncio.gather(*(changes.app_releases(a, secrets, fly) for a in apps))
        history = await commits if commits is not None else None
        now = self._clock()
        zone = self._playbook.settings.display_timezone
        styles = ChangeStyles(
            self.get_component_rich_style("changes--problem"),
            self.get_component_rich_style("changes--late"),
        )
        body = Text()
        for app in found:
            body.append_text(
                releases_text(app, began=self._began, now=now, timezone=zone, styles=styles)
            )
            body.append("\n\n")
        if not apps:
            body.append("No Fly app in the playbook.\n\n")
        body.append_text(commits_text(history, styles.problem))
        self.query_one("#changes-body", Static).update(body)
        self.refreshed_at = now
        scroll.border_subtitle = f"refreshed {clock_time(now, zone)} · r refresh · escape close"

    def action_close(self) -> None:
        self.dismiss(None)
