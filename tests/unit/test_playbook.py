"""The playbook loader: the shipped playbook, `${VAR}` expansion, durations, and one bad
fixture per way a playbook can be wrong, each pinned to the line it must name."""

from __future__ import annotations

import string
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.paths import BAD_PLAYBOOKS, MINIMAL_PLAYBOOK, SHIPPED_PLAYBOOK
from warroom.playbook import (
    KEY_MOMENTS,
    POSTMORTEM_FIELDS,
    TEMPLATE_FIELDS,
    TEMPLATE_NAMES,
    EmergencyCommand,
    HealthSignal,
    LatencySignal,
    LogRateSignal,
    LogShareSignal,
    PlaybookError,
    Step,
    checker,
    load_playbook,
    parse_duration,
    toml_lines,
)


def problems_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path, env={} if env is None else env)
    return caught.value.problems


# --------------------------------------------------------------------------- shipped playbook


def test_shipped_playbook_has_every_section_of_the_seed() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})

    assert playbook.settings.product == "Slurpy"
    assert playbook.settings.status_update_interval == timedelta(minutes=15)
    assert [s.level for s in playbook.severities] == ["P0", "P1", "P2", "P3"]
    assert playbook.severity("P3").response_time == timedelta(days=14)
    assert playbook.severity("P3").response_label == "Next sprint"
    assert all(s.examples and s.actions for s in playbook.severities)
    assert [s.name for s in playbook.services] == ["frontend", "backend", "mcp"]
    assert all(s.interval == timedelta(seconds=10) for s in playbook.services)
    assert playbook.services[0].body is not None
    assert (playbook.services[0].body.path, playbook.services[0].body.equals) == ("status", "ok")
    assert playbook.services[1].body is not None and playbook.services[1].body.equals is True
    assert len(playbook.providers) == 4
    assert [s.service for s in playbook.log_sources] == ["frontend", "backend", "mcp"]
    assert {p.name for p in playbook.log_presets} == {"errors", "5xx", "slow", "oom"}
    assert [len(phase.items) for phase in playbook.phases] == [4, 4, 4, 4, 4]
    assert [(p.window_start, p.window_end) for p in playbook.phases][-1] == (
        timedelta(hours=24),
        timedelta(hours=48),
    )
    assert [e.escalate_after for e in playbook.escalation] == [
        timedelta(minutes=30),
        timedelta(hours=1),
        None,
    ]
    assert len(playbook.external_support) == 3
    assert len(playbook.runbooks) == 6
    assert all(r.symptoms and r.diagnosis and len(r.solutions) == 3 for r in playbook.runbooks)
    assert tuple(playbook.templates) == TEMPLATE_NAMES
    assert [stage.name for stage in playbook.post_incident] == [
        "Immediate",
        "Short-term",
        "Long-term",
    ]
    assert playbook.postmortem_template and playbook.quick_checks


def test_shipped_checklist_sets_each_key_moment_once() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    moments = {item.moment: item.id for p in playbook.phases for item in p.items if item.moment}

    assert set(moments) == set(KEY_MOMENTS)
    assert moments["detected"] == "alert-received"
    assert playbook.item("status-page-resolved").moment == "resolved"


def test_shipped_commands_are_ones_flyctl_has() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    argvs = [c.command for c in playbook.emergency_commands] + [
        step.command
        for runbook in playbook.runbooks
        for step in (*runbook.diagnosis, *(s for sol in runbook.solutions for s in sol.steps))
    ]
    argvs = [argv for argv in argvs if argv]

    assert argvs
    for argv in argvs:
        assert "rollback" not in argv, argv
        if argv[:2] == ("fly", "releases"):
            assert "list" not in argv, argv
        if argv[:3] == ("fly", "scale", "count"):
            assert "--yes" in argv
    rollback = [c for c in playbook.emergency_commands if c.name == "rollback-backend"]
    assert rollback[0].command == (
        "fly",
        "deploy",
        "--app",
        "slurpy-backend",
        "--image",
        "<image-ref>",
    )
    check = [c for c in playbook.emergency_commands if c.group == "Check all health endpoints"]
    assert check[0].command == ("warroom", "check")


