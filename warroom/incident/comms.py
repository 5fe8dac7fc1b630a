"""Communication templates filled from the incident: status-page text and the e-mail.

Who uses what: the comms screen and `warroom status-text` call `fields_for` to learn what the
incident can fill by itself, `missing_fields` to learn what a person must still type, and
`render` (or `status_text`) to produce the exact text that is copied or printed. A template
is never rendered with a hole: a placeholder without a value raises `MissingFields`, so an
unfilled `{description}` can never reach a status page.

Pure: no I/O, no Textual, no clock — `now` is always passed in.
"""

from __future__ import annotations

import contextlib
import string
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from warroom.playbook import POSTMORTEM_FIELDS, KeyMoment, Playbook, Template
from warroom.safetext import message_text

MOMENT_LABELS: dict[KeyMoment, str] = {
    "detected": "Issue detected",
    "identified": "Root cause identified",
    "mitigated": "Fix deployed",
    "resolved": "Verified resolved",
}
"""How each key moment reads in the "Resolved" update's timeline: `- 14:05 UTC: Issue detected`."""


class IncidentLike(Protocol):
    """The parts of `warroom.incident.IncidentState` that comms reads."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def declared_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def moments(self) -> Mapping[KeyMoment, datetime]: ...
    @property
    def fields(self) -> Mapping[str, str]: ...


class UnknownTemplate(LookupError):
    """No template by that name; `known` lists the names the playbook has."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"There is no template {name!r}; known templates: {', '.join(known)}.")
        self.name = name
        self.known = known


class MissingFields(ValueError):
    """The template needs placeholders nobody has filled yet; `names` in template order."""

    def __init__(self, template: str, names: list[str]) -> None:
        super().__init__(f"Template {template!r} still needs: {', '.join(names)}.")
        self.template = template
        self.names = names


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def clock(moment: datetime, zone: str, *, today: datetime | None = None) -> str:
    """'14:05 UTC' in the display zone; the date is added when it is not `today`'s date."""
    local = _local(moment, zone)
    text = f"{local:%H:%M} {local.tzname()}"
    if today is not None and _local(today, zone).date() != local.date():
        text = f"{local:%Y-%m-%d} {text}"
    return text


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day(moment: datetime, zone: str) -> str:
    """'1 May 2024' in the display zone (English month names, as status pages are)."""
    local = _local(moment, zone)
    month = _MONTHS[local.month - 1]
    return f"{local.day} {month} {local.year}"


def started_at(state: IncidentLike) -> datetime:
    """When the incident began: the detected moment when set and earlier, else declaration."""
    detected = state.moments.get("detected")
    if detected is not None and detected < state.declared_at:
        return detected
    return state.declared_at


def key_moment_timeline(state: IncidentLike, zone: str) -> str:
    """'- 14:05 UTC: Issue detected' lines for the key moments known, in time order.

    Declaring an incident implies it was detected, and resolving it implies it was verified,
    so those two fall back to the declaration and resolution times.
    """
    moments: dict[KeyMoment, datetime] = dict(state.moments)
    moments.setdefault("detected", started_at(state))
    if state.resolved_at is not None:
        moments.setdefault("resolved", state.resolved_at)
    first = min(moments.values())
    ordered = sorted(
        (at, MOMENT_LABELS.get(name, name)) for name, at in moments.items() if name in MOMENT_LABELS
    )
    return "\n".join(f"- {clock(at, zone, today=first)}: {label}" for at, label in ordered)


def fields_for(state: IncidentLike, playbook: Playbook, *, now: datetime) -> dict[str, str]:
    """Every placeholder the incident can fill, with its text.

    Values remembered on the incident (`field.set` events) win over derived ones, except the
    clock-driven `next_update`. Placeholders with no value are left out, never set to "".
    """
    settings = playbook.settings
    zone = settings.display_timezone
    started = started_at(state)
    filled: dict[str, str] = {
        "description": state.title,
        "started": clock(started, zone, today=now),
        "date": day(started, zone),
        "time": clock(started, zone),
        "timeline": key_moment_timeline(state, zone),
        "product": settings.product,
        "incident_id": state.id,
        "severity": state.severity,
        "postmortem_link": settings.postmortem_link,
    }
    filled.update({name: value for name, value in state.fields.items() if value.strip()})
    # The text being copied is itself a status update, so the promise is counted from now.
    filled["next_update"] = clock(now + settings.status_update_interval, zone, today=now)
    return {name: value for name, value in filled.items() if value.strip()}


def placeholders(template: Template) -> list[str]:
    """Placeholder names used by the template's subject and body, first use first."""
    names: list[str] = []
    for source in (template.subject, template.text):
        for _literal, name, _spec, _conversion in string.Formatter().parse(source):
            if name is not None and name not in names:
                names.append(name)
    return names


def missing_fields(template: Template, filled: Mapping[str, str]) -> list[str]:
    """Placeholders of `template` that `filled` has no non-blank value for, in template order."""
    return [name for name in placeholders(template) if not filled.get(name, "").strip()]


Piece = tuple[str, str | None]
"""A run of the text as it is sent, and the placeholder it leaves open: `("", name)` is a hole
(`name` has no value), every other piece has None there."""


