"""Templates filled from a real derived incident and the shipped playbook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.comms import DECLARED, NOW
from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.incident import Event, IncidentState, comms, derive
from warroom.playbook import TEMPLATE_NAMES, Playbook, Template, load_playbook

INCIDENT = "INC-20240501-001"


@pytest.fixture(scope="module")
def shipped() -> Playbook:
    return load_playbook(SHIPPED_PLAYBOOK)


def in_zone(playbook: Playbook, zone: str, **settings: Any) -> Playbook:
    return playbook._replace(
        settings=playbook.settings._replace(display_timezone=zone, **settings),
    )


def incident(playbook: Playbook, *facts: tuple[timedelta, str, dict[str, Any]]) -> IncidentState:
    events = [
        Event(
            1,
            INCIDENT,
            DECLARED,
            "incident.declared",
            "ana",
            {"title": "Login fails", "severity": "P1"},
        )
    ]
    for number, (offset, kind, payload) in enumerate(facts, start=2):
        events.append(Event(number, INCIDENT, DECLARED + offset, kind, "ana", payload))
    return derive(events, playbook)


def moment(name: str, minutes: int) -> tuple[timedelta, str, dict[str, Any]]:
    at = (DECLARED + timedelta(minutes=minutes)).isoformat()
    return (timedelta(minutes=minutes), "moment.set", {"moment": name, "at": at})


def field(name: str, value: str) -> tuple[timedelta, str, dict[str, Any]]:
    return (timedelta(minutes=1), "field.set", {"name": name, "value": value})


def test_investigating_is_filled_from_the_incident_alone(shipped: Playbook) -> None:
    state = incident(shipped)
    text = comms.status_text(state, shipped, "investigating", now=NOW)
    assert text == (
        "🔴 We're investigating reports of Login fails.\n"
        "Our team is working to resolve this as quickly as possible.\n"
        "\n"
        "Status: Investigating\n"
        "Started: 14:05 UTC\n"
        "Next update: 15:10 UTC"
    )


def test_description_set_on_the_incident_replaces_the_title(shipped: Playbook) -> None:
    state = incident(shipped, field("description", "slow sign-ins for EU users"))
    text = comms.status_text(state, shipped, "investigating", now=NOW)
    assert "reports of slow sign-ins for EU users." in text
    assert "Login fails" not in text


def test_a_template_with_an_unfilled_placeholder_is_never_rendered(shipped: Playbook) -> None:
    state = incident(shipped)
    with pytest.raises(comms.MissingFields) as raised:
        comms.status_text(state, shipped, "identified", now=NOW)
    assert raised.value.names == ["cause"]
    filled = comms.fields_for(state, shipped, now=NOW)
    assert comms.missing_fields(shipped.templates["identified"], filled) == ["cause"]


def test_blank_values_count_as_missing(shipped: Playbook) -> None:
    state = incident(shipped, field("cause", "   "))
    with pytest.raises(comms.MissingFields, match="cause"):
        comms.status_text(state, shipped, "identified", now=NOW)


def test_identified_uses_the_remembered_cause(shipped: Playbook) -> None:
    state = incident(shipped, field("cause", "an expired signing key at Clerk"))
    text = comms.status_text(state, shipped, "identified", now=NOW)
    assert "Cause: an expired signing key at Clerk\n" in text
    assert text.endswith("Next update: 15:10 UTC")


def test_resolved_timeline_lists_key_moments_in_time_order(shipped: Playbook) -> None:
    linked = in_zone(shipped, "UTC", postmortem_link="https://example.com/pm/1")
    state = incident(
        linked,
        moment("identified", 20),
        moment("mitigated", 31),
        (timedelta(minutes=45), "incident.resolved", {}),
    )
    text = comms.status_text(state, linked, "resolved", now=NOW)
    assert (
        "Timeline:\n"
        "- 14:05 UTC: Issue detected\n"
        "- 14:25 UTC: Root cause identified\n"
        "- 14:36 UTC: Fix deployed\n"
        "- 14:50 UTC: Verified resolved\n"
        "\n"
    ) in text
    assert text.endswith("Post-mortem: https://example.com/pm/1")


def test_postmortem_link_on_the_incident_wins_over_settings(shipped: Playbook) -> None:
    linked = in_zone(shipped, "UTC", postmortem_link="https://example.com/default")
    state = incident(linked, field("postmortem_link", "https://example.com/pm/7"))
    text = comms.status_text(state, linked, "resolved", now=NOW)
    assert text.endswith("Post-mortem: https://example.com/pm/7")


def test_resolved_without_a_postmortem_link_asks_for_it(shipped: Playbook) -> None:
    assert shipped.settings.postmortem_link == ""
    with pytest.raises(comms.MissingFields) as raised:
        comms.status_text(incident(shipped), shipped, "resolved", now=NOW)
    assert raised.value.names == ["postmortem_link"]


def test_email_carries_subject_date_time_and_product(shipped: Playbook) -> None:
    state = incident(
        shipped,
        field("impact", "Nobody could sign in."),
        field("resolution", "We rotated the key."),
        field("prevention", "An alert on key expiry."),
    )
    text = comms.status_text(state, shipped, "email", now=NOW)
    assert text.startswith("Subject: [Resolved] Service Disruption on 1 May 2024\n\nHi there,\n")
    assert "experienced on 1 May 2024 at 14:05 UTC." in text
    assert "What happened:\nLogin fails\n" in text
    assert "Impact:\nNobody could sign in.\n" in text
    assert text.endswith("The Slurpy Team")


def test_times_follow_the_display_zone_and_name_it(shipped: Playbook) -> None:
    # 14:05 UTC on 1 May is 10:05 in New York (EDT) and 23:05 in Tokyo (JST).
    new_york = in_zone(shipped, "America/New_York")
    text = comms.status_text(incident(new_york), new_york, "investigating", now=NOW)
    assert "Started: 10:05 EDT\nNext update: 11:10 EDT" in text

    tokyo = in_zone(shipped, "Asia/Tokyo")
    filled = comms.fields_for(incident(tokyo), tokyo, now=NOW)
    assert filled["started"] == "23:05 JST"
    # The next update falls on the next local day, so the date is shown with it.
    assert filled["next_update"] == "2024-05-02 00:10 JST"
    assert filled["date"] == "1 May 2024"


def test_a_start_on_an_earlier_day_shows_its_date(shipped: Playbook) -> None:
    filled = comms.fields_for(incident(shipped), shipped, now=NOW + timedelta(days=1))
    assert filled["started"] == "2024-05-01 14:05 UTC"


def test_an_earlier_detection_is_when_the_incident_started(shipped: Playbook) -> None:
    state = incident(shipped, moment("detected", -12))
    filled = comms.fields_for(state, shipped, now=NOW)
    assert filled["started"] == "13:53 UTC"
    assert filled["timeline"] == "- 13:53 UTC: Issue detected"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_shipped_template_renders_without_holes_once_filled(
    shipped: Playbook, name: str
) -> None:
    template = shipped.templates[name]
    state = incident(shipped)
    filled = comms.fields_for(state, shipped, now=NOW)
    typed = {missing: f"<{missing} typed>" for missing in comms.missing_fields(template, filled)}
    text = comms.render(template, {**filled, **typed})
    assert "{" not in text and "}" not in text
    assert "[" not in text.replace("[Resolved]", "")
    for value in typed.values():
        assert value in text


def test_unknown_template_lists_the_known_names(shipped: Playbook) -> None:
    with pytest.raises(comms.UnknownTemplate) as raised:
        comms.status_text(incident(shipped), shipped, "apology", now=NOW)
    assert raised.value.known == list(TEMPLATE_NAMES)
    assert "investigating" in str(raised.value)


def test_extra_values_fill_missing_fields_for_one_rendering(shipped: Playbook) -> None:
    state = incident(shipped)
    text = comms.status_text(state, shipped, "identified", now=NOW, extra={"cause": "DNS"})
    assert "Cause: DNS\n" in text


def test_values_are_never_read_as_template_syntax_or_terminal_controls() -> None:
    template = Template(name="investigating", title="t", text="A {description} B")
    text = comms.render(template, {"description": "{cause} and \x1b]52;c;aGk=\x07 {0.x}"})
    # The whole sequence goes, not only its ESC and BEL: "]52;c;aGk=" would reach customers.
    assert text == "A {cause} and  {0.x} B"


def test_template_attribute_access_is_not_evaluated() -> None:
    template = Template(name="investigating", title="t", text="{description.upper}")
    assert comms.missing_fields(template, {"description": "x"}) == ["description.upper"]


def test_postmortem_is_filled_from_the_incident_and_marks_unwritten_sections(
    shipped: Playbook,
) -> None:
    state = incident(
        shipped,
        moment("identified", 20),
        moment("mitigated", 31),
        (timedelta(minutes=125), "incident.resolved", {}),
        field("cause", "An expired signing key."),
        field("went_well", "- Quick detection"),
    )
    text = comms.render_postmortem(state, shipped, now=NOW + timedelta(hours=3))
    assert text.startswith(f"# Post-mortem: {INCIDENT}\n")
    assert "**Severity**: P1 (High)\n" in text
    assert "**Duration**: 2 hours 5 minutes\n" in text
    assert "## Timeline\n- 14:05 UTC: Issue detected\n- 14:25 UTC: Root cause identified\n" in text
    assert "## Root Cause\nAn expired signing key.\n" in text
    assert "## What Went Well\n- Quick detection\n" in text
    assert f"## Lessons Learned\n{comms.POSTMORTEM_TODO}\n" in text
    assert "{" not in text


def test_postmortem_of_an_open_incident_says_so(shipped: Playbook) -> None:
    text = comms.render_postmortem(incident(shipped), shipped, now=NOW)
    assert "**Duration**: 50 minutes so far (open)\n" in text


def test_what_is_sent_keeps_emoji_whole_and_drops_sequences_whole() -> None:
    template = Template(name="investigating", title="t", text="{description}")
    hostile = "Hack \x1b]52;c;SGFjaw==\x07 \x1b[31mred\x1b[0m 👩\u200d💻 \u202eevil"
    assert comms.render(template, {"description": hostile}) == "Hack  red 👩\u200d💻 evil"


def test_the_pieces_are_the_text_and_mark_each_hole(shipped: Playbook) -> None:
    template = shipped.templates["email"]
    filled = comms.fields_for(incident(shipped, field("impact", "No sign-ins.")), shipped, now=NOW)
    pieces = comms.pieces(template, filled)
    assert [(text, hole) for text, hole in pieces if hole is not None] == [
        ("", "resolution"),
        ("", "prevention"),
    ]
    assert pieces[:2] == [("Subject: ", None), ("[Resolved] Service Disruption on ", None)]
    complete = {**filled, "resolution": "Rotated", "prevention": "Alerts"}
    assert "".join(text for text, _ in comms.pieces(template, complete)) == comms.render(
        template, complete
    )
    # All escape sequences: sent as nothing, so shown as nothing, not as a hole.
    assert comms.pieces(Template("investigating", "t", "[{cause}]"), {"cause": "\x1b[2J"}) == [
        ("[", None),
        ("", None),
        ("]", None),
    ]


def test_fields_filled_before_and_the_title_are_editable_in_template_order(
    shipped: Playbook,
) -> None:
    state = incident(shipped, field("cause", "DNS"), field("impact", "   "))
    assert comms.editable_fields(shipped.templates["identified"], state) == [
        "description",
        "cause",
    ]
    # A blank value was never filled: it is a hole to type, not a value to correct.
    assert comms.editable_fields(shipped.templates["email"], state) == ["description"]


def test_a_rename_is_the_description_even_after_one_was_set(shipped: Playbook) -> None:
    state = incident(
        shipped,
        field("description", "slow sign-ins"),
        (timedelta(minutes=2), "incident.renamed", {"title": "Sign-ins fail for SSO users"}),
    )
    text = comms.status_text(state, shipped, "investigating", now=NOW)
    assert "reports of Sign-ins fail for SSO users." in text


def test_the_resolved_texts_warn_while_the_incident_is_open(shipped: Playbook) -> None:
    assert [shipped.templates[name].for_status for name in TEMPLATE_NAMES] == [
        "open",
        "open",
        "open",
        "resolved",
        "resolved",
    ]
    open_ = incident(shipped)
    resolved = incident(shipped, (timedelta(minutes=30), "incident.resolved", {}))
    for name in ("resolved", "email"):
        warning = comms.status_warning(shipped.templates[name], open_)
        assert warning == f"{INCIDENT} is still open: this text says the incident is resolved."
        assert comms.status_warning(shipped.templates[name], resolved) == ""
    assert comms.status_warning(shipped.templates["investigating"], open_) == ""
    assert "is resolved" in comms.status_warning(shipped.templates["investigating"], resolved)
    anytime = shipped.templates["resolved"]._replace(for_status="any")
    assert comms.status_warning(anytime, open_) == ""
