"""Dialogs built once and asked again: each opening asks afresh, and a question asked while
the one prompt is still on screen gets a prompt of its own."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Button, Label, OptionList

from tests.support.war_room import declare, until, war_room_app, war_room_screen
from warroom.store import EventStore
from warroom.ui.screens.confirm import ConfirmScreen, confirm
from warroom.ui.screens.dialog import Dialog
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


async def test_the_confirmation_asks_afresh_without_the_last_ones_detail(
    store: EventStore,
) -> None:
    app = war_room_app(store, await declare(store))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: war_room_screen(app).state is not None, what="loaded")
        answers: list[bool | None] = []
        confirm(app, answers.append, "Retract it?", detail="[b]kept[/b]", yes="Retract")
        await until(pilot, lambda: shown(app, "Retract it?"), what="asked")
        first = app.screen
        detail = first.query_one("#confirm-detail", Label)
        assert detail.display and str(detail.render()) == "[b]kept[/b]"  # never markup
        assert str(first.query_one("#yes", Button).label) == "Retract (y)"
        await pilot.press("y")
        await until(pilot, lambda: answers == [True], what="answered")
        await until(pilot, lambda: isinstance(first, Dialog) and not first.showing, what="away")

        confirm(app, answers.append, "Resolve it?")
        await until(pilot, lambda: shown(app, "Resolve it?"), what="asked again")
        assert app.screen is first
        assert not first.query_one("#confirm-detail", Label).display
        assert str(first.query_one("#yes", Button).label) == "Yes (y)"
        assert first.focused is first.query_one("#no", Button)  # the safe answer
        await pilot.press("enter")
        await until(pilot, lambda: answers == [True, False], what="answered no")


def shown(app: App[Any], question: str) -> bool:
    """Whether a confirmation asking `question` is on top, its widgets there."""
    asked = app.screen.query("#confirm-question")
    return (
        isinstance(app.screen, ConfirmScreen)
        and bool(asked)
        and (str(asked.first(Label).render()) == question)
    )
