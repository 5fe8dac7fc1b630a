from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.dom import DOMNode
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Static
from textual.widgets._toast import Toast

from tests.support.processes import pid_alive
from tests.support.war_room import WidgetHost, until
from warroom.logs.source import RestartPolicy
from warroom.playbook import LogPreset, LogSource
from warroom.ui.widgets.log_pane import LogPane
from warroom.ui.widgets.log_view import LogView

FAST = RestartPolicy(initial=0.05, maximum=0.2, healthy_after=60, kill_grace=0.5)

LINES = [
    "2026-01-01T10:00:01Z app[aaaaaaaa11] iad [info]GET / 200 5ms",
    "2026-01-01T10:00:02Z app[bbbbbbbb22] iad [error]DB timeout [bold]x[/]",
    "2026-01-01T10:00:03Z app[aaaaaaaa11] iad [warn]GET /health 503 slow",
    "2026-01-01T10:00:04Z app[bbbbbbbb22] iad [debug]Timeout config loaded",
    "osc \x1b]52;c;aGk=\x07 and clear \x1b[2J",
]


def source(tmp_path: Path, name: str = "back", lines: list[str] = LINES) -> LogSource:
    path = tmp_path / f"{name}.py"
    path.write_text(
        textwrap.dedent(
            f"""
            import os, sys, time
            open({str(tmp_path / (name + ".pids"))!r}, "a").write(f"{{os.getpid()}}\\n")
            sys.stdout.write("".join(l + "\\n" for l in {lines!r}))
            sys.stdout.flush()
            time.sleep(600)
            """
        )
    )
    return LogSource(name, (sys.executable, str(path)))


def make(tmp_path: Path, *sources: LogSource) -> tuple[WidgetHost, LogPane]:
    pane = LogPane(
        sources=sources or (source(tmp_path),),
        presets=(LogPreset("errors", min_level="error"),),
        export_dir=tmp_path,
        policy=FAST,
    )
    return WidgetHost(pane), pane


async def lines_in(pane: LogPane, count: int) -> None:
    """Await the tail's batches until the buffer holds `count` lines (no sleeping)."""
    arrived = asyncio.Event()
    original = pane.tail.on_batch

    def hook(added: int, shown: int) -> None:
        assert original is not None
        original(added, shown)
        arrived.set()

    pane.tail.on_batch = hook
    try:
        while len(pane.tail.buffer) < count:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 15)
    finally:
        pane.tail.on_batch = original


def info(pane: LogPane) -> str:
    return str(pane.query_one("#log-info", Static).render())


