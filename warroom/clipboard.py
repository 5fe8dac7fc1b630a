"""Copy text every way that can work, and say honestly which ways did.

Three paths, all tried:
- **OSC 52** through the terminal (Textual's `App.copy_to_clipboard`). It is the only path
  that crosses SSH and tmux, but nothing answers back, so it is reported as *sent*, never as
  confirmed. tmux passes it on only with `set -g set-clipboard on` and drops any sequence
  over 1 MiB.
- **the local clipboard**, when this host has one: xclip/xsel under X and wl-copy under
  Wayland (run here with stderr silenced), else whatever pyperclip finds (pbcopy, Windows,
  WSL). It is looked up afresh each time (pyperclip's cached choice and `is_available()` go
  stale when `DISPLAY` changes) and confirmed by pasting back, because xclip with a stale
  `DISPLAY` fails without raising.
- **a file** under `fallback_dir`, written when the local clipboard could not be confirmed,
  so the text is never lost and the person can `cat` it.

Blocking: the local clipboard runs subprocesses. Call `copy_text` from a thread (a Textual thread
worker), never from the event loop. A clipboard tool that hangs is abandoned after
`timeout` seconds rather than holding the caller forever.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from warroom.procgroups import unblock_quit_signals

OSC52_WARN_BYTES = 700 * 1024
"""Above this, base64 plus framing nears tmux's 1 MiB limit for one OSC 52 sequence."""

OSC52_NOTE = "terminal must allow it; in tmux `set -g set-clipboard on`"

LocalClipboard = Callable[[], tuple[Callable[[str], None], Callable[[], str]]]
"""Returns (copy, paste) functions for this host's clipboard; may raise."""


class CopyReport(NamedTuple):
    """What happened to one copy."""

    osc52_sent: bool
    """The OSC 52 sequence was handed to the terminal (delivery cannot be confirmed)."""
    local_confirmed: bool
    """The local clipboard holds the text: pasted back and compared."""
    file: Path | None
    """Where the text was saved because the local clipboard was not confirmed."""
    problems: tuple[str, ...]
    """Why paths failed, one short clause each."""
    warnings: tuple[str, ...]
    """Things the person should know even though a path worked (size)."""

    @property
    def via(self) -> str:
        """The paths that carried the text, e.g. `osc52+local`; stored on the event."""
        parts = []
        if self.osc52_sent:
            parts.append("osc52")
        if self.local_confirmed:
            parts.append("local")
        if self.file is not None:
            parts.append("file")
        return "+".join(parts) or "none"

    @property
    def ok(self) -> bool:
        """Some path is known, or at least likely, to have the text."""
        return self.local_confirmed or self.file is not None or self.osc52_sent

    @property
    def summary(self) -> str:
        """One line for a notification."""
        parts: list[str] = []
        if not self.ok:
            parts.append("Nothing could be copied")
        if self.local_confirmed:
            parts.append("Copied to the local clipboard")
        if self.osc52_sent:
            parts.append(f"sent via OSC 52 ({OSC52_NOTE})")
        if self.file is not None:
            parts.append(f"saved to {self.file}")
        # What worked comes first; why the other paths failed only matters when the
        # local clipboard (the one path that can be confirmed) did not work.
        if not self.local_confirmed:
            parts.extend(self.problems)
        line = "; ".join(parts)
        line = line[0].upper() + line[1:]
        return ". ".join([line, *self.warnings]) + "."


def _quiet_tool(
    copy_argv: list[str], paste_argv: list[str], timeout: float
) -> tuple[Callable[[str], None], Callable[[], str]]:
    # pyperclip runs xclip/xsel/wl-copy with the terminal as their stderr: under a full-screen
    # app "Can't open display" (and, from xclip's background owner, "X connection broken"
    # when the X server goes) would be drawn over the screen. Same tools, stderr silenced.
    def copy(text: str) -> None:
        subprocess.run(
            copy_argv,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=True,
            preexec_fn=unblock_quit_signals,
        )

    def paste() -> str:
        result = subprocess.run(
            paste_argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=True,
            preexec_fn=unblock_quit_signals,
        )
        return result.stdout.decode("utf-8", "replace")

    return copy, paste


