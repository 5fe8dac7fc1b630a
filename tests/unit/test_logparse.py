from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warroom.demo.fakefly import format_entry
from warroom.logs.buffer import LogBuffer
from warroom.logs.filter import FilterError, FilterSpec
from warroom.logs.parse import JsonParser, entry_levels, parse_line
from warroom.safetext import SgrStripper, strip_sgr, visible

LINE = (
    "\x1b[2m2026-11-29T02:41:07Z\x1b[0m app[48e42d6f7573e8] \x1b[32miad\x1b[0m "
    "[\x1b[31merror\x1b[0m]\x1b[2merror.code=\x1b[0m1 Traceback (most recent call last):"
)


def test_plain_entry_with_colours_and_fields() -> None:
    record = parse_line("backend", strip_sgr(LINE))
    assert record.time == datetime(2026, 11, 29, 2, 41, 7, tzinfo=UTC)
    assert (record.provider, record.instance, record.region) == ("app", "48e42d6f7573e8", "iad")
    assert record.level == "error"
    assert record.fields == {"error.code": "1"}
    assert record.message == "Traceback (most recent call last):"


def test_runner_empty_provider_and_error_message_prefix() -> None:
    runner = parse_line("b", "2022-09-16T10:37:48Z runner[9080517f159287] iad [info]Reserved x")
    assert runner.provider == "runner" and runner.message == "Reserved x"
    bare = parse_line("b", "2022-09-16T10:37:48Z  iad []no origin")
    assert (bare.provider, bare.instance, bare.level, bare.message) == ("", "", "", "no origin")
    prefixed = parse_line(
        "b", 'error.message="db down" 2026-11-29T02:41:07Z app[1] iad [error]error.code=1 '
    )
    assert prefixed.time is not None and prefixed.message == "db down"


def test_continuation_inherits_entry_and_noise_is_kept_raw() -> None:
    entry = strip_sgr(LINE)
    cont = parse_line("b", '  File "/app/x.py", line 1', parent=entry)
    assert cont.continued and cont.level == "error" and cont.time is not None
    noise = parse_line("b", "Waiting for logs...")
    assert noise.time is None and noise.raw == "Waiting for logs..." and not noise.continued


def test_json_objects_become_lines_and_garbage_is_kept() -> None:
    parser = JsonParser()
    obj = [
        "{",
        '    "level": "warn",',
        '    "instance": "148e21ea7e5389",',
        '    "message": "slow\\nsecond line",',
        '    "region": "iad",',
        '    "timestamp": "2026-01-01T12:00:00.123456789Z",',
        '    "meta": {"Event": {"Provider": "app"}}',
        "}",
    ]
    lines = parser.feed(obj[:3]) + parser.feed([*obj[3:], "not json", "{", "oops", "}"])
    assert lines[0] == "2026-01-01T12:00:00.123456789Z app[148e21ea7e5389] iad [warn]slow"
    assert lines[1:] == ["second line", "not json", "{", "oops", "}"]
    record = parse_line("b", lines[0])
    assert record.level == "warn" and record.time == datetime(
        2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC
    )


def _buffer(lines: list[tuple[str, str]], max_lines: int = 100) -> LogBuffer:
    buffer = LogBuffer(max_lines)
    for source, line in lines:
        buffer.extend(source, [line])
    return buffer


SAMPLE = [
    ("front", "2026-01-01T00:00:01Z app[aaaaaaaa] iad [info]GET / 200 5ms"),
    ("back", "2026-01-01T00:00:02Z app[bbbbbbbb] iad [error]DB timeout"),
    ("back", "  continuation of the timeout"),
    ("front", "2026-01-01T00:00:03Z app[aaaaaaaa] iad [warn]GET /health 503 slow"),
    ("back", "2026-01-01T00:00:04Z app[bbbbbbbb] iad [debug]Timeout config loaded"),
]


def _shown(buffer: LogBuffer, spec: FilterSpec) -> list[str]:
    buffer.set_filter(spec.compile())
    return [buffer.row(i).raw.split("]", 2)[-1] for i in range(buffer.match_count)]


def test_filters_include_exclude_case_level_source() -> None:
    buffer = _buffer(SAMPLE)
    assert _shown(buffer, FilterSpec(include=("timeout", "503"))) == [
        "DB timeout",
        "  continuation of the timeout",
        "GET /health 503 slow",
        "Timeout config loaded",
    ]
    assert len(_shown(buffer, FilterSpec(include=("timeout",), ignore_case=False))) == 2
    assert len(_shown(buffer, FilterSpec(include=("Timeout",), ignore_case=False))) == 1
    assert _shown(buffer, FilterSpec(include=("timeout",), exclude=("config|contin",))) == [
        "DB timeout"
    ]
    # The continuation inherits "error" from its entry and passes a warn floor.
    assert _shown(buffer, FilterSpec(min_level="warn")) == [
        "DB timeout",
        "  continuation of the timeout",
        "GET /health 503 slow",
    ]
    assert len(_shown(buffer, FilterSpec(sources=frozenset({"front"})))) == 2


