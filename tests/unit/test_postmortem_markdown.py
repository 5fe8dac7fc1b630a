"""The post-mortem document as Markdown: every section, and untrusted text kept as text.

The document is parsed back with markdown-it (CommonMark, as GitHub renders it) rather than
searched for strings: what matters is the structure a renderer sees.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.support.event_log import EventLog, declared_log
from tests.support.paths import SHIPPED_PLAYBOOK
from tests.support.times import T0, minutes
from warroom.incident import events as ev
from warroom.incident.fold import derive
from warroom.incident.metrics import metrics
from warroom.incident.postmortem import EXTRA_SECTIONS, render_markdown
from warroom.playbook import Playbook, load_playbook

PLAYBOOK = load_playbook(SHIPPED_PLAYBOOK)
NOW = T0 + minutes(600)
HOSTILE = "# Owned\n<script>alert(1)</script> [click](javascript:x) **bold** | a | b |\n---\n1. x"


def document(log: EventLog, playbook: Playbook = PLAYBOOK) -> str:
    state = derive(log.events, playbook)
    return render_markdown(state, playbook, now=NOW, metrics=metrics(state, playbook, now=NOW))


def tokens(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def headings(text: str) -> list[str]:
    found = tokens(text)
    return [
        found[index + 1].content
        for index, token in enumerate(found)
        if token.type == "heading_open"
    ]


def template_headings() -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in PLAYBOOK.postmortem_template.splitlines()
        if line.startswith("#")
    ]


def test_an_incident_with_only_its_declaration_has_every_section() -> None:
    text = document(declared_log())
    expected = [
        heading.replace("{incident_id}", "INC-20250301-001") for heading in template_headings()
    ]
    added = [
        heading
        for name, heading in EXTRA_SECTIONS.items()
        if f"{{{name}}}" not in PLAYBOOK.postmortem_template
    ]
    assert added == ["Pinned Log Lines", "Commands Run", "Communications Sent", "Metrics"]
    assert headings(text) == [*expected, *added]
    assert "**Severity**: P1 (High)" in text
    assert "(to be written)" in text  # root cause, what went well, …: a draft to finish
    assert "None pinned." in text and "None sent." in text and "None run from warroom." in text
    assert text.rstrip().endswith("not on who caused it.")  # the closing reminder stays last


def test_untrusted_text_never_changes_the_documents_structure() -> None:
    log = declared_log(title="API down")
    log.add(ev.note_added(HOSTILE), minute=2)
    log.add(ev.log_pinned("backend", "```\n# not a heading \x1b]52;c;SGVsbG8=\x07", T0), minute=3)
    log.add(
        ev.comms_copied("investigating", "Status: ```` fence\n# Heading?", "clipboard"), minute=4
    )
    log.add(ev.postmortem_field_set("root_cause", HOSTILE), minute=100)
    log.add(ev.postmortem_field_set("impact", "<b>all</b> users\n## for 20 minutes"), minute=100)
    log.add(ev.action_added("[x](y) <img src=x>", owner="<bob>"), minute=101)
    text = document(log)
    parsed = tokens(text)
    assert headings(text) == headings(document(declared_log()))
    assert [t.type for t in parsed if t.type == "hr"] == ["hr"]  # the template's own rule
    assert not [t for t in parsed if t.type == "html_block" or "table" in t.type]
    inline_children = [child for t in parsed if t.children for child in t.children]
    assert not [child for child in inline_children if child.type in ("html_inline", "link_open")]
    assert "<script>alert(1)</script>" in "".join(c.content for c in inline_children)
    fences = [t.content for t in parsed if t.type == "fence"]
    assert any("# not a heading ␛]52;c;SGVsbG8=␇" in fence for fence in fences)
    assert "Status: ```` fence\n# Heading?\n" in fences
    assert "\x1b" not in text


def test_written_lists_stay_lists_and_the_timeline_has_moments_and_notes_in_order() -> None:
    log = declared_log()
    log.add(ev.note_added("Rolled back to v41"), minute=20, actor="bob")
    log.add(ev.moment_set("identified", T0 + minutes(10)), minute=21)
    log.add(ev.resolved(), minute=30)
    log.add(ev.postmortem_field_set("went_well", "- Alert fired\n- Rollback took 2 min"), minute=99)
    text = document(log)
    assert "- Alert fired\n- Rollback took 2 min" in text
    timeline = text.split("## Timeline\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert timeline == [
        "- 12:00 UTC: **Incident declared**",
        "- 12:10 UTC: **Root cause identified**",
        "- 12:20 UTC: Rolled back to v41 (bob)",
        "- 12:30 UTC: **Verified resolved**",
    ]
    assert "1. [ ] Create incident report document" in text  # the playbook's, once resolved
    assert "**Duration**: 30 minutes" in text


def test_secrets_from_the_playbook_never_reach_the_document() -> None:
    playbook = PLAYBOOK._replace(secrets=frozenset({"hunter2-token"}))
    log = declared_log()
    log.add(ev.note_added("curl -H 'Authorization: hunter2-token'"), minute=1)
    log.add(ev.log_pinned("backend", "token=hunter2-token", T0), minute=2)
    text = document(log, playbook)
    assert "hunter2" not in text and "•••" in text


def test_a_template_that_places_the_record_itself_gets_no_extra_sections() -> None:
    template = "# {incident_id}\n\n## Logs\n{pinned_lines}\n\n## Numbers\n{metrics}\n"
    playbook = PLAYBOOK._replace(postmortem_template=template)
    text = document(declared_log(), playbook)
    assert headings(text) == [
        "INC-20250301-001",
        "Logs",
        "Numbers",
        "Timeline",
        "Action Items",
        "Commands Run",
        "Communications Sent",
    ]
