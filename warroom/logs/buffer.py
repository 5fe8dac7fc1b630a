"""The bounded ring of recent log lines and the list of those the filter shows.

Lines are numbered by ingest (`seq`) and stored as plain strings at `seq % max_lines` (with
their source name beside them), so memory stays bounded however long the incident runs,
lookup by number is O(1), and the garbage collector has no per-line objects to walk. A line
becomes a `LogRecord` only when asked for (`get`, `row`). The filtered view is a sorted list
of the matching numbers; its row `i` is `matches[start + i]`. Evicted numbers are skipped by
advancing `start` and compacting now and then, never by shifting per line.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from datetime import datetime

from warroom.logs.filter import NO_FILTER, CompiledFilter
from warroom.logs.parse import LogRecord, is_entry, line_time, parse_line

CONTINUATION_LOOKBACK = 2_000
"""Lines searched backwards for the entry a continuation line belongs to."""


class LogBuffer:
    """The last `max_lines` lines, and which of them the current filter shows."""

    def __init__(self, max_lines: int = 100_000) -> None:
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.max_lines = max_lines
        self._raw: list[str] = [""] * max_lines
        self._src: list[str] = [""] * max_lines
        self.next_seq = 0
        """Number the next line will get; also the count ever ingested."""
        self.filter: CompiledFilter = NO_FILTER
        self._matches: list[int] = []
        self._start = 0
        self._levels: dict[str, str] = {}

    @property
    def first_seq(self) -> int:
        """Number of the oldest line still held."""
        return max(0, self.next_seq - self.max_lines)

    def __len__(self) -> int:
        return self.next_seq - self.first_seq

    @property
    def match_count(self) -> int:
        """Rows of the filtered view."""
        return len(self._matches) - self._start

    def extend(self, source: str, lines: Sequence[str]) -> int:
        """Add `source`'s lines (oldest first); returns how many of them the filter shows."""
        if not lines:
            return 0
        n = self.max_lines
        if len(lines) > n:
            self.next_seq += len(lines) - n  # the skipped ones count as ingested
            lines = lines[-n:]
        base = self.next_seq
        sources = [source] * len(lines)
        start = base % n
        head = min(len(lines), n - start)
        # Slice assignment copies in C; wrap-around needs a second slice.
        self._raw[start : start + head] = lines[:head]
        self._src[start : start + head] = sources[:head]
        if head < len(lines):
            self._raw[: len(lines) - head] = lines[head:]
            self._src[: len(lines) - head] = sources[head:]
        self.next_seq = base + len(lines)
        shown = self.filter.select(lines, sources, base, self._levels)
        self._matches.extend(shown)
        self._drop_evicted()
        return len(shown)

    def _drop_evicted(self) -> None:
        first = self.first_seq
        matches = self._matches
        if self._start < len(matches) and matches[self._start] < first:
            self._start = bisect_left(matches, first, self._start)
        # Compacting costs a copy; doing it rarely keeps the amortised cost per line tiny.
        if self._start > 50_000 or self._start > len(matches) // 2 > 1_000:
            del matches[: self._start]
            self._start = 0

    def _ordered(self) -> tuple[list[str], list[str]]:
        """Held lines and their sources, oldest first."""
        n = self.max_lines
        if self.next_seq <= n:
            return self._raw[: self.next_seq], self._src[: self.next_seq]
        cut = self.next_seq % n
        return self._raw[cut:] + self._raw[:cut], self._src[cut:] + self._src[:cut]

    def set_filter(self, compiled: CompiledFilter) -> None:
        """Use `compiled` from now on, re-filtering every held line."""
        raws, sources = self._ordered()
        self._levels = {}
        self._matches = compiled.select(raws, sources, self.first_seq, self._levels)
        self._start = 0
        self.filter = compiled

    def raw(self, seq: int) -> tuple[str, str] | None:
        """(source, line) numbered `seq`, or None when evicted or not yet ingested."""
        if self.first_seq <= seq < self.next_seq:
            i = seq % self.max_lines
            return self._src[i], self._raw[i]
        return None

    def get(self, seq: int) -> LogRecord | None:
        """The record numbered `seq`, parsed now, or None when evicted or not yet ingested."""
        found = self.raw(seq)
        if found is None:
            return None
        source, raw = found
        parent = None if is_entry(raw) else self._entry_before(seq, source)
        return parse_line(source, raw, seq=seq, parent=parent)

    def _entry_before(self, seq: int, source: str) -> str | None:
        stop = max(self.first_seq, seq - CONTINUATION_LOOKBACK) - 1
        for back in range(seq - 1, stop, -1):
            i = back % self.max_lines
            if self._src[i] == source and is_entry(self._raw[i]):
                return self._raw[i]
        return None

    def records(self, *, only_shown: bool = False) -> Iterator[LogRecord]:
        """Held records (or only the shown ones), oldest first, parsed as they are yielded."""
        seqs = self._matches[self._start :] if only_shown else range(self.first_seq, self.next_seq)
        for seq in seqs:
            record = self.get(seq)
            if record is not None:
                yield record

    def export_lines(self, *, only_shown: bool) -> list[tuple[str, str]]:
        """(source, line) of the shown (or all held) lines, oldest first: a snapshot."""
        if not only_shown:
            raws, sources = self._ordered()
            return list(zip(sources, raws, strict=True))
        n = self.max_lines
        return [(self._src[s % n], self._raw[s % n]) for s in self._matches[self._start :]]

    def seq_at_row(self, row: int) -> int:
        """The line number shown on filtered row `row` (IndexError when out of range)."""
        if not 0 <= row < self.match_count:
            raise IndexError(row)
        return self._matches[self._start + row]

    def row(self, row: int) -> LogRecord:
        """The record shown on filtered row `row`."""
        record = self.get(self.seq_at_row(row))
        assert record is not None
        return record

    def row_of_seq(self, seq: int) -> int:
        """Row of the first shown line numbered `seq` or later (== match_count if none)."""
        return bisect_left(self._matches, seq, self._start) - self._start

    def time_at_row(self, row: int) -> datetime | None:
        """The time of the line on `row` (its entry's time for a continuation line)."""
        seq = self.seq_at_row(row)
        found = self.raw(seq)
        assert found is not None
        when = line_time(found[1])
        return when if when is not None else self.get(seq).time  # type: ignore[union-attr]

    def row_at_time(self, when: datetime) -> int:
        """First shown row whose time is at or after `when` (match_count when none is).

        Lines arrive roughly in time order, so bisect over rows; rows without a time are
        stepped over.
        """
        lo, hi = 0, self.match_count
        while lo < hi:
            mid = (lo + hi) // 2
            probe = mid
            stamp = self.time_at_row(probe)
            while stamp is None and probe + 1 < hi:
                probe += 1
                stamp = self.time_at_row(probe)
            if stamp is None or stamp >= when:
                hi = mid
            else:
                lo = probe + 1
        return lo