def test_invalid_regex_raises_and_buffer_keeps_old_filter() -> None:
    buffer = _buffer(SAMPLE)
    buffer.set_filter(FilterSpec(include=("GET",)).compile())
    with pytest.raises(FilterError, match=r"include pattern '\(oops'"):
        buffer.set_filter(FilterSpec(include=("(oops",)).compile())
    assert buffer.match_count == 2
    with pytest.raises(FilterError, match="unknown level"):
        FilterSpec(min_level="loud").compile()


def test_query_round_trip() -> None:
    spec = FilterSpec().with_query("ERROR|timeout -health level:warn src:back")
    assert spec.include == ("ERROR|timeout",) and spec.exclude == ("health",)
    assert spec.min_level == "warn" and spec.sources == frozenset({"back"})
    assert FilterSpec().with_query(spec.to_query()) == spec


def test_ring_is_bounded_and_rows_follow_eviction() -> None:
    buffer = LogBuffer(max_lines=1000)
    buffer.set_filter(FilterSpec(include=("even",)).compile())
    for start in range(0, 5000, 250):
        buffer.extend(
            "s", [f"line {i} {'even' if i % 2 == 0 else 'odd'}" for i in range(start, start + 250)]
        )
    assert len(buffer) == 1000 and buffer.next_seq == 5000
    assert buffer.match_count == 500
    assert buffer.row(0).raw == "line 4000 even"
    assert buffer.get(10) is None


def test_row_at_time_and_levels_chain() -> None:
    buffer = _buffer(SAMPLE)
    assert buffer.row_at_time(datetime(2026, 1, 1, 0, 0, 3, tzinfo=UTC)) == 3
    assert buffer.row_at_time(datetime(2030, 1, 1, tzinfo=UTC)) == 5
    state: dict[str, str] = {}
    entry_levels([SAMPLE[1][1]], ["back"], state)
    assert entry_levels(["cont"], ["back"], state) == ["error"]


def test_level_filter_set_after_ingest_knows_the_entry_of_later_continuations() -> None:
    # The level chain is rebuilt from the held lines when the filter changes, so lines
    # ingested without a level filter need not keep it current.
    buffer = LogBuffer(100)
    buffer.extend("back", [SAMPLE[1][1], "  first continuation"])
    buffer.extend("front", [SAMPLE[0][1]])
    buffer.set_filter(FilterSpec(min_level="warn").compile())
    assert buffer.extend("back", ["  later continuation"]) == 1
    assert buffer.extend("front", ["  continuation of an info line"]) == 0
    assert [buffer.row(i).raw for i in range(buffer.match_count)] == [
        SAMPLE[1][1],
        "  first continuation",
        "  later continuation",
    ]


def test_ignore_case_folding_keeps_regex_meaning() -> None:
    buffer = _buffer(SAMPLE)
    # Upper-case pattern, ignore-case: folded to lower case, still finds "Timeout" and "timeout".
    assert len(_shown(buffer, FilterSpec(include=("TIMEOUT",)))) == 3
    # \S must not become \s when folding: only "]Timeout" follows a non-space.
    assert _shown(buffer, FilterSpec(include=(r"\STIMEOUT",))) == ["Timeout config loaded"]


def test_a_chunk_cleaned_once_parses_as_its_lines_cleaned_one_by_one() -> None:
    at = datetime(2026, 11, 29, 2, 41, 7, tzinfo=UTC)
    lines = [
        format_entry(at, "app", "48e42d6f7573e8", "iad", level, f"msg {level}").rstrip("\n")
        for level in ("info", "warn", "error", "debug", "fatal")
    ]
    lines += [LINE, "  continuation \x1b]52;c;aGk=\x07 of it", "no escape at all"]
    stripper = SgrStripper()
    for _ in range(2):  # the second chunk meets only colours already seen
        cleaned = stripper.plain("\n".join(lines)).split("\n")
        assert cleaned == [strip_sgr(line) for line in lines]
        records = [parse_line("b", line, parent=cleaned[0]) for line in cleaned]
        assert [r.level for r in records[:5]] == ["info", "warn", "error", "debug", "fatal"]
        assert records[6].continued and records[6].time == at
        assert all("\x1b" not in visible(line) for line in cleaned)
