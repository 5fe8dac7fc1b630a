"""The terminal driver's input thread, fed through a real pipe: escape as soon as its delay
ends, every other sequence as before."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from textual import events
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from tests.support.war_room import war_room_app
from warroom.store import EventStore
from warroom.ui.driver import ESCAPE_DELAY_SECONDS, POLL_SECONDS, PromptEscapeDriver


class RecordingDriver(PromptEscapeDriver):
    """Keeps what the input thread would send the app, with the instant it was sent. Made
    on a running loop, as Textual makes its drivers; the tests block it, the thread not."""

    def __init__(self) -> None:
        super().__init__(App())
        self.sent: queue.Queue[tuple[float, Message]] = queue.Queue()

    def send_message(self, message: Message) -> None:
        self.sent.put((time.monotonic(), message))


@dataclass
class Terminal:
    driver: RecordingDriver
    write_end: int

    def press(self, data: bytes) -> float:
        sent_at = time.monotonic()
        os.write(self.write_end, data)
        return sent_at

    def next_key(self) -> tuple[float, events.Key]:
        while True:
            at, message = self.driver.sent.get(timeout=5)
            if isinstance(message, events.Key):
                return at, message


@contextmanager
def input_thread() -> Iterator[Terminal]:
    read_end, write_end = os.pipe()
    driver = RecordingDriver()
    driver.fileno = read_end
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        yield Terminal(driver, write_end)
    finally:
        driver.exit_event.set()
        thread.join(timeout=5)
        os.close(write_end)
        os.close(read_end)
        assert not thread.is_alive()


async def test_a_lone_escape_arrives_when_its_delay_ends_not_at_the_next_100_ms_poll() -> None:
    # Textual's own loop reports it no sooner than 100 ms after the byte, every time; the
    # fastest of five here allows the delay plus a generous 50 ms of thread wake-up.
    latencies = []
    with input_thread() as terminal:
        for _ in range(5):
            sent_at = terminal.press(b"\x1b")
            arrived_at, key = terminal.next_key()
            assert key.key == "escape"
            latencies.append(arrived_at - sent_at)
    assert min(latencies) >= ESCAPE_DELAY_SECONDS * 0.9
    assert min(latencies) < ESCAPE_DELAY_SECONDS + 0.05 < POLL_SECONDS


async def test_sequences_and_plain_keys_still_parse_even_split_across_two_reads() -> None:
    with input_thread() as terminal:
        terminal.press(b"\x1b[A")
        assert terminal.next_key()[1].key == "up"
        terminal.press(b"\x1b[")
        terminal.press(b"B")
        assert terminal.next_key()[1].key == "down"
        terminal.press("q é".encode()[:3])
        terminal.press("q é".encode()[3:])
        assert [terminal.next_key()[1].character for _ in range(3)] == ["q", " ", "é"]


async def test_the_thread_ends_when_its_pipe_ends() -> None:
    read_end, write_end = os.pipe()
    driver = RecordingDriver()
    driver.fileno = read_end
    os.close(write_end)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    thread.join(timeout=5)
    os.close(read_end)
    assert not thread.is_alive()


@pytest.mark.parametrize("textual_driver", [None, "textual.drivers.headless_driver:HeadlessDriver"])
def test_the_app_takes_it_in_place_of_linux_driver_only(
    monkeypatch: pytest.MonkeyPatch, store: EventStore, textual_driver: str | None
) -> None:
    monkeypatch.setattr("textual.constants.DRIVER", textual_driver)
    chosen = war_room_app(store, None).driver_class
    if textual_driver is None:
        assert chosen is PromptEscapeDriver and issubclass(chosen, LinuxDriver)
    else:
        assert chosen is HeadlessDriver
