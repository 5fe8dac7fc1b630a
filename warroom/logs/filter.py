"""What the log view shows: include/exclude regexes, case, minimum level, sources.

A `FilterSpec` is plain data (what the user asked for); `compile()` turns it into a
`CompiledFilter` or raises `FilterError` naming the bad pattern, so the caller can show the
error and keep the filter it had. Several include patterns are alternatives (a line shows
when any one matches, like `grep -e A -e B`); any exclude pattern hides a line. Patterns are
joined into one alternation each, because one regex over a line is far cheaper than several.

The filter bar's text form (`FilterSpec.to_query` / `parse_query`), tokens separated by spaces:
`ERROR|timeout` include, `-health` exclude, `level:warn` minimum level, `src:backend` source.
A space inside a pattern is written `\\s` or `\\x20`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import compress

from warroom.logs.parse import LEVEL_RANKS, entry_levels, level_rank

_CASE_ESCAPE = re.compile(r"\\[A-Zxu]")


class FilterError(ValueError):
    """A filter that cannot be used; the message says which pattern and why."""


@dataclass(frozen=True)
class FilterSpec:
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
        """The filter ready to run; raises `FilterError` for a bad regex or level."""
        patterns = (*self.include, *self.exclude)
        # Lower-casing the text once and matching a lower-cased pattern case-sensitively is
        # ~3x faster than IGNORECASE. It is equivalent unless lower-casing changes what an
        # escape means (\S -> \s, \D, \W, \B, \A, \Z, \N{…}, \x/\u code points).
        fold = self.ignore_case and not any(_CASE_ESCAPE.search(p) for p in patterns)
        flags = re.IGNORECASE if self.ignore_case and not fold else 0
        include = tuple(p.lower() for p in self.include) if fold else self.include
        exclude = tuple(p.lower() for p in self.exclude) if fold else self.exclude
        known = (*LEVEL_RANKS, "error", "fatal", "critical", "panic")
        if self.min_level and self.min_level.lower() not in known:
            raise FilterError(f"unknown level {self.min_level!r}")
        highlight = _join(self.include, re.IGNORECASE if self.ignore_case else 0, "include")
        return CompiledFilter(
            self,
            highlight,
            _join(include, flags, "include"),
            _join(exclude, flags, "exclude"),
            level_rank(self.min_level) if self.min_level else 0,
            fold,
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
        return replace(
            self,
            include=tuple(include),
            exclude=tuple(exclude),
            min_level=level,
            sources=frozenset(sources) if sources else None,
        )


def _join(patterns: Sequence[str], flags: int, what: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    for pattern in patterns:
        try:
            re.compile(pattern, flags)
        except re.error as exc:
            raise FilterError(f"{what} pattern {pattern!r}: {exc}") from None
    if len(patterns) == 1:
        return re.compile(patterns[0], flags)
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


class CompiledFilter:
    """A compiled `FilterSpec`: decides which records show, one at a time or by the batch."""

    def __init__(
        self,
        spec: FilterSpec,
        highlight: re.Pattern[str] | None,
        include: re.Pattern[str] | None,
        exclude: re.Pattern[str] | None,
        min_rank: int,
        fold: bool = False,
    ) -> None:
        self.spec = spec
        self.highlight = highlight
        """The include patterns as one regex that finds matches in shown text."""
        self.include = include
        self.exclude = exclude
        self.min_rank = min_rank
        self.sources = spec.sources
        self.fold = fold
        """Search lower-cased text (case-insensitive filter without IGNORECASE's cost)."""

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
        over C functions; Python code runs per batch, not per line.
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
        texts: Iterable[str] = raws
        if self.fold:
            texts = list(map(str.lower, raws))
        if self.include is not None:
            keep.append(list(map(self.include.search, texts)))
        if self.exclude is not None:
            keep.append(list(map(operator.not_, map(self.exclude.search, texts))))
        if not keep:
            return list(numbers)
        mask = keep[0] if len(keep) == 1 else list(map(all, zip(*keep, strict=True)))
        return list(compress(numbers, mask))


NO_FILTER = FilterSpec().compile()
