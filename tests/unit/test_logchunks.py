from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.logchunks import LogChunk, Row, chunks_of, merged, newest, rows_of, runs

T = datetime(2026, 1, 1, tzinfo=UTC)
LATER = T + timedelta(seconds=1)


def test_rows_and_chunks_are_the_same_lines() -> None:
    rows: list[Row] = [(T, "api", "a"), (T, "api", "b"), (LATER, "api", "c"), (T, "db", "x")]
    chunks = chunks_of(rows)
    assert chunks == [
        LogChunk("api", ["a", "b", "c"], [(T, 2), (LATER, 1)]),
        LogChunk("db", ["x"], [(T, 1)]),
    ]
    assert rows_of(chunks) == rows


def test_consecutive_chunks_of_a_source_merge_runs_and_all() -> None:
    chunks = [
        LogChunk("api", ["a"], [(T, 1)]),
        LogChunk("api", ["b", "c"], [(T, 1), (LATER, 1)]),
        LogChunk("db", [], []),
        LogChunk("db", ["x"], [(T, 1)]),
        LogChunk("api", ["d"], [(LATER, 1)]),
    ]
    assert merged(chunks) == [
        LogChunk("api", ["a", "b", "c"], [(T, 2), (LATER, 1)]),
        LogChunk("db", ["x"], [(T, 1)]),
        LogChunk("api", ["d"], [(LATER, 1)]),
    ]
    assert rows_of(merged(chunks)) == rows_of(chunks)


def test_newest_keeps_the_last_lines_across_chunks() -> None:
    rows: list[Row] = [(T, "api", "a"), (LATER, "api", "b"), (LATER, "db", "x"), (T, "db", "y")]
    chunks = chunks_of(rows)
    for limit in range(6):
        assert rows_of(newest(chunks, limit)) == rows[len(rows) - min(limit, 4) :]
    assert runs([T, T, LATER, T]) == [(T, 2), (LATER, 1), (T, 1)]
