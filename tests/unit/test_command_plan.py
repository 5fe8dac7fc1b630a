"""What may run: placeholders filled only from given values, confirmation by the app name,
read-only refusing destructive commands, every refusal a sentence and nothing prepared."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.paths import SHIPPED_PLAYBOOK
from warroom.commands import Refusal, Refused, Runnable, find, fly_app, for_argv, prepare, runnables
from warroom.commands.plan import masked_argv
from warroom.playbook import load_playbook

DEPLOY = Runnable(
    name="rollback-backend",
    argv=("fly", "deploy", "--app", "slurpy-backend", "--image", "<image-ref>"),
    kind="emergency",
    confirm=True,
)


def refusal(runnable: Runnable, values: dict[str, str], **kwargs: object) -> Refused:
    with pytest.raises(Refused) as caught:
        prepare(runnable, values, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_placeholders_are_filled_from_the_given_values_only() -> None:
    secret_step = Runnable(
        name="set-key",
        argv=("fly", "secrets", "set", "KEY=<new-key>", "--app", "a", "<new-key>"),
        kind="step",
    )
    assert secret_step.placeholders == ("new-key",)

    argv = prepare(secret_step, {"new-key": "x; touch pwned <new-key>"})

    assert argv == (
        "fly",
        "secrets",
        "set",
        "KEY=x; touch pwned <new-key>",
        "--app",
        "a",
        "x; touch pwned <new-key>",
    )


def test_an_unfilled_placeholder_is_refused_with_what_to_give() -> None:
    refused = refusal(DEPLOY, {}, confirmation="slurpy-backend")

    assert refused.reason == Refusal.UNFILLED
    assert str(refused) == (
        "rollback-backend needs a value for <image-ref> (--set image-ref=...); nothing was run."
    )
    assert refusal(DEPLOY, {"image-ref": ""}).reason == Refusal.UNFILLED


def test_a_value_for_no_placeholder_or_one_that_looks_like_an_option_is_refused() -> None:
    typo = refusal(DEPLOY, {"image": "x"}, confirmation="slurpy-backend")
    option = refusal(DEPLOY, {"image-ref": "--help"}, confirmation="slurpy-backend")

    assert typo.reason == option.reason == Refusal.BAD_VALUE
    assert "has no <image>: it takes <image-ref>" in str(typo)
    assert "would be read as an option" in str(option)


@pytest.mark.parametrize("typed", [None, "", "slurpy-frontend", "SLURPY-BACKEND"])
def test_a_destructive_command_needs_its_app_name_exactly(typed: str | None) -> None:
    refused = refusal(DEPLOY, {"image-ref": "registry.fly.io/b:v1"}, confirmation=typed)

    assert refused.reason == Refusal.NOT_CONFIRMED
    assert "confirm it with the app name 'slurpy-backend'" in str(refused)


def test_the_right_app_name_lets_it_through() -> None:
    argv = prepare(DEPLOY, {"<image-ref>": "registry.fly.io/b:v1"}, confirmation=" slurpy-backend ")

    assert argv[-1] == "registry.fly.io/b:v1"


def test_read_only_refuses_destructive_commands_even_confirmed() -> None:
    refused = refusal(
        DEPLOY, {"image-ref": "registry.fly.io/b:v1"}, confirmation="slurpy-backend", read_only=True
    )
    listing = Runnable(name="releases", argv=("fly", "releases", "--app", "b"), kind="emergency")

    assert refused.reason == Refusal.READ_ONLY
    assert "destructive and this warroom is read-only" in str(refused)
    assert prepare(listing, read_only=True) == ("fly", "releases", "--app", "b")


@pytest.mark.parametrize(
    ("argv", "app"),
    [
        (("fly", "status", "--app", "x"), "x"),
        (("fly", "status", "-a", "y"), "y"),
        (("fly", "status", "--app=z"), "z"),
        (("fly", "apps", "restart", "slurpy-backend"), None),
        (("fly", "status", "--app"), None),
    ],
)
def test_the_app_of_a_command(argv: tuple[str, ...], app: str | None) -> None:
    assert fly_app(argv) == app


def test_without_an_app_the_confirmation_word_is_the_name() -> None:
    restart = Runnable(
        name="restart-backend", argv=("fly", "apps", "restart", "x"), kind="emergency"
    )
    assert restart.confirmation_word == "restart-backend"


def test_the_shipped_playbook_runs_emergency_commands_and_quick_checks_by_name() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    names = [runnable.name for runnable in runnables(playbook)]

    assert len(names) == len(set(names))
    assert find(playbook, "rollback-mcp").confirmation_word == "slurpy-mcp"
    assert find(playbook, "rollback-mcp").timeout == timedelta(minutes=10)
    git_log = find(playbook, "git-log")
    assert (git_log.kind, git_log.confirm) == ("quick check", False)
    assert "check-dashboards" not in names  # a quick check with no command runs nothing
    with pytest.raises(KeyError):
        find(playbook, "rollback")


def test_argv_shown_or_recorded_has_its_secrets_masked() -> None:
    argv = ("curl", "-H", "Authorization: Bearer s3cr3t-token", "https://x")

    assert masked_argv(argv, {"s3cr3t-token"})[2] == "Authorization: Bearer •••"


def test_a_runbook_step_asked_for_by_argv_keeps_its_flags_under_the_name_given() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK)
    restart = ("fly", "machine", "restart", "<machine-id>", "--app", "slurpy-frontend")
    shell = ("fly", "ssh", "console", "--app", "slurpy-backend")

    step = for_argv(playbook, restart, "Site is down: Restart one machine")
    interactive = for_argv(playbook, shell, "Database: Open a shell")
    unknown = for_argv(playbook, ("fly", "status", "--app", "x"), "typed")

    assert (step.name, step.confirm, step.placeholders) == (
        "Site is down: Restart one machine",
        True,
        ("machine-id",),
    )
    assert interactive.interactive and not interactive.confirm
    assert (unknown.confirm, unknown.interactive, unknown.kind) == (False, False, "step")