def test_shipped_destructive_commands_need_confirmation_and_have_timeouts() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    steps: list[Step | EmergencyCommand] = [
        step
        for runbook in playbook.runbooks
        for step in (*runbook.diagnosis, *(s for sol in runbook.solutions for s in sol.steps))
    ]
    acting = ("deploy", "restart", "scale", "set")

    steps += playbook.emergency_commands
    for command in steps:
        destructive = any(word in command.command[:4] for word in acting)
        assert command.confirm == destructive, command.command
    deploys = [c for c in steps if "deploy" in c.command]
    assert deploys and all(c.timeout == timedelta(minutes=10) for c in deploys)
    assert playbook.emergency_commands[0].timeout == timedelta(minutes=2)
    assert not playbook.settings.read_only


def test_quick_checks_are_named_for_warroom_run(tmp_path: Path) -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    names = {check.name: check for check in playbook.quick_checks}

    assert names["git-log"].command == ("git", "log", "--oneline", "-10")
    assert names["check-dashboards"].label == "Check dashboards"  # no name: the label's slug
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    text += '\n[[quick_check]]\nlabel = "Is it down?"\ncommand = ["true"]\ntimeout = "5s"\n'
    text += '\n[[quick_check]]\nname = "is-it-down"\nnote = "twice"\nlabel = "Again"\n'
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")

    assert any(
        "quick_check[1].name: duplicate quick check name 'is-it-down'" in problem
        for problem in problems_of(path)
    )


def test_shipped_templates_use_only_known_placeholders_and_no_brackets() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    filled = {name: f"<{name}>" for name in TEMPLATE_FIELDS}
    for template in playbook.templates.values():
        text = template.text.format(**filled)
        assert "[brief description]" not in text and "[timestamp" not in text
    email = playbook.templates["email"]
    assert email.subject.format(**filled) == "[Resolved] Service Disruption on <date>"
    assert "The <product> Team" in email.text.format(**filled)
    fields = {f for _, f, _, _ in string.Formatter().parse(playbook.postmortem_template) if f}
    assert {"duration", "root_cause", "action_items"} <= fields <= set(POSTMORTEM_FIELDS)


# --------------------------------------------------------------------------- expansion, durations


def test_variables_are_expanded_from_the_given_environment(tmp_path: Path) -> None:
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    text = text.replace("https://api.example.com/health", "https://${API_HOST}/health")
    text = text.replace('"Acme"', '"${PRODUCT} (literal $${PRODUCT})"')
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")

    playbook = load_playbook(path, env={"API_HOST": "api.acme.test", "PRODUCT": "Acme"})

    assert playbook.services[0].url == "https://api.acme.test/health"
    assert playbook.settings.product == "Acme (literal ${PRODUCT})"


def test_variables_default_to_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "playbook.toml"
    path.write_text(
        MINIMAL_PLAYBOOK.read_text(encoding="utf-8").replace('"Acme"', '"${WARROOM_TEST_PRODUCT}"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("WARROOM_TEST_PRODUCT", "FromEnv")

    assert load_playbook(path).settings.product == "FromEnv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("2d", timedelta(days=2)),
        ("0m", timedelta(0)),
    ],
)
def test_durations_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5", "m", "5 m", "1h30m", "-5m", "1.5h", "5M", "2w", " 5m"])
def test_bad_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_durations_go_up_to_ten_years() -> None:
    assert parse_duration("3650d") == parse_duration("315360000s") == timedelta(days=3650)


@pytest.mark.parametrize("text", ["3651d", "87601h", "99999999999d", "9" * 5000 + "s"])
def test_too_long_durations_are_a_value_error_not_an_overflow(text: str) -> None:
    with pytest.raises(ValueError, match="is too long; the longest duration is '3650d'"):
        parse_duration(text)


def test_a_duration_error_names_the_text_as_the_caller_shows_it() -> None:
    with pytest.raises(ValueError, match=r"^the value of \$\{X\} is not a duration") as caught:
        parse_duration("hunter2", shown="the value of ${X}")
    assert "hunter2" not in str(caught.value)


# --------------------------------------------------------------------------- bad playbooks

