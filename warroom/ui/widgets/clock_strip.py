"""The clock strip under the header: the incident's countdowns, always on screen.

Response target, next status update and next escalation, each as words
and symbols (✓ ✗ ⚠) so they read the same without colour. Everything shown is computed by
`warroom.incident.clocks.clocks`, which the screen counts once a second and binds here.
"""

from __future__ import annotations

from datetime import timedelta

from textual.reactive import var

from warroom.incident.clocks import Clocks, EscalationClock, ResponseClock, UpdateClock, span
from warroom.ui.widgets.part_line import Part, PartLine

_HOUR = timedelta(hours=1)


def window_label(start: timedelta, end: timedelta) -> str:
    """A phase window as the playbook's reader says it: '5–15 min', '24–48 h'."""
    if end > 2 * _HOUR and start % _HOUR == timedelta(0) and end % _HOUR == timedelta(0):
        return f"{start // _HOUR}–{end // _HOUR} h"
    return f"{int(start.total_seconds()) // 60}–{int(end.total_seconds()) // 60} min"


def response_text(clock: ResponseClock | None, *, short: bool = False) -> tuple[str, bool]:
    """The response target in words, and whether it was missed; `short` for the strip."""
    if clock is None:
        return "Response: no target", False
    target = "" if short else f" (target {span(clock.target)})"
    if clock.met is True and clock.response_time is not None:
        return f"Response ✓ met in {span(clock.response_time)}{target}", False
    if clock.met is False and clock.response_time is not None:
        return f"Response ✗ late: {span(clock.response_time)}{target}", True
    if clock.met is False:
        return f"Response ✗ MISSED +{span(-clock.remaining)}{target}", True
    return f"Response due in {span(clock.remaining)}{target}", False


def update_text(clock: UpdateClock) -> tuple[str, bool]:
    """The next status update in words, and whether it is overdue."""
    if not clock.active:
        return "Updates: none due (resolved)", False
    if clock.overdue:
        return f"⚠ UPDATE OVERDUE +{span(-clock.remaining)}", True
    return f"Next update in {span(clock.remaining)}", False


def escalation_text(clock: EscalationClock, *, contact: bool = True) -> tuple[str, bool]:
    """The next escalation in words (who, when), and whether it is overdue."""
    if clock.current is None:
        return "Escalation: no ladder", False
    if clock.next is None:
        return f"Escalated to the top: {clock.current.name}", False
    who = clock.next.name
    if contact and clock.next.contact:
        who += f" ({clock.next.contact})"
    if clock.remaining is None:
        return f"Next level: {who}", False
    if clock.overdue:
        return f"⚠ ESCALATE → {who} +{span(-clock.remaining)}", True
    return f"Escalate → {who} in {span(clock.remaining)}", False


class ClockStrip(PartLine):
    """One line of countdowns: response, next update, escalation (the phases have the
    `PhaseStrip` under it).

    A clock that has run out is styled `clock-strip--overdue`, so the theme can flag it;
    the words already say it.
    """

    COMPONENT_CLASSES = {"clock-strip--overdue"}
    DEFAULT_CSS = """
    ClockStrip {
        height: 1;
        background: $boost;
        .clock-strip--overdue { background: $error; color: $text; text-style: bold; }
    }
    """

    clocks: var[Clocks | None] = var(None, always_update=True)
    """The incident's clocks, counted by the screen every second."""

    def watch_clocks(self, at: Clocks | None) -> None:
        if at is None:
            return
        self.show(
            Part(name, text, "clock-strip--overdue" if overdue else "")
            for name, (text, overdue) in (
                # Short forms: the strip must fit 80 columns; the panel has the long ones.
                ("response", response_text(at.response, short=True)),
                ("update", update_text(at.update)),
                ("escalation", escalation_text(at.escalation, contact=False)),
            )
        )
