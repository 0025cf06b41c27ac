"""#15 items 18, 19: control characters never stored or printed; user text on the
dashboard never becomes a link, an icon, maths or markup."""

from __future__ import annotations

import re

import pytest

from tests.clirunner import waypoint
from tracker.report import md_escape


@pytest.mark.parametrize(
    ("typed", "absent"),
    [
        (":material/home:", ":material/"),  # Streamlit's icon shortcode
        (":smile:", ":smile:"),
        ("see https://evil.example", "https://"),  # autolinked by GFM
        ("www.evil.example", "www."),
        ("$x^2$", None),  # maths: $ escaped
        ("[click](http://x)", "http://"),
        ("<img src=x onerror=alert(1)>", None),
        ("a &amp; b &lt;b&gt; &#36;", None),  # entities shown as typed, not as & < $
        ("**bold**", None),
        # Streamlit shows "--" as a dash even escaped (checked in Chromium, 2026-12-06)
        ("'; DROP TABLE observations; --", "--"),
        ("a --- b", "--"),
    ],
)
def test_markdown_escape_leaves_no_markup(typed: str, absent: str | None) -> None:
    shown = md_escape(typed)
    # Every markup character is escaped, and shortcodes and links are broken up
    # (checked in Chromium: no icon, no <a>, no maths rendered).
    assert not re.search(r"(?<!\\)[$<>\[\]()*!]", shown), shown
    assert not re.search(r"(?<!\\)&#?\w+;", shown), shown  # an entity shows as typed
    if absent is not None:  # broken by a word joiner, not by an escape
        assert absent not in shown.replace("\\", "")
    # What people read is what was typed: only escapes and invisible joiners were added.
    assert shown.replace("\\", "").replace("\u2060", "") == typed


def test_control_characters_in_a_checkin_note_never_reach_a_terminal(
    tmp_path, plan_file=None
) -> None:
    from tests.conftest import SMALL_PLAN

    db = tmp_path / "w.duckdb"
    plan = tmp_path / "p.yaml"
    plan.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    kpi = waypoint(db, "status", "--json").json()["kpis"][0]["kpi"]
    evil = "fine\x1b[2J\x1b]0;pwned\x07 really"
    done = waypoint(db, "checkin", kpi, "--confidence", "on track", "--note", evil)
    assert done.code == 0, done
    shown = waypoint(db, "checkins")
    assert "\x1b" not in shown.out and "\x07" not in shown.out
    assert "fine" in shown.out


def test_a_newline_in_a_single_line_name_is_refused(tmp_path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(
        'workspace: {name: "Acme\\nBcc: x@evil"}\npeople: [{key: m, name: M, role: manager}]\n'
    )
    result = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert result.code == 2 and "workspace.name" in result.err, result


def test_an_ampersand_that_starts_no_entity_stays_as_typed() -> None:
    # escaping every "&" made the Markdown review read "Bakery \& Catering"
    assert md_escape("Copper Kettle Bakery & Catering") == "Copper Kettle Bakery & Catering"
    assert md_escape("R&D") == "R&D"
    assert md_escape("a &amp; b") == "a \\&amp; b"