# fixture name -> (line the problem must name, fragment of its message)
BAD_CASES: dict[str, tuple[int, str]] = {
    "syntax_error": (13, "invalid TOML"),
    "unknown_key": (28, "unknown key 'urll' (did you mean 'url'?)"),
    "unknown_section": (31, "unknown key 'providers'"),
    "wrong_type": (14, "must be a duration string"),
    "bool_for_int": (30, "failures_to_down: must be an integer, not a boolean"),
    "missing_key": (26, "missing required key 'url'"),
    "bad_duration": (19, "'24 hours' is not a duration"),
    "bad_url": (33, "'ftp://status.flyio.net' is not an http:// or https:// URL"),
    "bad_status_page_component": (80, "'web' is not a [[service]] or [[provider]] name"),
    "bad_chat_webhook": (78, "chat.webhook: 'hooks.slack.com/services/T0/B0/x' is not an http"),
    "bad_paging_key": (79, "unknown key 'event_url' (did you mean 'events_url'?)"),
    "url_without_host": (28, "is not an http:// or https:// URL with a host"),
    "duplicate_service": (32, "duplicate service name 'api'"),
    "unknown_service": (37, "no [[service]] is named 'apii'"),
    "empty_phase": (44, "a phase needs at least one [[phase.item]]"),
    "unknown_placeholder": (61, "unknown placeholder {reason}"),
    "postmortem_field_in_template": (64, "unknown placeholder {duration}"),
    "unknown_postmortem_placeholder": (75, "unknown placeholder {durations}"),
    "unbalanced_brace": (72, "expected '}'"),
    "unset_variable": (28, "environment variable WARROOM_TEST_UNSET_HOST is not set"),
    "bad_regex": (42, "bad regular expression '(unclosed'"),
    "lookaround_regex": (42, "'(?<!health)check': lookaround ((?=, (?!, (?<=, (?<!) is not"),
    "missing_severity": (6, "level P3 missing"),
    "bad_severity_level": (22, "'P4' is not one of 'P0', 'P1', 'P2', 'P3'"),
    "duplicate_severity": (17, "duplicate severity level 'P1'"),
    "bad_template_name": (63, "template.monitor: unknown template"),
    "bad_for_status": (67, "template.resolved.for_status: 'closed' is not one of 'open'"),
    "unknown_moment": (51, "'noticed' is not one of 'detected'"),
    "empty_command": (55, "emergency[0].command: must name a program to run"),
    "bad_timezone": (4, "'Mars/Olympus' is not a known IANA time zone"),
    "duplicate_item_id": (54, "duplicate checklist item id 'alert-received'"),
    "bracket_in_multiline_string": (70, "unknown key 'colour'"),
    "unknown_key_in_inline_table": (29, "service[0].body.equls: unknown key 'equls'"),
    "format_spec": (64, "placeholder {started} takes no format spec or conversion"),
    "huge_duration": (19, "'99999999999d' is too long; the longest duration is '3650d'"),
    "bad_timeout": (56, "emergency[0].timeout: '2 minutes' is not a duration"),
    "interactive_with_timeout": (57, "timeout: an interactive command has the terminal until"),
    "signal_unknown_kind": (82, "signal[0].kind: 'vibes' is not one of 'health', 'latency'"),
    "signal_unknown_target": (83, "signal[0].target: no [[service]] or [[provider]] is named"),
    "signal_bad_pattern": (84, "signal[0].pattern: bad regular expression '(psycopg)\\\\1'"),
    "signal_bad_percent": (84, "above_percent: must be between 0 and 100, not 150"),
    "signal_unknown_source": (83, "signal[0].source: no [[log_source]] is named 'acme-apii'"),
    "quick_check_named_like_command": (
        53,
        "quick_check[0].name: 'restart-api' is also the name of an [[emergency]] command",
    ),
}

# Bad fixtures whose bad value is a secret from ${WARROOM_TEST_SECRET}: fixture name ->
# (the secret, line the problem must name, fragment of its message).
SECRET_CASES: dict[str, tuple[str, int, str]] = {
    "secret_timezone": (
        "hunter2/Zone",
        4,
        "settings.display_timezone: the value of ${WARROOM_TEST_SECRET} is not a known IANA",
    ),
    "secret_url": (
        "ops:hunter2@",
        28,
        "the value of 'https://${WARROOM_TEST_SECRET}/health' is not an http:// or https:// URL",
    ),
    "secret_duration": (
        "hunter2",
        46,
        "phase[0].window: the value of ${WARROOM_TEST_SECRET} is not a duration like '30s'",
    ),
}


