"""Every copy path, with a real X clipboard (Xvfb + xclip) for the pyperclip one."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from warroom.clipboard import OSC52_NOTE, copy_text

TEXT = "🔴 We're investigating reports of [b]login[/b] failures.\n\nStatus: Investigating\n"


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture(scope="module")
def xvfb() -> Iterator[str]:
    """A private X server on a free display; yields its DISPLAY value."""
    if shutil.which("Xvfb") is None or shutil.which("xclip") is None:
        pytest.skip("needs Xvfb and xclip (apt install xvfb xclip) for a real X clipboard")
    read_fd, write_fd = os.pipe()
    # -displayfd makes Xvfb pick a free display and write its number once it accepts
    # clients, so there is no guessing and no waiting by the clock.
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "64x64x8"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as announced:
        number = announced.readline().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def x_display(xvfb: str, no_display: None, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DISPLAY", xvfb)
    return xvfb


def x_clipboard(display: str) -> str:
    result = subprocess.run(
        ["xclip", "-o", "-selection", "clipboard"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        check=True,
        timeout=10,
    )
    return result.stdout.decode("utf-8")


def test_pyperclip_path_puts_the_exact_text_on_a_real_x_clipboard(
    x_display: str, tmp_path: Path
) -> None:
    report = copy_text(TEXT, osc52=None, fallback_dir=tmp_path)
    assert x_clipboard(x_display) == TEXT
    assert report.local_confirmed
    assert report.via == "local"
    assert report.file is None
    assert list(tmp_path.iterdir()) == []
    assert report.summary == "Copied to the local clipboard."


def test_every_path_is_taken_and_named(x_display: str, tmp_path: Path) -> None:
    sent: list[str] = []
    report = copy_text(TEXT, osc52=sent.append, fallback_dir=tmp_path)
    assert sent == [TEXT]
    assert x_clipboard(x_display) == TEXT
    assert report.via == "osc52+local"
    assert f"sent via OSC 52 ({OSC52_NOTE})" in report.summary


def test_a_stale_display_is_caught_and_says_nothing_on_the_terminal(
    xvfb: str,
    no_display: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A display number nobody serves: xclip prints an error and exits, pyperclip says nothing.
    monkeypatch.setenv("DISPLAY", ":" + str(int(xvfb[1:]) + 1000))
    report = copy_text(TEXT, osc52=None, fallback_dir=tmp_path)
    assert not report.local_confirmed
    assert report.file is not None
    assert report.file.read_text(encoding="utf-8") == TEXT
    assert report.via == "file"
    assert str(report.file) in report.summary
    # xclip's "Can't open display" would be drawn over the full-screen app.
    assert capfd.readouterr().err == ""


def test_without_any_display_the_text_is_saved_to_a_file(no_display: None, tmp_path: Path) -> None:
    sent: list[str] = []
    report = copy_text(TEXT, osc52=sent.append, fallback_dir=tmp_path / "copies", name="resolved")
    assert sent == [TEXT]
    assert report.via == "osc52+file"
    assert report.file is not None and report.file.parent == tmp_path / "copies"
    assert report.file.name.startswith("resolved-")
    assert report.file.read_bytes() == TEXT.encode("utf-8")
    assert "no local clipboard" in report.summary
    assert report.summary.startswith(f"Sent via OSC 52 ({OSC52_NOTE})")
    assert f"; saved to {report.file}; no local clipboard (" in report.summary
    # pyperclip's paragraph-long explanation would fill the notification.
    assert "no X or Wayland display" in report.summary and "pyperclip" not in report.summary


def test_two_copies_in_the_same_second_keep_both_files(tmp_path: Path) -> None:
    first = copy_text("one", osc52=None, fallback_dir=tmp_path, local=None)
    second = copy_text("two", osc52=None, fallback_dir=tmp_path, local=None)
    assert first.file != second.file
    assert first.file is not None and first.file.read_text() == "one"
    assert second.file is not None and second.file.read_text() == "two"


def test_a_failing_osc52_does_not_stop_the_other_paths(tmp_path: Path) -> None:
    def broken(text: str) -> None:
        raise OSError("terminal gone")

    report = copy_text(TEXT, osc52=broken, fallback_dir=tmp_path, local=None)
    assert not report.osc52_sent
    assert report.via == "file"
    assert "OSC 52 failed (terminal gone)" in report.summary


def test_a_hung_clipboard_tool_is_abandoned(tmp_path: Path) -> None:
    release = threading.Event()

    def hanging() -> tuple[Callable[[str], None], Callable[[], str]]:
        release.wait(30)
        raise RuntimeError("released")

    try:
        report = copy_text(TEXT, osc52=None, fallback_dir=tmp_path, local=hanging, timeout=0.2)
    finally:
        release.set()
    assert report.via == "file"
    assert "did not answer within 0.2s" in report.summary


def test_pyperclip_errors_are_reported_not_raised(tmp_path: Path) -> None:
    def unavailable() -> tuple[Callable[[str], None], Callable[[], str]]:
        raise RuntimeError("Pyperclip could not find a copy/paste mechanism for your system.")

    report = copy_text(TEXT, osc52=None, fallback_dir=tmp_path, local=unavailable)
    assert report.via == "file"
    assert report.summary.endswith(
        "; no local clipboard (Pyperclip could not find a copy/paste mechanism for your system.)."
    )


def test_large_text_warns_about_tmux_limit(tmp_path: Path) -> None:
    big = "x" * (800 * 1024)
    report = copy_text(big, osc52=lambda text: None, fallback_dir=tmp_path, local=None)
    assert "tmux drops OSC 52 sequences over 1 MiB" in report.summary
    small = copy_text("x" * 1000, osc52=lambda text: None, fallback_dir=tmp_path, local=None)
    assert small.warnings == ()


def test_nothing_copied_is_said_plainly(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    report = copy_text(TEXT, osc52=None, fallback_dir=blocked, local=None)
    assert not report.ok
    assert report.via == "none"
    assert report.summary.startswith("Nothing could be copied")