def screen_text(pane: LogPane) -> str:
    view = pane.view
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def test_filter_highlight_count_and_invalid_regex(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await pilot.press("slash", *"timeout", "enter")
        assert pane.tail.buffer.match_count == 2
        assert "2 / 5" in info(pane)
        shown = screen_text(pane)
        assert "DB timeout" in shown and "Timeout config" in shown and "GET /" not in shown
        highlighted = {
            seg.text
            for y in range(2)
            for seg in pane.view.render_line(y)
            if seg.style is not None and seg.style.bgcolor is not None and seg.text.strip()
        }
        assert {"timeout", "Timeout"} <= highlighted
        await pilot.press("slash", "ctrl+u", *"(oops", "enter")
        error = str(pane.query_one("#log-error", Static).render())
        assert "filter not applied" in error and "(oops" in error
        assert pane.spec.include == ("timeout",) and pane.tail.buffer.match_count == 2
        await pilot.press("escape", "f")  # preset "errors": min level error
        assert pane.preset == "errors" and pane.tail.buffer.match_count == 1


async def test_untrusted_text_is_shown_not_run(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await pilot.pause()
        shown = screen_text(pane)
        assert "␛]52;c;aGk=␇ and clear ␛[2J" in shown
        assert "[bold]x[/]" in shown  # markup stays literal
        assert "\x1b" not in shown and "\x07" not in shown


async def test_pause_counts_new_lines_and_resume_jumps_to_end(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await pilot.press("space")
        assert not pane.following
        await pilot.press("up", "up")
        selected = pane.view.cursor_seq
        await pilot.press("r")  # restart: the source prints its five lines again
        await lines_in(pane, 10)
        pane._tick()
        assert pane.new_while_paused == 5 and "paused +5 new" in info(pane)
        assert pane.view.cursor_seq == selected  # the view held still
        await pilot.press("space")
        assert pane.following and pane.view.cursor == pane.view.rows - 1


async def test_pausing_and_following_again_restyle_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The info line says which; a restyle of the pane's widgets (a class on the pane) was
    # most of what space cost during a flood, and no style ever read it.
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await pilot.pause()
        restyled: list[DOMNode] = []
        update_styles = app.update_styles

        def recorded(node: DOMNode, animate: bool = True) -> None:
            restyled.append(node)
            update_styles(node, animate=animate)

        monkeypatch.setattr(app, "update_styles", recorded)
        await pilot.press("space")
        await until(pilot, lambda: "paused" in info(pane), what="paused")
        await pilot.press("space")
        await until(pilot, lambda: "following" in info(pane), what="following again")
        assert [node for node in restyled if pane in node.ancestors_with_self] == []


async def test_editing_keys_in_the_filter_box_do_not_pause(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        pane.view.focus()
        await pilot.press("home")  # in the view: reading back, so it pauses
        assert not pane.following
        await pilot.press("space")
        assert pane.following
        await pilot.press("slash", *"time", "home", "up")  # in the box: just editing
        assert pane.following


async def test_pin_posts_line_with_its_own_time_and_source(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    messages: list[Message] = []
    async with app.run_test(size=(120, 30), message_hook=messages.append) as pilot:
        await lines_in(pane, 5)
        await pilot.press("space", "home", "down", "p")
        await pilot.pause()
    # The hook sees a bubbling message at each level; count distinct messages.
    pinned = list({id(m): m for m in messages if isinstance(m, LogPane.PinRequested)}.values())
    assert len(pinned) == 1
    record = pinned[0].record
    assert record.source == "back" and "DB timeout" in record.raw
    assert record.time is not None and record.time.isoformat() == "2026-01-01T10:00:02+00:00"


async def test_marks_and_jump_to_time(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await pilot.press("space", "home", "m", "down", "down", "m", "end")
        await pilot.press("left_square_bracket")
        assert pane.view.cursor == 2
        await pilot.press("left_square_bracket")
        assert pane.view.cursor == 0
        await pilot.press("t", *"10:00:03", "enter")
        assert pane.view.cursor == 2


async def test_export_writes_shown_lines_to_named_file(tmp_path: Path) -> None:
    app, pane = make(tmp_path)
    exported: list[LogPane.Exported] = []
    written = asyncio.Event()

    def hook(message: Message) -> None:
        if isinstance(message, LogPane.Exported):
            exported.append(message)
            written.set()

    async with app.run_test(size=(120, 30), message_hook=hook) as pilot:
        await lines_in(pane, 5)
        await pilot.press("slash", *"timeout", "enter", "e")
        await asyncio.wait_for(written.wait(), 15)
    path = exported[0].path
    assert path.parent == tmp_path and path.name.startswith("incident-logs-")
    assert len(path.stem) == len("incident-logs-YYYYMMDD-HHMMSS")
    text = path.read_text()
    assert text.splitlines() == [f"back {LINES[1]}", f"back {LINES[3]}"]


async def test_quarter_screen_and_no_child_survives_the_app(tmp_path: Path) -> None:
    sources = (source(tmp_path, "frontend"), source(tmp_path, "backend"))
    app, pane = make(tmp_path, *sources)
    async with app.run_test(size=(48, 10)) as pilot:
        await lines_in(pane, 10)
        await pilot.pause()
        status = str(pane.query_one("#log-status", Static).render())
        assert "frontend: streaming" in status
        shown = screen_text(pane)
        assert shown.count("\n") >= 4 and "10:00:0" in shown
        pids = [
            int(p)
            for s in ("frontend", "backend")
            for p in (tmp_path / f"{s}.pids").read_text().split()
        ]
    for pid in pids:
        assert not pid_alive(pid), f"source {pid} survived the app"


async def test_the_info_line_names_the_zone_the_rows_are_in(tmp_path: Path) -> None:
    pane = LogPane(sources=(source(tmp_path),), tz=ZoneInfo("Asia/Kathmandu"), policy=FAST)
    app = WidgetHost(pane)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        await until(pilot, lambda: "times +0545" in info(pane), what="the zone in the info line")


async def test_a_line_wider_than_the_pane_does_not_hide_the_newest_row(tmp_path: Path) -> None:
    lines = [f"2026-12-03T03:00:00Z app[1] iad [info] line {n}" for n in range(40)]
    lines.append("2026-12-03T03:00:09Z app[1] iad [error] FATAL " + "x" * 400)
    pane = LogPane(sources=(source(tmp_path, lines=lines),), policy=FAST)
    app = WidgetHost(pane)
    async with app.run_test(size=(80, 12)) as pilot:
        await lines_in(pane, len(lines))
        view = pane.view
        await until(pilot, lambda: view.show_horizontal_scrollbar, what="the wide line's scrollbar")
        await until(
            pilot,
            lambda: "FATAL" in view.render_line(view.scrollable_content_region.height - 1).text,
            what="the newest row visible above the scrollbar",
        )


async def test_a_row_scrolled_sideways_shows_its_columns_from_there(tmp_path: Path) -> None:
    wide = "2026-12-03T03:00:09Z app[1] iad [error] FATAL " + "0123456789" * 40
    pane = LogPane(sources=(source(tmp_path, lines=[wide]),), policy=FAST)
    app = WidgetHost(pane)
    async with app.run_test(size=(80, 12)) as pilot:
        await lines_in(pane, 1)
        view = pane.view
        await until(pilot, lambda: view.max_scroll_x > 0, what="room to scroll sideways")
        width = view.scrollable_content_region.width
        unscrolled = view.render_line(0).text
        view.scroll_to(x=30, animate=False)
        await until(pilot, lambda: view.scroll_x == 30, what="scrolled")
        scrolled = view.render_line(0).text
        assert len(unscrolled) == len(scrolled) == width
        assert scrolled[: width - 30] == unscrolled[30:]
        assert scrolled[width - 30 :].isdigit()  # what lay past the unscrolled edge


async def test_a_secret_in_a_source_command_is_masked_in_the_status_line(tmp_path: Path) -> None:
    secret = "s3cr3t-t0ken"
    missing = LogSource("back", (str(tmp_path / secret / "fly"), "logs"))
    pane = LogPane(sources=(missing,), policy=FAST, secrets=frozenset({secret}))
    app = WidgetHost(pane)
    async with app.run_test(size=(120, 30)) as pilot:
        status = pane.query_one("#log-status", Static)
        await until(pilot, lambda: "not found" in str(status.render()), what="source not found")
        assert secret not in str(status.render()) and "•••" in str(status.render())


async def test_with_many_sources_a_missing_one_is_still_seen_at_a_narrow_width(
    tmp_path: Path,
) -> None:
    streaming = [source(tmp_path, name) for name in ("front", "back", "mcp", "worker")]
    missing = LogSource("cron", (str(tmp_path / "no-such-program"),))
    pane = LogPane(sources=(*streaming, missing), policy=FAST)
    app = WidgetHost(pane)
    async with app.run_test(size=(60, 20)) as pilot:
        status = pane.query_one("#log-status", Static)

        def seen() -> str:
            # What fits in the line's width is what is seen: the rest is cut off.
            shown = str(status.render())
            return shown if cell_len(shown) <= status.content_region.width else ""

        await until(
            pilot,
            lambda: "cron: not found" in seen() and "+4 streaming" in seen(),
            what="the missing source, and the others counted",
        )


async def test_a_focus_move_redraws_the_cursor_row_not_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, pane = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await lines_in(pane, 5)
        # The view takes new lines on its own beat: every row drawn as it stands, first.
        await until(pilot, lambda: pane.view.virtual_size.height == 5, what="5 rows shown")
        await until(pilot, lambda: pane.view.cursor == 4, what="the cursor on the newest")
        await pilot.pause()
        drawn: list[int] = []
        draw = LogView._draw

        def counting(
            self: LogView, row: int, width: int, scroll_x: int, *, cursor: Style | None
        ) -> Strip:
            drawn.append(row)
            return draw(self, row, width, scroll_x, cursor=cursor)

        monkeypatch.setattr(LogView, "_draw", counting)
        assert pane.view.has_focus
        pane.view.blur()
        await until(pilot, lambda: not pane.view.has_focus, what="focus left")
        await pilot.pause()
        # The cursor's colours differ with the focus; no other row does.
        assert drawn == [pane.view.cursor]
        drawn.clear()
        pane.view.focus()
        await until(pilot, lambda: pane.view.has_focus, what="focus back")
        await pilot.pause()
        assert drawn == []  # the cursor row as drawn focused is still at hand
        drawn.clear()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert set(drawn) == set(range(5))  # a new theme: every row anew (once or twice)


async def test_where_an_export_went_is_said_as_the_path_is_not_read_as_markup(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "[bold red]logs"
    folder.mkdir()
    pane = LogPane(sources=(source(tmp_path),), export_dir=folder, policy=FAST)
    app = WidgetHost(pane)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await lines_in(pane, 5)
        await pilot.press("e")
        await until(pilot, lambda: bool(app.screen.query(Toast)), what="the export said")
        said = [str(toast.render()) for toast in app.screen.query(Toast)]
    assert any(f"to {folder}/incident-logs-" in text for text in said), said
