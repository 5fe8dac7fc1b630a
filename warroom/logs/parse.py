"""Log lines from `fly logs` (plain or `--json`) read into records.

The tail stores lines, not objects: at hundreds of thousands of lines a second, building an
object per line (and the garbage collector walking 100,000 of them) costs more than all the
filtering. A line becomes a `LogRecord` only when someone looks at it (the view, a pin, an
export): `parse_line`. Filtering needs only the raw text, and the level when a minimum
level is set (`entry_levels`).

A line with no timestamp prefix after an entry continues that entry's multi-line message
(flyctl prints embedded newlines as separate lines); it inherits the entry's time, level and
origin. A line that is neither is kept as a raw record: nothing is ever dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime

LEVEL_RANKS: dict[str, int] = {
    "": 0,
    "trace": 5,
    "debug": 10,
    "info": 20,
    "notice": 25,
    "warn": 30,
    "warning": 30,
}
"""Order of levels for the minimum-level filter; any other non-empty level ranks as error."""
ERROR_RANK = 40


def level_rank(level: str) -> int:
    """Rank of a level name (case-insensitive); unknown names are errors, like flyctl's red."""
    return LEVEL_RANKS.get(level.lower(), ERROR_RANK)


_ENTRY = re.compile(
    r'(?:error\.message="(?P<errmsg>.*?)" )?'
    r"(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) "
    r"(?P<who>\S*) (?P<region>\S*) \[(?P<level>[^\]\s]*)\](?P<rest>.*)",
    re.S,
)
_FIELD = re.compile(
    r'(error\.code|request\.method|request\.url|request\.id|response\.status)=("[^"]*"|\d+) '
)


class LogRecord:
    """One physical log line with what could be read from it.

    `raw` is the line as received with colour codes removed (other control characters
    are still in it: show it through `warroom.safetext.visible`). `time` is UTC, or None
    for a line that could not be parsed. A continuation line (`continued`) carries its
    entry's time, origin and level. `seq` is the buffer's ingest number (-1 if none).
    """

    __slots__ = (
        "continued",
        "instance",
        "level",
        "message",
        "provider",
        "raw",
        "region",
        "rest",
        "seq",
        "source",
        "time",
    )

    def __init__(
        self,
        source: str,
        raw: str,
        *,
        seq: int = -1,
        time: datetime | None = None,
        provider: str = "",
        instance: str = "",
        region: str = "",
        level: str = "",
        rest: str | None = None,
        continued: bool = False,
    ) -> None:
        self.seq = seq
        self.source = source
        self.raw = raw
        self.time = time
        self.provider = provider
        """`app`, `runner`, `proxy`, … ('' when flyctl printed only an instance)."""
        self.instance = instance
        self.region = region
        self.level = level
        self.rest = raw if rest is None else rest
        """Fields and message: what follows `[level]` (the whole line when unparsed)."""
        self.continued = continued
        self.message = self.rest if continued or time is None else _skip_fields(self.rest)
        """The message without flyctl's leading `name=value` fields."""

    @property
    def fields(self) -> dict[str, str]:
        """flyctl's optional fields (`error.code`, `request.url`, …), quotes removed."""
        if self.continued or self.time is None:
            return {}
        return {m.group(1): m.group(2).strip('"') for m in _fields(self.rest)}

    def __repr__(self) -> str:
        return f"LogRecord(seq={self.seq}, source={self.source!r}, raw={self.raw!r})"


def _fields(rest: str) -> list[re.Match[str]]:
    out = []
    pos = 0
    while m := _FIELD.match(rest, pos):
        out.append(m)
        pos = m.end()
    return out


def _skip_fields(rest: str) -> str:
    found = _fields(rest)
    return rest[found[-1].end() :] if found else rest


def _split_who(who: str) -> tuple[str, str]:
    if "[" in who:
        provider, _, instance = who.partition("[")
        return provider, instance.rstrip("]")
    # flyctl prints a bare instance id when there is no provider.
    if len(who) >= 8 and all(c in "0123456789abcdef" for c in who):
        return "", who
    return who, ""


class _TimeCache:
    """Timestamps repeat within a second; parsing each one again costs more than the regex."""

    def __init__(self) -> None:
        self._cache: dict[str, datetime] = {}

    def get(self, stamp: str) -> datetime | None:
        value = self._cache.get(stamp)
        if value is None:
            try:
                value = datetime.fromisoformat(stamp)
            except ValueError:
                return None
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[stamp] = value
        return value


_times = _TimeCache()