def test_every_bad_fixture_has_an_expectation() -> None:
    assert {path.stem for path in BAD_PLAYBOOKS.glob("*.toml")} == set(BAD_CASES) | set(
        SECRET_CASES
    )


def test_the_base_of_the_bad_fixtures_is_valid() -> None:
    assert load_playbook(MINIMAL_PLAYBOOK, env={}).settings.product == "Acme"


@pytest.mark.parametrize(("name", "line", "fragment"), [(n, *c) for n, c in BAD_CASES.items()])
def test_bad_playbook_is_rejected_at_its_line(name: str, line: int, fragment: str) -> None:
    path = BAD_PLAYBOOKS / f"{name}.toml"

    problems = problems_of(path)

    assert all("\n" not in problem for problem in problems)
    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), problems


@pytest.mark.parametrize(
    ("name", "secret", "line", "fragment"), [(n, *c) for n, c in SECRET_CASES.items()]
)
def test_a_bad_secret_is_named_by_its_variable_never_shown(
    name: str, secret: str, line: int, fragment: str
) -> None:
    path = BAD_PLAYBOOKS / f"{name}.toml"

    problems = problems_of(path, env={"WARROOM_TEST_SECRET": secret})

    assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), problems
    assert not any("hunter2" in problem for problem in problems), problems


