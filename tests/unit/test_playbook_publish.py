"""[status_page], [chat] and [paging]: optional, read with their defaults, secrets from the
environment and never quoted in a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import MINIMAL_PLAYBOOK
from warroom.playbook import (
    PAGERDUTY_EVENTS_URL,
    STATUSPAGE_API,
    PlaybookError,
    load_playbook,
)

PUBLISHING = """
[status_page]
page_id = "pg1"
api_key = "${SP_KEY}"
components = { api = "cmp-api", "Fly.io" = "cmp-fly" }

[chat]
webhook = "${HOOK}"

[paging]
routing_key = "${ROUTING}"
"""

ENV = {"SP_KEY": "sp-secret-key", "HOOK": "https://hooks.example/B0/s3cr3t", "ROUTING": "rk-1234"}


def with_publishing(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "playbook.toml"
    path.write_text(MINIMAL_PLAYBOOK.read_text() + extra)
    return path


def test_without_the_tables_nothing_is_published() -> None:
    playbook = load_playbook(MINIMAL_PLAYBOOK, env={})

    assert (playbook.status_page, playbook.chat, playbook.paging) == (None, None, None)


def test_the_tables_are_read_with_their_defaults_and_secrets(tmp_path: Path) -> None:
    playbook = load_playbook(with_publishing(tmp_path, PUBLISHING), env=ENV)

    assert playbook.status_page is not None and playbook.chat and playbook.paging
    assert playbook.status_page.api == STATUSPAGE_API
    assert playbook.status_page.api_key == "sp-secret-key"
    assert dict(playbook.status_page.components) == {"api": "cmp-api", "Fly.io": "cmp-fly"}
    assert playbook.chat.webhook == ENV["HOOK"]
    assert playbook.paging.events_url == PAGERDUTY_EVENTS_URL
    assert set(ENV.values()) <= playbook.secrets


def test_a_bad_webhook_from_the_environment_is_named_not_quoted(tmp_path: Path) -> None:
    env = {**ENV, "HOOK": "not-a-url-s3cr3t"}

    with pytest.raises(PlaybookError) as caught:
        load_playbook(with_publishing(tmp_path, PUBLISHING), env=env)

    problems = "\n".join(caught.value.problems)
    assert "chat.webhook: the value of ${HOOK} is not an http" in problems
    assert "s3cr3t" not in problems