def _pieces(source: str, filled: Mapping[str, str]) -> list[Piece]:
    # Built by hand rather than str.format so that `{a.b}` or `{a[0]}` can never reach into
    # objects, and a value containing braces is never re-read as a template.
    out: list[Piece] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(source):
        out.append((literal, None))
        if name is not None:
            value = filled.get(name, "")
            out.append((message_text(value), None) if value.strip() else ("", name))
    return out


def pieces(template: Template, filled: Mapping[str, str]) -> list[Piece]:
    """The text of `template` with `filled` values, in pieces: the one place the text is made.

    `render` joins them; the comms preview shows them, marking the holes, so the preview is
    the copied text character for character (a value that is all escape sequences is sent
    as nothing, and shown as nothing). A template with a subject (the e-mail) starts
    with a `Subject: …` line and a blank line, as an e-mail is written, so one paste carries
    both.
    """
    body = _pieces(template.text, filled)
    if not template.subject:
        return body
    return [("Subject: ", None), *_pieces(template.subject, filled), ("\n\n", None), *body]


def _fill(source: str, filled: Mapping[str, str]) -> str:
    return "".join(text for text, _hole in _pieces(source, filled))


def render(template: Template, filled: Mapping[str, str]) -> str:
    """The exact text of `template` with `filled` values; raises `MissingFields` on any hole."""
    missing = missing_fields(template, filled)
    if missing:
        raise MissingFields(template.name, missing)
    return "".join(text for text, _hole in pieces(template, filled))


def editable_fields(template: Template, state: IncidentLike) -> list[str]:
    """Placeholders of `template` a person filled before that can be corrected before a copy:
    the values remembered with `field.set`, and `description`, the incident's title (a
    correction of it renames the incident). In template order."""
    return [
        name
        for name in placeholders(template)
        if name == "description" or state.fields.get(name, "").strip()
    ]


def status_warning(template: Template, state: IncidentLike) -> str:
    """Why `template` does not fit the incident's status now ("" when it fits): the resolved
    update and the e-mail say it is over, which must not reach customers while it is not."""
    if template.for_status == "any":
        return ""
    is_open = state.resolved_at is None
    if template.for_status == "resolved" and is_open:
        return f"{state.id} is still open: this text says the incident is resolved."
    if template.for_status == "open" and not is_open:
        return f"{state.id} is resolved: this text says the incident is still going on."
    return ""


def template_named(playbook: Playbook, name: str) -> Template:
    """The playbook's template `name`, or `UnknownTemplate` listing the known names."""
    try:
        return playbook.templates[name]
    except KeyError:
        raise UnknownTemplate(name, list(playbook.templates)) from None


def status_text(
    state: IncidentLike,
    playbook: Playbook,
    template_name: str,
    *,
    now: datetime,
    extra: Mapping[str, str] | None = None,
) -> str:
    """What copying `template_name` would produce right now (`warroom status-text`).

    `extra` are values given for this one rendering (the CLI's `--set name=value`); they
    win over what the incident remembers. Raises `UnknownTemplate` or `MissingFields`.
    """
    template = template_named(playbook, template_name)
    filled = fields_for(state, playbook, now=now)
    filled.update({k: v for k, v in (extra or {}).items() if v.strip()})
    return render(template, filled)


POSTMORTEM_TODO = "(to be written)"
"""What the post-mortem shows for a section nobody has written yet: it is a draft to edit."""


def duration_text(span: timedelta) -> str:
    """'2 hours 5 minutes', '45 minutes', '1 hour 0 minutes' — whole minutes, never negative."""
    minutes = max(0, int(span.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    minute_text = f"{minutes} minute{'' if minutes == 1 else 's'}"
    if not hours:
        return minute_text
    return f"{hours} hour{'' if hours == 1 else 's'} {minute_text}"


def postmortem_fields(state: IncidentLike, playbook: Playbook, *, now: datetime) -> dict[str, str]:
    """Every post-mortem placeholder: what the incident knows, `POSTMORTEM_TODO` for the rest."""
    filled = fields_for(state, playbook, now=now)
    with contextlib.suppress(KeyError):  # a severity the playbook no longer lists
        filled.setdefault("severity_name", playbook.severity(state.severity).name)
    end = state.moments.get("resolved") or state.resolved_at
    if end is None:
        filled.setdefault("duration", f"{duration_text(now - started_at(state))} so far (open)")
    else:
        filled.setdefault("duration", duration_text(end - started_at(state)))
    if "cause" in filled:
        filled.setdefault("root_cause", filled["cause"])
    for name in POSTMORTEM_FIELDS:
        filled.setdefault(name, POSTMORTEM_TODO)
    return filled


def render_postmortem(state: IncidentLike, playbook: Playbook, *, now: datetime) -> str:
    """The playbook's post-mortem template filled from the incident (a draft: sections with
    nothing recorded read `POSTMORTEM_TODO`). Empty when the playbook has no template."""
    if not playbook.postmortem_template:
        return ""
    return _fill(playbook.postmortem_template, postmortem_fields(state, playbook, now=now))
