"""What the log view shows: include/exclude regexes, case, minimum level, sources.

A `FilterSpec` is plain data (what the user asked for); `compile()` turns it into a
`CompiledFilter` or raises `FilterError` naming the bad pattern, so the caller can show the
error and keep the filter it had. Several include patterns are alternatives (a line shows
when any one matches, like `grep -e A -e B`); any exclude pattern hides a line. Patterns are
joined into one alternation each, because one regex over a line is far cheaper than several.
Patterns are matched by `warroom.patterns` in linear time: no filter can freeze the app.

The filter bar's text form (`FilterSpec.to_query` / `parse_query`), tokens separated by spaces:
`ERROR|timeout` include, `-health` exclude, `level:warn` minimum level, `src:backend` source.
A space inside a pattern is written `\\s` or `\\x20`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import NamedTuple

from warroom.logs.parse import LEVEL_RANKS, entry_levels, level_rank
from warroom.patterns import LineMatcher, PatternError


class FilterError(ValueError):
    """A filter that cannot be used; the message says which pattern and why."""


class FilterSpec(NamedTuple):
    """A filter as the user wrote it."""

    include: tuple[str, ...] = ()
    """Regexes; a line is shown when any matches (all lines when empty)."""
    exclude: tuple[str, ...] = ()
    """Regexes; a line matching any is hidden."""
    ignore_case: bool = True
    """Match patterns case-insensitively."""
    min_level: str = ""
    """Hide lines below this level ('' shows every line, also unparsed ones)."""
    sources: frozenset[str] | None = None
    """Show only these sources (None: all)."""

    def compile(self) -> CompiledFilter:
        """The filter ready to run; raises `FilterError` for a bad pattern or level."""
        known = (*LEVEL_RANKS, "error", "fatal", "critical", "panic")
        if self.min_level and self.min_level.lower() not in known:
            raise FilterError(f"unknown level {self.min_level!r}")
        include = _matcher(self.include, self.ignore_case, "include")
        return CompiledFilter(
            self,
            include,
            _matcher(self.exclude, self.ignore_case, "exclude"),
            level_rank(self.min_level) if self.min_level else 0,
        )

    def to_query(self) -> str:
        """The filter bar's text for this spec (case is a separate toggle)."""
        parts = list(self.include)
        parts += [f"-{p}" for p in self.exclude]
        if self.min_level:
            parts.append(f"level:{self.min_level}")
        parts += [f"src:{s}" for s in sorted(self.sources or ())]
        return " ".join(parts)

    def with_query(self, text: str) -> FilterSpec:
        """This spec with include/exclude/level/sources replaced by the bar's `text`."""
        include: list[str] = []
        exclude: list[str] = []
        level = ""
        sources: set[str] = set()
        for token in text.split():
            if token.startswith("level:"):
                level = token[6:]
            elif token.startswith("src:"):
                sources.add(token[4:])
            elif token.startswith(("-", "!")) and len(token) > 1:
                exclude.append(token[1:])
            else:
                include.append(token)
        return self._replace(
            include=tuple(include),
            exclude=tuple(exclude),
            min_level=level,
            sources=frozenset(sources) if sources else None,
        )


def _matcher(patterns: Sequence[str], ignore_case: bool, what: str) -> LineMatcher | None:
    if not patterns:
        return None
    try:
        return LineMatcher(patterns, ignore_case=ignore_case)
    except PatternError as error:
        raise FilterError(f"{what} pattern {error}") from None


class CompiledFilter:
    """A compiled `FilterSpec`: decides which records show, one at a time or by the batch."""

    def __init__(
        self,
        spec: FilterSpec,
        include: LineMatcher | None,
        exclude: LineMatcher | None,
        min_rank: int,
    ) -> None:
        self.spec = spec
        self.include = include
        self.exclude = exclude
        self.min_rank = min_rank
        self.sources = spec.sources

    @property
    def highlight(self) -> LineMatcher | None:
        """The include patterns, which also find what to highlight in shown text."""
        return self.include

    def select(
        self,
        raws: Sequence[str],
        sources: Sequence[str],
        base: int,
        levels: dict[str, str] | None = None,
    ) -> list[int]:
        """Numbers (`base + i`) of the lines that show: the hot path of ingest and refilter.

        `levels` carries each source's current level across batches for continuation
        lines (see `entry_levels`); only a level filter reads or updates it, and
        `LogBuffer.set_filter` rebuilds it from the held lines. The per-line work is `map`
        over C functions or one pattern scan per batch; Python code runs per batch (and per
        line a pattern matches), not per line.
        """
        numbers = range(base, base + len(raws))
        keep: list[Iterable[object]] = []
        if self.sources is not None:
            keep.append(list(map(self.sources.__contains__, sources)))
        if self.min_rank:
            floor = self.min_rank
            ranks: dict[str, bool] = {}
            passed = []
            for level in entry_levels(raws, sources, levels):
                ok = ranks.get(level)
                if ok is None:
                    ok = ranks[level] = level_rank(level) >= floor
                passed.append(ok)
            keep.append(passed)
        if self.include is not None:
            keep.append(self.include.matching(raws))
        if self.exclude is not None:
            keep.append(list(map(operator.not_, self.exclude.matching(raws))))
        if not keep:
            return list(numbers)
        mask = keep[0] if len(keep) == 1 else list(map(all, zip(*keep, strict=True)))
        return list(compress(numbers, mask))


NO_FILTER = FilterSpec().compile()
