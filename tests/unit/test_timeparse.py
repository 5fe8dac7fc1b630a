"""warroom.timeparse: every form a responder types, each day rule, daylight saving, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from warroom.timeparse import DayRule, parse_time

BERLIN = "Europe/Berlin"
NIGHT = datetime(2025, 3, 4, 23, 50, tzinfo=UTC)
"""23:50 UTC; a quarter to one the next morning in Berlin (CET, +01:00)."""


def read(
    text: str,
    rule: DayRule = DayRule.NEAREST,
    *,
    near: datetime = NIGHT,
    zone: str | tzinfo = "UTC",
    allow_future: bool = True,
) -> datetime:
    return parse_time(text, zone=zone, near=near, rule=rule, allow_future=allow_future)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:40", datetime(2025, 3, 4, 23, 40, tzinfo=UTC)),
        ("9:05", datetime(2025, 3, 4, 9, 5, tzinfo=UTC)),
        ("23:40:30", datetime(2025, 3, 4, 23, 40, 30, tzinfo=UTC)),
        ("23:40:30.25", datetime(2025, 3, 4, 23, 40, 30, 250_000, tzinfo=UTC)),
        ("  23:40  ", datetime(2025, 3, 4, 23, 40, tzinfo=UTC)),
        ("2025-03-01 08:00", datetime(2025, 3, 1, 8, 0, tzinfo=UTC)),
        ("2025-03-01 08:00:09", datetime(2025, 3, 1, 8, 0, 9, tzinfo=UTC)),
        ("2025-03-01T08:00:09Z", datetime(2025, 3, 1, 8, 0, 9, tzinfo=UTC)),
        ("2025-03-01T08:00:09+02:00", datetime(2025, 3, 1, 6, 0, 9, tzinfo=UTC)),
    ],
)
def test_each_form_reads_as_an_aware_utc_time(text: str, expected: datetime) -> None:
    at = read(text, DayRule.LATEST_NOT_AFTER)
    assert at == expected and at.tzinfo is UTC


def test_times_without_an_offset_are_read_in_the_display_zone() -> None:
    assert read("00:40", zone=BERLIN) == datetime(2025, 3, 4, 23, 40, tzinfo=UTC)
    assert read("2025-03-01 08:00", zone=BERLIN) == datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
    # An explicit offset wins over the zone.
    assert read("2025-03-01T08:00Z", zone=BERLIN) == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    # A tzinfo works as well as a zone name.
    plus_five = timezone(timedelta(hours=5))
    assert read("05:00", zone=plus_five) == datetime(2025, 3, 5, 0, 0, tzinfo=UTC)


def test_nearest_crosses_midnight_either_way() -> None:
    # 00:10 typed for 23:50 is twenty minutes later, on the next day...
    assert read("00:10") == datetime(2025, 3, 5, 0, 10, tzinfo=UTC)
    # ...and 23:50 typed for 00:10 is twenty minutes earlier, on the day before.
    just_after = datetime(2025, 3, 5, 0, 10, tzinfo=UTC)
    assert read("23:50", near=just_after) == datetime(2025, 3, 4, 23, 50, tzinfo=UTC)
    # Twelve hours either way is a tie: near's own day.
    noon = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    assert read("00:00", near=noon) == datetime(2025, 3, 4, 0, 0, tzinfo=UTC)


def test_latest_not_after_never_lands_after_near() -> None:
    just_after = datetime(2025, 3, 5, 0, 10, tzinfo=UTC)
    rule = DayRule.LATEST_NOT_AFTER
    assert read("00:05", rule, near=just_after) == datetime(2025, 3, 5, 0, 5, tzinfo=UTC)
    assert read("00:10", rule, near=just_after) == just_after
    # 00:20 has not happened yet today, so it is yesterday's, where NEAREST says today's.
    assert read("00:20", rule, near=just_after) == datetime(2025, 3, 4, 0, 20, tzinfo=UTC)
    assert read("00:20", near=just_after) == datetime(2025, 3, 5, 0, 20, tzinfo=UTC)
    assert read("23:50", rule, near=just_after) == datetime(2025, 3, 4, 23, 50, tzinfo=UTC)


def test_same_day_stays_on_nears_day_in_the_zone() -> None:
    rule = DayRule.SAME_DAY
    # NIGHT is already 5 March in Berlin, so 23:00 there is late on the 5th.
    assert read("23:00", rule, zone=BERLIN) == datetime(2025, 3, 5, 22, 0, tzinfo=UTC)
    assert read("23:00", rule) == datetime(2025, 3, 4, 23, 0, tzinfo=UTC)


def test_a_wall_time_the_clocks_skipped_is_refused() -> None:
    # Berlin went from 02:00 CET straight to 03:00 CEST on 30 March 2025 (01:00 UTC).
    morning = datetime(2025, 3, 30, 8, 0, tzinfo=UTC)
    for rule in DayRule:
        with pytest.raises(ValueError, match="never happened on 2025-03-30"):
            read("02:30", rule, near=morning, zone=BERLIN)
    with pytest.raises(ValueError, match="skipped"):
        read("2025-03-30 02:30", near=morning, zone=BERLIN)
    # Either side of the jump, and with an offset, reads fine.
    assert read("01:59", near=morning, zone=BERLIN) == datetime(2025, 3, 30, 0, 59, tzinfo=UTC)
    assert read("03:00", near=morning, zone=BERLIN) == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    with_offset = read("2025-03-30T02:30+01:00", near=morning, zone=BERLIN)
    assert with_offset == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


def test_a_day_with_a_missing_hour_still_picks_the_right_day() -> None:
    # The 23-hour day: late evening times still land on the right side of midnight.
    after = datetime(2025, 3, 30, 21, 30, tzinfo=UTC)  # 23:30 CEST
    assert read("22:30", near=after, zone=BERLIN) == datetime(2025, 3, 30, 20, 30, tzinfo=UTC)
    rule = DayRule.LATEST_NOT_AFTER
    assert read("23:45", rule, near=after, zone=BERLIN) == datetime(
        2025,
        3,
        29,
        22,
        45,
        tzinfo=UTC,  # 23:45 CET the night before
    )


def test_a_wall_time_seen_twice_goes_by_the_rule() -> None:
    # Berlin ran 02:00-03:00 twice on 26 October 2025: CEST (00:xx UTC), then CET (01:xx UTC).
    second_pass = datetime(2025, 10, 26, 1, 40, tzinfo=UTC)  # 02:40 CET
    rule = DayRule.LATEST_NOT_AFTER
    assert read("02:30", rule, near=second_pass, zone=BERLIN) == datetime(
        2025, 10, 26, 1, 30, tzinfo=UTC
    )
    # 02:50 CET is still to come, so it is the 02:50 CEST an hour earlier.
    assert read("02:50", rule, near=second_pass, zone=BERLIN) == datetime(
        2025, 10, 26, 0, 50, tzinfo=UTC
    )
    first_pass = datetime(2025, 10, 26, 0, 20, tzinfo=UTC)  # 02:20 CEST
    assert read("02:30", near=first_pass, zone=BERLIN) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert read("2025-10-26 02:30", near=second_pass, zone=BERLIN) == datetime(
        2025, 10, 26, 1, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "No time typed"),
        ("   ", "No time typed"),
        ("soon", "Can't read 'soon'"),
        ("9", "HH:MM"),
        ("12:5", "HH:MM"),
        ("12:05:", "HH:MM"),
        ("2025-13-01 10:00", "HH:MM"),
        ("24:00", "not a time of day"),
        ("23:60", "not a time of day"),
        ("23:59:60", "not a time of day"),
    ],
)
def test_garbage_says_what_to_type(text: str, says: str) -> None:
    for rule in DayRule:
        with pytest.raises(ValueError, match=says):
            read(text, rule)


def test_typed_text_is_quoted_back_short_and_harmless() -> None:
    with pytest.raises(ValueError) as caught:
        read("\x1b]52;c;aGk=\x07" + "x" * 500)
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message and "␛" in message
    assert len(message) < 250


def test_future_times_are_refused_only_when_asked() -> None:
    later = "2025-03-05 09:00"
    assert read(later) == datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="in the future"):
        read(later, allow_future=False)
    with pytest.raises(ValueError, match="in the future"):
        read("00:10", DayRule.NEAREST, allow_future=False)
    # The rule that never goes past `near` never trips it; `near` itself is not the future.
    assert read("00:10", DayRule.LATEST_NOT_AFTER, allow_future=False) == datetime(
        2025, 3, 4, 0, 10, tzinfo=UTC
    )
    assert read("23:50", allow_future=False) == NIGHT


def test_near_must_be_aware() -> None:
    with pytest.raises(TypeError):
        read("10:00", near=datetime(2025, 3, 4, 12, 0))