def test_no_message_shows_a_value_from_the_environment(tmp_path: Path) -> None:
    # Every check that quotes a value, each given a bad value through ${VAR}.
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    for old, new in [
        ('display_timezone = "Europe/Paris"', 'display_timezone = "${ZONE}"'),
        ('response_time = "1h"', 'response_time = "${DURATION}"'),
        ('level = "P3"', 'level = "${LEVEL}"'),
        ('url = "https://api.example.com/health"', 'url = "${URL}"'),
        ('path = ".ok"', 'path = "${BODY_PATH}"'),
        ('page = "https://status.flyio.net"', 'page = "https://${PAGE_HOST}"'),
        ('service = "api"', 'service = "${SERVICE}"'),
        ('include = ["error"]', 'include = ["${PATTERN}"]'),
        ('moment = "detected"', 'moment = "${MOMENT}"'),
        ('text = "Investigating {description}."', 'text = "Investigating ${BRACES}."'),
        ('text = "Identified: {cause}."', 'text = "Identified: {cause} ${SPEC}."'),
        ('window = ["0m", "5m"]', 'window = ["${FROM}", "5m"]'),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    text += '\n[[log_preset]]\nname = "${PRESET}"\n'
    text += '\n[[log_preset]]\nname = "${PRESET}"\n'
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")
    env = {
        "ZONE": "hunter2",
        "DURATION": "hunter2",
        "LEVEL": "hunter2",
        "URL": "ftp://hunter2",
        "BODY_PATH": "hunter2!",
        "PAGE_HOST": "ops:hunter2@",
        "SERVICE": "hunter2",
        "PATTERN": "(?P<hunter2",
        "MOMENT": "hunter2",
        "BRACES": "{hunter2}",
        "SPEC": "{cause:hunter2}",
        "FROM": "99999999999d hunter2",
        "PRESET": "hunter2",
    }

    problems = problems_of(path, env=env)

    assert not [problem for problem in problems if "hunter2" in problem]
    # One problem per variable, naming it.
    for name in env:
        assert any(f"${{{name}}}" in problem for problem in problems), (name, problems)
    assert len(problems) == len(env) + 1  # and level P3 missing


def test_a_value_the_file_writes_is_still_quoted(tmp_path: Path) -> None:
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    text = text.replace('display_timezone = "Europe/Paris"', 'display_timezone = "$${ZONE}"')
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")

    assert problems_of(path, env={"ZONE": "Europe/Paris"}) == [
        f"{path}:4: settings.display_timezone: '${{ZONE}}' is not a known IANA time zone"
    ]


def test_several_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    text = text.replace('moment = "detected"', 'moment = "noticed"')
    text = text.replace('response_time = "1h"', 'response_time = "an hour"')
    text = text.replace('display_timezone = "Europe/Paris"', 'display_timezone = "Nowhere"')
    text = text.replace('level = "P3"', 'level = "P4"')  # also reports P3 missing, at line 6
    path = tmp_path / "playbook.toml"
    path.write_text(text, encoding="utf-8")

    problems = problems_of(path)

    # All three, in file order (the checker finds them in another order).
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == [4, 6, 14, 22, 51]


def test_an_unreadable_playbook_is_one_problem_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    assert problems_of(missing) == [
        f"{missing}: cannot read the playbook: No such file or directory"
    ]


def test_shipped_runbooks_carry_their_signals() -> None:
    playbook = load_playbook(SHIPPED_PLAYBOOK, env={})
    signals = {r.name: r.signals for r in playbook.runbooks}

    assert all(signals.values()), "every shipped runbook can be suggested"
    assert HealthSignal("backend", "down") in signals["site-down"]
    database = signals["database-connection"]
    assert HealthSignal("Supabase", "degraded") in database
    rate = next(s for s in database if isinstance(s, LogRateSignal))
    assert (rate.source, rate.per_minute, rate.label) == ("backend", 5, "database errors")
    share = signals["high-error-rate"][0]
    assert isinstance(share, LogShareSignal) and share.above_percent == 5
    assert LatencySignal("frontend", 2000) in signals["slow-responses"]
    assert playbook.settings.repository == ""


def test_a_health_signal_reads_its_duration_and_a_share_its_minimum(tmp_path: Path) -> None:
    path = tmp_path / "playbook.toml"
    path.write_text(
        MINIMAL_PLAYBOOK.read_text(encoding="utf-8").replace(
            'product = "Acme"', 'product = "Acme"\nrepository = "../app"'
        )
        + """
[[runbook]]
name = "site-down"
title = "Site is down"

[[runbook.signal]]
kind = "health"
target = "Fly.io"
state = "degraded"
for = "2m"

[[runbook.signal]]
kind = "log_share"
source = "acme-api"
pattern = 'error|5\\d\\d'
above_percent = 2.5
min_lines = 100
label = "errors"
""",
        encoding="utf-8",
    )

    playbook = load_playbook(path, env={})

    assert playbook.settings.repository == "../app"
    assert playbook.runbooks[0].signals == (
        HealthSignal("Fly.io", "degraded", timedelta(minutes=2)),
        LogShareSignal("error|5\\d\\d", 2.5, "acme-api", "errors", 100),
    )


def test_the_settings_name_a_theme_or_leave_it_to_the_default(tmp_path: Path) -> None:
    assert load_playbook(MINIMAL_PLAYBOOK).settings.theme == ""
    text = MINIMAL_PLAYBOOK.read_text(encoding="utf-8")
    path = tmp_path / "playbook.toml"
    path.write_text(text.replace('product = "Acme"', 'product = "Acme"\ntheme = "light"'))
    assert load_playbook(path).settings.theme == "light"
    path.write_text(text.replace('product = "Acme"', 'product = "Acme"\ntheme = ""'))
    assert any(":4: settings.theme" in problem for problem in problems_of(path))


def test_a_clean_playbook_is_not_scanned_for_lines_but_a_problem_names_its_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The line scan costs ~5 ms of every start; only a problem needs it."""
    scans: list[str] = []
    locate = toml_lines.locate

    def scanning(text: str) -> dict[tuple[str | int, ...], int]:
        scans.append(text)
        return locate(text)

    monkeypatch.setattr(checker, "locate", scanning)
    load_playbook(SHIPPED_PLAYBOOK)
    assert scans == []
    broken = tmp_path / "playbook.toml"
    text = MINIMAL_PLAYBOOK.read_text() + '\n[[log_source]]\nname = "x"\ncommand = "fly logs"\n'
    broken.write_text(text)
    with pytest.raises(PlaybookError) as raised:
        load_playbook(broken)
    line = text.splitlines().index('command = "fly logs"') + 1
    assert f"{broken}:{line}:" in str(raised.value)
    assert len(scans) == 1