def system_clipboard(timeout: float = 5.0) -> tuple[Callable[[str], None], Callable[[], str]]:
    """(copy, paste) for this host's clipboard as the environment is *now*; may raise.

    X and Wayland tools are run directly, quietly; everything else (macOS, Windows, WSL,
    Qt) is pyperclip's choice. `determine_clipboard()` is asked each time because
    `pyperclip.copy` keeps its first choice for the life of the process.
    """
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy") and shutil.which("wl-paste"):
        return _quiet_tool(["wl-copy"], ["wl-paste", "--no-newline"], timeout)
    if os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        if shutil.which("xclip"):
            return _quiet_tool(
                ["xclip", "-selection", "clipboard"],
                ["xclip", "-selection", "clipboard", "-o"],
                timeout,
            )
        if shutil.which("xsel"):
            return _quiet_tool(["xsel", "-b", "-i"], ["xsel", "-b", "-o"], timeout)
    import pyperclip

    copy, paste = pyperclip.determine_clipboard()
    return copy, paste


def _try_local(text: str, local: LocalClipboard, timeout: float) -> str | None:
    """Copy via the local clipboard and paste back; None when confirmed, else why not."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            copy, paste = local()
            copy(text)
            pasted = paste()
        except Exception as error:  # pyperclip raises its own, OSError, Qt errors…
            outcome.append(f"no local clipboard ({_short_reason(error)})")
            return
        if pasted == text:
            outcome.append(None)
        else:
            outcome.append("local clipboard did not take the text (is DISPLAY current?)")

    worker = threading.Thread(target=attempt, name="warroom-clipboard", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return f"local clipboard did not answer within {timeout:g}s"
    return outcome[0]


def _short_reason(error: Exception) -> str:
    """One short clause for a notification; pyperclip's own message is a paragraph."""
    if type(error).__name__ == "PyperclipException":
        return "no X or Wayland display, and no other clipboard tool"
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return first[:120]


def _save(text: str, fallback_dir: Path, name: str) -> Path:
    fallback_dir.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-") or "warroom-copy"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1000):
        suffix = f"-{attempt}" if attempt else ""
        path = fallback_dir / f"{name}-{stamp}{suffix}.txt"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return path
    raise FileExistsError(f"no free file name for {name} in {fallback_dir}")


def copy_text(
    text: str,
    *,
    osc52: Callable[[str], None] | None,
    fallback_dir: Path,
    name: str = "warroom-copy",
    local: LocalClipboard | None = system_clipboard,
    timeout: float = 5.0,
) -> CopyReport:
    """Copy `text` by OSC 52 (when `osc52` is given), the local clipboard, else a file.

    `local=None` skips the local clipboard (tests, or a caller that knows there is none).
    Blocking: run it in a thread.
    """
    problems: list[str] = []
    warnings: list[str] = []
    size = len(text.encode("utf-8"))
    if size > OSC52_WARN_BYTES:
        warnings.append(
            f"The text is {size / 1024:,.0f} KB: tmux drops OSC 52 sequences over 1 MiB"
        )

    osc52_sent = False
    if osc52 is not None:
        try:
            osc52(text)
            osc52_sent = True
        except Exception as error:  # a closed terminal must not stop the other paths
            problems.append(f"OSC 52 failed ({error})")

    local_confirmed = False
    if local is not None:
        problem = _try_local(text, local, timeout)
        local_confirmed = problem is None
        if problem is not None:
            problems.append(problem)

    file = None
    if not local_confirmed:
        try:
            file = _save(text, fallback_dir, name)
        except OSError as error:
            problems.append(f"could not save to {fallback_dir} ({error.strerror or error})")

    return CopyReport(
        osc52_sent=osc52_sent,
        local_confirmed=local_confirmed,
        file=file,
        problems=tuple(problems),
        warnings=tuple(warnings),
    )
