"""Dialogs built once and asked again: each opening asks afresh, and a question asked while
the one prompt is still on screen gets a prompt of its own."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Label, OptionList

from tests.support.war_room import declare, until, war_room_app, war_room_screen
from warroom.store import EventStore
from warroom.ui.screens.prompts import ChoicePrompt, ask_choice


def asking(app: App[Any]) -> ChoicePrompt | None:
    """The choice prompt on top, once its widgets are there."""
    prompt = app.screen
    if isinstance(prompt, ChoicePrompt) and prompt.query("#choice-question"):
        return prompt
    return None


def question(prompt: ChoicePrompt) -> str:
    return str(prompt.query_one("#choice-question", Label).render())


def options(prompt: ChoicePrompt) -> list[str]:
    listed = prompt.query_one(OptionList)
    return [str(listed.get_option_at_index(i).id) for i in range(listed.option_count)]


async def test_the_choice_prompt_asks_afresh_and_a_second_question_gets_its_own(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store, severity="P2"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        await pilot.press("s")
        await until(pilot, lambda: asking(app), what="severity prompt")
        severity = asking(app)
        assert severity is not None and question(severity) == "Severity:"
        assert severity.query_one(OptionList).highlighted == options(severity).index("P2")

        answers: list[str | None] = []
        ask_choice(app, "Which?", [("x", "X"), ("y", "Y")], answers.append, selected="y")
        await until(pilot, lambda: asking(app) not in (None, severity), what="its own prompt")
        second = asking(app)
        assert second is not None and question(second) == "Which?"
        await pilot.press("enter")
        await until(pilot, lambda: answers == ["y"], what="the second answered")
        assert app.screen is severity and question(severity) == "Severity:"
        await pilot.press("escape")
        await until(pilot, lambda: not severity.showing, what="put away")

        ask_choice(app, "Again?", [("a", "A"), ("b", "B")], answers.append)
        await until(pilot, lambda: asking(app), what="asked again")
        assert asking(app) is severity  # the one prompt, set up anew
        assert question(severity) == "Again?" and options(severity) == ["a", "b"]
        assert severity.query_one(OptionList).highlighted == 0
        await pilot.press("down", "enter")
        await until(pilot, lambda: answers == ["y", "b"], what="answered")
