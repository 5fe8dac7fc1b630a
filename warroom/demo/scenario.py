"""The script of the simulated outage, shared by the demo HTTP server and the fake `fly logs`.

Pure: given the seconds elapsed since the demo started, it says what each service answers,
what each provider's status page says and how each app's logs read. The script repeats
every `CYCLE_SECONDS` so a demo left open keeps having an incident to show.

The outage is caused by a bad release of the backend (the fleet's newest, deployed a minute
before the script starts): the episodes marked `release_bound` play only while the backend
runs it (`bad_release` False once someone rolled it back), the providers' trouble plays
whatever is deployed.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

CYCLE_SECONDS = 240.0

ServiceMood = Literal["up", "down", "slow"]
ProviderIndicator = Literal["none", "minor", "major", "critical"]
LogMood = Literal["normal", "errors"]


class Episode(NamedTuple):
    """One stretch of trouble for one target, in seconds since the cycle began."""

    target: str
    start: float
    end: float
    mood: str
    reason: str = ""
    release_bound: bool = False
    """Caused by the backend's bad release: over once it no longer runs."""

    def covers(self, elapsed: float) -> bool:
        return self.start <= elapsed % CYCLE_SECONDS < self.end


SERVICES = ("frontend", "backend", "mcp")
"""Service names the demo playbook declares, in its order."""

FLY_APPS = {"frontend": "slurpy-frontend", "backend": "slurpy-backend", "mcp": "slurpy-mcp"}

PROVIDERS = {"fly": "Fly.io", "supabase": "Supabase", "clerk": "Clerk", "openai": "OpenAI"}
"""URL slug of each simulated status page -> provider name."""

EPISODES: tuple[Episode, ...] = (
    Episode("supabase", 15, 120, "major", "Degraded connectivity to database pooler"),
    Episode("backend", 20, 130, "down", "Could not connect to database", release_bound=True),
    Episode("frontend", 40, 110, "slow", "Upstream backend timeouts", release_bound=True),
    Episode("openai", 60, 90, "minor", "Elevated error rates on Chat Completions"),
    Episode("slurpy-backend", 18, 130, "errors", "psycopg OperationalError", release_bound=True),
    Episode("slurpy-frontend", 40, 110, "errors", "upstream timeout", release_bound=True),
)

BAD_RELEASE_APP = "slurpy-backend"
"""The Fly app whose newest scripted release causes the outage."""


def _episode(target: str, elapsed: float, bad_release: bool) -> Episode | None:
    for episode in EPISODES:
        if episode.release_bound and not bad_release:
            continue
        if episode.target == target and episode.covers(elapsed):
            return episode
    return None


def service_mood(service: str, elapsed: float, *, bad_release: bool = True) -> ServiceMood:
    episode = _episode(service, elapsed, bad_release)
    return "up" if episode is None else episode.mood  # type: ignore[return-value]


def provider_indicator(slug: str, elapsed: float) -> tuple[ProviderIndicator, str]:
    """The page's `status.indicator` and the name of its open incident ('' when none)."""
    episode = _episode(slug, elapsed, True)
    if episode is None:
        return "none", ""
    return episode.mood, episode.reason  # type: ignore[return-value]


def log_mood(fly_app: str, elapsed: float, *, bad_release: bool = True) -> tuple[LogMood, str]:
    episode = _episode(fly_app, elapsed, bad_release)
    if episode is None:
        return "normal", ""
    return "errors", episode.reason
