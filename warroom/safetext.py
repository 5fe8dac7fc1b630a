"""Untrusted text (log lines, HTTP bodies, command output) made safe to show.

A log line may carry an OSC 52 that would set the user's clipboard, a screen clear, a title
change, Rich markup, a NUL or bytes that are not UTF-8. Shown as-is, any of those acts on the
responder's terminal. Here every control character becomes a visible stand-in (ESC -> `␛`,
NUL -> `␀`, C1 controls and invisible direction overrides -> `<U+XXXX>`), so the sequence can
still be read but never runs; the result goes into a plain `rich.text.Text` so markup stays
literal. Over-long text is cut with a marker saying how much was cut. What leaves warroom for
people (status pages, chat) goes through `message_text` instead: there a sequence is removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rich.text import Text

DEFAULT_LIMIT = 10_000
"""Characters shown of one line before it is cut."""

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_TABLE[0x09] = "    "  # a tab would move the cursor; four spaces keep columns predictable
_TABLE[0x7F] = "\u2421"  # ␡
for _code in range(0x80, 0xA0):  # C1 controls: 0x9b is a one-byte CSI on some terminals
    _TABLE[_code] = f"<U+{_code:04X}>"
# Invisible characters that reorder or hide text ("trojan source"), and line separators
# that some terminals treat as newlines. The joiners (U+200C, U+200D) stay: they make 👩‍💻
# one emoji and join letters in many scripts, and move nothing.
for _code in (0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
    _TABLE[_code] = f"<U+{_code:04X}>"
for _code in (0x2028, 0x2029, 0xFEFF):
    _TABLE[_code] = f"<U+{_code:04X}>"

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (title, clipboard) … BEL or ST
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS … ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI: colours, cursor moves
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # the one-byte CSI
    r"|\x1b[ -/]*[0-~]?"  # any other escape
)
_JOINERS = frozenset("\u200c\u200d")
_EMOJI_TAGS = range(0xE0020, 0xE0080)
"""Tag characters: they spell the regional flags (🏴 + tags) and are format characters."""


def decode(data: bytes) -> str:
    """Bytes from a process or the network as text; invalid UTF-8 becomes `�`."""
    return data.decode("utf-8", "replace")


def strip_sgr(text: str) -> str:
    """Drop colour/style sequences (`ESC [ … m`) only; every other sequence stays.

    Meant for whole chunks: one `re.sub` over a megabyte is cheaper than anything per line.
    """
    if "\x1b[" not in text:
        return text
    return _SGR.sub("", text)


class SgrStripper:
    """`strip_sgr` for the chunks of one stream, faster: a stream uses few colours (flyctl
    about six), so each one seen is removed from later chunks by `str.replace`, and the
    regex runs only over a chunk that still holds an `ESC [` after that. A chunk without an
    ESC is not touched. Any text gets the same result as `strip_sgr`, but for a sequence
    that only forms once another inside it is removed (`ESC [ ESC [0m 1m`), which either
    way leaves a visible ESC.
    """

    def __init__(self, remember: int = 32) -> None:
        self._remember = remember
        self._known: list[str] = []

    def plain(self, text: str) -> str:
        """`text` without its colour/style sequences."""
        if "\x1b[" not in text:
            return text
        for sequence in self._known:
            text = text.replace(sequence, "")
        if "\x1b[" not in text:
            return text
        if len(self._known) < self._remember:
            # The order is free: no sequence can hold another, as each ends at its first `m`.
            new = sorted(set(_SGR.findall(text)) - set(self._known))
            self._known = [*self._known, *new][: self._remember]
        return _SGR.sub("", text)


def cut(text: str, limit: int) -> str:
    """`text` cut to its first `limit` characters plus a marker saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … [cut {len(text) - limit:,} chars]"


def visible(text: str, *, limit: int | None = DEFAULT_LIMIT) -> str:
    """`text` with every control/escape character shown as a visible stand-in, cut to `limit`.

    `limit=None` keeps the whole text (for export, where nothing may be lost).
    """
    if limit is not None:
        text = cut(text, limit)  # the marker has no control characters to translate
    return text.translate(_TABLE)


def safe_text(text: str, *, limit: int | None = DEFAULT_LIMIT, style: str = "") -> Text:
    """A plain `Text` of `visible(text)`: markup in `text` stays literal."""
    return Text(visible(text, limit=limit), style=style, no_wrap=True, end="")


def message_text(text: str) -> str:
    """Text for people outside (a status page, chat, e-mail), exactly as it is to be sent.

    Escape sequences are removed whole (not only their ESC, which would leave `]52;c;…` for
    customers to read); other control characters and invisible format characters (direction
    overrides, zero-width spaces) are dropped; newlines stay and tabs become four spaces, as
    `visible` shows them; joiners and emoji tags stay, so 👩‍💻 and flags arrive whole.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(_message_char(char) for char in text)


def _message_char(char: str) -> str:
    if char == "\n":
        return char
    if char == "\t":
        return "    "
    kind = unicodedata.category(char)
    if kind == "Cc":
        return ""
    if kind == "Cf" and char not in _JOINERS and ord(char) not in _EMOJI_TAGS:
        return ""
    return char


def masked(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value (from the playbook's `${VAR}`s) shown as `•••`."""
    for secret in sorted(secrets, key=len, reverse=True):  # a longer one may hold a shorter
        if secret in text:
            text = text.replace(secret, "•••")
    return text
