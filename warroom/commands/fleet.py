"""What Fly says about an app, read from flyctl's own JSON: its releases (for the rollback)
and its machines (for `<machine-id>`). Pure: the front end runs the commands with
`CommandRun` and hands their output here.

Values for `<placeholders>` come from here or from the keyboard, never from log lines or
HTTP bodies: a release's image ref or a machine's id is what flyctl printed for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from warroom.commands.plan import Runnable, fly_app, runnables
from warroom.playbook import Playbook
from warroom.safetext import visible

RELEASES_SHOWN = 10
_NEVER = datetime.min.replace(tzinfo=UTC)


class FleetError(ValueError):
    """flyctl's answer could not be read; `str(self)` says so in one sentence."""


class Release(NamedTuple):
    """One entry of `fly releases --json`; its text made visible (it came from flyctl)."""

    version: int
    status: str
    user: str
    created: datetime | None
    """None when flyctl gave no readable time: shown as such, never guessed."""
    image: str = ""
    """The image ref (with `--image`), exactly as flyctl printed it: it goes into an argv."""
    description: str = ""


class Machine(NamedTuple):
    id: str
    name: str
    state: str
    region: str


def fly_program(argv: Sequence[str]) -> tuple[str, ...] | None:
    """The part of a playbook argv that runs flyctl (`fly`, `flyctl`, or the demo's
    `python -m warroom.demo.fakefly`), so a feed runs the same program; None if none."""
    if argv and os.path.basename(argv[0]) in ("fly", "flyctl"):
        return (argv[0],)
    if len(argv) >= 3 and tuple(argv[1:3]) == ("-m", "warroom.demo.fakefly"):
        return tuple(argv[:3])
    return None


def releases_argv(program: Sequence[str], app: str) -> tuple[str, ...]:
    return (*program, "releases", "--json", "--image", "--app", app)


def machines_argv(program: Sequence[str], app: str) -> tuple[str, ...]:
    return (*program, "machine", "list", "--json", "--app", app)


def feed_argv(runnable: Runnable, placeholder: str) -> tuple[str, ...] | None:
    """The command whose output offers values for `placeholder` of `runnable`; None when
    the value can only be typed."""
    program, app = fly_program(runnable.argv), fly_app(runnable.argv)
    if program is None or app is None or "<" in app:
        return None
    if placeholder == "machine-id":
        return machines_argv(program, app)
    if placeholder == "image-ref":
        return releases_argv(program, app)
    return None


def _loaded(text: str, what: str) -> list[dict[str, object]]:
    # A run's output holds stderr too: flyctl's "update available" notice may come before
    # or after the JSON, so the list is read from the first line that opens one.
    start = next((i for i, line in enumerate(text.splitlines()) if line.startswith("[")), None)
    if start is None:
        raise FleetError(f"flyctl's {what} are not JSON.")
    body = "\n".join(text.splitlines()[start:])
    try:
        data, _ = json.JSONDecoder().raw_decode(body)
    except ValueError:
        raise FleetError(f"flyctl's {what} are not JSON.") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FleetError(f"flyctl's {what} are not a list of objects.")
    return data


def parse_releases(text: str) -> tuple[Release, ...]:
    """Every entry of `fly releases --json [--image]` output, in flyctl's order (newest
    first); `FleetError` when the output holds no list of objects."""
    return tuple(_release(item) for item in _loaded(text, "releases"))


def deployable(releases: Sequence[Release]) -> tuple[Release, ...]:
    """The releases a rollback can deploy (an image ref and a time), newest first."""
    usable = [r for r in releases if r.image and r.created is not None]
    return tuple(sorted(usable, key=lambda r: r.created or _NEVER, reverse=True))


def _release(item: dict[str, object]) -> Release:
    user = item.get("User")
    email = user.get("Email") if isinstance(user, dict) else ""
    version, image = item.get("Version"), item.get("ImageRef")
    return Release(
        version=version if isinstance(version, int) else 0,
        status=_text(item.get("Status")),
        user=_text(email),
        created=_time(item.get("CreatedAt")),
        # Refused rather than cleaned: a ref with spaces or control characters is no ref.
        image=image if isinstance(image, str) and image.isprintable() and " " not in image else "",
        description=_text(item.get("Description")),
    )


def _text(value: object) -> str:
    return visible(value, limit=80) if isinstance(value, str) else ""


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def running(releases: Sequence[Release]) -> Release | None:
    """The release the app runs: the newest complete one (flyctl marks failed deploys)."""
    return next((r for r in releases if r.status == "complete"), None)


def preselected(releases: Sequence[Release], incident_start: datetime) -> Release | None:
    """The release to roll back to: the newest one made before the incident began that is
    not the one running (deploying what runs changes nothing); None when there is none."""
    current = running(releases)
    for release in releases:
        if release.created is not None and release.created < incident_start and release != current:
            return release
    return None


def parse_machines(text: str) -> tuple[Machine, ...]:
    """`fly machine list --json` output."""
    out: list[Machine] = []
    for item in _loaded(text, "machines"):
        machine_id = item.get("id")
        if not isinstance(machine_id, str) or not machine_id:
            continue
        out.append(
            Machine(
                id=machine_id,
                name=str(item.get("name") or ""),
                state=str(item.get("state") or ""),
                region=str(item.get("region") or ""),
            )
        )
    return tuple(out)


def age(then: datetime, now: datetime) -> str:
    """ "5m ago", "2h ago", "9d ago"."""
    seconds = max((now - then).total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(seconds)}s ago"


def release_label(release: Release, *, now: datetime, current: Release | None) -> str:
    mark = "running" if release == current else ""
    ago = age(release.created, now) if release.created else "?"
    return f"v{release.version:<4} {mark:<7} {ago:>8}  {release.image}"


class Rollback(NamedTuple):
    """A playbook command that deploys `<image-ref>` to one app, and how to list its images."""

    app: str
    runnable: Runnable
    releases_argv: tuple[str, ...]


def rollbacks(playbook: Playbook) -> tuple[Rollback, ...]:
    """One per Fly app the playbook can deploy an image to (`fly deploy --app A --image
    <image-ref>` among its emergency commands), in the playbook's order."""
    out: dict[str, Rollback] = {}
    for runnable in runnables(playbook):
        program, app = fly_program(runnable.argv), fly_app(runnable.argv)
        if program is None or app is None or app in out:
            continue
        rest = runnable.argv[len(program) :]
        if rest[:1] == ("deploy",) and "<image-ref>" in rest:
            out[app] = Rollback(app, runnable, releases_argv(program, app))
    return tuple(out.values())