def is_entry(raw: str) -> bool:
    """Whether `raw` starts a flyctl entry (else it continues the previous one, or is noise).

    Cheap on purpose: it runs when a record is looked at, not for every ingested line.
    """
    return _ENTRY.match(raw) is not None


def line_time(raw: str) -> datetime | None:
    """The UTC timestamp an entry line starts with (None for other lines); cached per second."""
    if raw[4:5] == "-" and raw[10:11] == "T":
        return _times.get(raw.partition(" ")[0])
    m = _ENTRY.match(raw)
    return _times.get(m.group("ts")) if m else None


def parse_line(source: str, raw: str, *, seq: int = -1, parent: str | None = None) -> LogRecord:
    """A record for one physical line.

    `parent` is the nearest earlier entry line of the same source; a line that is not an
    entry itself becomes its continuation. Without a parent it is kept raw.
    """
    m = _ENTRY.match(raw)
    if m is not None:
        errmsg, stamp, who, region, level, rest = m.groups()
        if errmsg is not None:
            rest = rest + errmsg  # flyctl prints error.message instead of the message
        provider, instance = _split_who(who)
        return LogRecord(
            source,
            raw,
            seq=seq,
            time=_times.get(stamp),
            provider=provider,
            instance=instance,
            region=region,
            level=level,
            rest=rest,
        )
    if parent is not None:
        entry = parse_line(source, parent)
        return LogRecord(
            source,
            raw,
            seq=seq,
            time=entry.time,
            provider=entry.provider,
            instance=entry.instance,
            region=entry.region,
            level=entry.level,
            continued=True,
        )
    return LogRecord(source, raw, seq=seq)


def entry_levels(
    raws: Sequence[str], sources: Sequence[str], current: dict[str, str] | None = None
) -> list[str]:
    """The level of each line; continuation lines inherit their entry's ('' before any).

    `current` holds each source's level so far and is updated, so batches can be chained.
    Only the minimum-level filter needs this, so ingest does not pay for it otherwise.
    """
    current = {} if current is None else current
    out: list[str] = []
    append = out.append
    match = _ENTRY.match
    for raw, source in zip(raws, sources, strict=True):
        m = match(raw)
        if m is not None:
            level = current[source] = m.group("level")
        else:
            level = current.get(source, "")
        append(level)
    return out


class JsonParser:
    """Turns `fly logs --json` output (pretty-printed objects over many lines) into lines.

    An object is collected from a `{` line to the `}` line at column 0 and rendered as the
    plain format's line (`TS provider[instance] region [level]message`), so one parser and
    one filter serve both formats. Anything that is not such an object, or does not decode,
    is passed on as it is: never dropped.
    """

    MAX_OBJECT_LINES = 2_000
    """Lines collected for one object before giving up and keeping them raw."""

    def __init__(self) -> None:
        self._pending: list[str] = []

    def feed(self, lines: list[str]) -> list[str]:
        """Plain lines for every complete object and every stray line, in order."""
        out: list[str] = []
        pending = self._pending
        for line in lines:
            if pending:
                pending.append(line)
                if line == "}":
                    out.extend(self._decode(pending))
                    pending.clear()
                elif len(pending) > self.MAX_OBJECT_LINES:
                    out.extend(pending)
                    pending.clear()
            elif line == "{":
                pending.append(line)
            elif line.startswith("{") and line.endswith("}"):
                out.extend(self._decode([line]))
            else:
                out.append(line)
        return out

    def flush(self) -> list[str]:
        """Whatever is half-collected (the process ended mid-object), as raw lines."""
        out = list(self._pending)
        self._pending.clear()
        return out

    @staticmethod
    def _decode(lines: list[str]) -> list[str]:
        try:
            obj = json.loads("\n".join(lines))
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            meta = obj.get("meta") or {}
            event = (meta.get("Event") or {}) if isinstance(meta, dict) else {}
            provider = str(event.get("Provider") or "") if isinstance(event, dict) else ""
            instance = str(obj.get("instance") or "")
            region = str(obj.get("region") or "")
            level = str(obj.get("level") or "")
            message = str(obj.get("message") or "")
            stamp = str(obj.get("timestamp") or "")
        except ValueError:
            return lines[:]
        if not _ENTRY.match(f"{stamp} x y [z]"):
            return lines[:]
        who = f"{provider}[{instance}]" if provider and instance else provider or instance
        # Newlines inside the message become continuation lines, as in the plain format.
        return f"{stamp} {who} {region} [{level}]{message}".split("\n")
