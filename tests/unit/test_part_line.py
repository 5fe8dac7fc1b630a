"""Fitting the header's and the clock strip's parts to the width of the terminal."""

from __future__ import annotations

from warroom.ui.widgets.part_line import Part, place

PARTS = [
    Part("id", "INC-1"),
    Part("title", "Backend returning 503s"),
    Part("elapsed", "elapsed 0:12:00"),
]


def shown(width: int, parts: list[Part] = PARTS) -> dict[str, str]:
    return {p.part.name: p.shown for p in place(parts, width, fill="title", min_fill=8)}


def test_the_fill_takes_the_room_the_others_leave() -> None:
    placed = place(PARTS, 80, fill="title", min_fill=8)
    assert [(p.start, p.end) for p in placed] == [(0, 7), (7, 63), (63, 80)]
    assert [p.shown for p in placed] == ["INC-1", "Backend returning 503s", "elapsed 0:12:00"]


def test_a_fill_too_long_for_its_room_is_cut_with_an_ellipsis() -> None:
    assert shown(36)["title"] == "Backend r…"
    assert shown(36)["elapsed"] == "elapsed 0:12:00"


def test_past_the_minimum_fill_the_line_is_cropped_at_the_edge_and_says_so() -> None:
    # 7 + 10 = 17 cells before elapsed: 3 of its 17 cells fit, its leading space and "el".
    assert shown(20) == {"id": "INC-1", "title": "Backend…", "elapsed": "el"}
    assert "elapsed" not in shown(17)


def test_empty_parts_take_no_room_and_wide_characters_count_as_two_cells() -> None:
    parts = [Part("id", "INC-1"), Part("status", ""), Part("title", "障害対応")]
    placed = place(parts, 20, fill="title", min_fill=4)
    assert [p.part.name for p in placed] == ["id", "title"]
    assert placed[1].shown == "障害対応" and placed[1].end == 20
    cut = place(parts, 14, fill="title", min_fill=4)[1]
    assert cut.shown == "障害…" and cut.end == 14
