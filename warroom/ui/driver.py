"""A Linux terminal driver that reports the escape key when its delay is over, not later.

A terminal sends the escape key as the byte that also starts every other key's sequence, so
the parser waits a short delay for more bytes before it calls a lone one "escape". Textual's
`LinuxDriver` waits for input in steps of 100 ms and looks at that delay only between steps:
escape, which closes every dialog, reached the app ~100 ms after the delay was over (p95
120 ms, in tmux at 200x60, against 25 ms for any other key). Here the wait for input ends
when the delay does.

The delay is `ESCDELAY` (milliseconds), as in curses, when it is set; else
`ESCAPE_DELAY_SECONDS` (Textual's is 100 ms).
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import constants
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

ESCAPE_DELAY_SECONDS = 0.01
"""How long a lone escape byte waits for the rest of a sequence: tmux's own default since
3.5 (and the most neovim advises for it). A terminal writes a key's whole sequence at once,
so the rest is normally in the same read; bytes that queue while the input thread waits are
read before the delay is checked. Escape closing a dialog, idle, p50 (`bench/keys.py`):
40-43 ms at 25 ms, 25-28 ms at 10 ms."""

POLL_SECONDS = 0.1
"""The longest wait for input, so that a stopping driver is noticed (Textual's own)."""


def escape_delay() -> float:
    """Seconds: the user's `ESCDELAY` when set (Textual reads it), else warroom's own."""
    return constants.ESCAPE_DELAY if "ESCDELAY" in os.environ else ESCAPE_DELAY_SECONDS


class PromptEscapeDriver(LinuxDriver):
    """`LinuxDriver` whose input thread wakes when a pending escape's delay ends."""

    def run_input_thread(self) -> None:
        """Textual's loop (read, parse, dispatch; stop on `exit_event`) with the wait cut
        to the parser's pending deadline, and that deadline to `escape_delay()`."""
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        delay = escape_delay()
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        try:
            while not self.exit_event.is_set():
                if selector.select(_wait(parser)):
                    data = os.read(self.fileno, 4096)
                    if not data:  # stdin was a pipe, and it ended
                        break
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                    _shorten(parser, delay)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


# The parser keeps its pending deadline in `_timeout_time` (textual/_parser.py, 8.x): the
# instant its `tick()` gives up waiting for the rest of an escape sequence. The two helpers
# below are the only places that touch it; tests/ui/test_driver.py fails if it moves.


def _wait(parser: XTermParser) -> float:
    deadline: float | None = parser._timeout_time
    if deadline is None:
        return POLL_SECONDS
    return min(POLL_SECONDS, max(0.0, deadline - get_time()))


def _shorten(parser: XTermParser, delay: float) -> None:
    deadline: float | None = parser._timeout_time
    if deadline is not None:
        parser._timeout_time = min(deadline, get_time() + delay)
