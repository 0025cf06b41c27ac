"""The weekly review: sections, deltas, and user text that can never become markup."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.clirunner import waypoint
from tracker.annotations import add_annotation
from tracker.checkins import record_checkin
from tracker.errors import BadInput
from tracker.records import LOCAL_MANAGER
from tracker.report import STATUS_WORDS, md_escape, render_html, render_markdown, weekly_review
from tracker.store import Store
from tracker.vanity import acknowledge

NOW = dt.datetime(2026, 11, 18, 18, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script> [click](http://evil.example) **bold**'


def test_review_of_the_demo_week(demo_store: Store) -> None:
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    assert (review.start, review.end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    ig = next(k for k in review.kpis if k.now.kpi == "ig-audience")
    assert ig.delta is not None and ig.delta > 0
    assert any(c.state == "missing" for c in review.checkins)
    assert {f.code for f in review.flags} >= {"unqualified_growth", "audience_as_goal"}
    md = render_markdown(review)
    for heading in (
        "## Objectives",
        "## KPIs",
        "## Check-ins",
        "## Overdue check-ins",
        "## Vanity and measurement flags",
        "## Decisions",
    ):
        assert heading in md
    # a monthly KPI's check-in names its month: beside an overdue October, "Google
    # rating: on time" read as October's too
    assert "- Google rating \\(November 2026\\): on time" in md
    assert "- Instagram followers: on time" in md  # the week's own need no name
    json.dumps(review.as_dict())


def test_what_needs_a_decision_comes_first_in_names_and_units(demo_store: Store) -> None:
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    lines = review.decision_lines()
    # an off-track ratio in its unit, with its owner's name; a missing check-in by name
    assert any(
        line.startswith("✕ off track: Inquiries per website session (Maria Lopez): ")
        and "%" in line.split(": ", 2)[2]
        for line in lines
    ), lines
    assert (
        "check-in missing: Inquiries per website session (Maria Lopez, week of 9 Nov 2026)" in lines
    )
    # only flags new this week need a decision; those open a week ago are in the details
    flag_lines = [line for line in lines if "measurement flags" in line]
    assert flag_lines == ["new measurement flags: Stale numbers (Newsletter subscribers (local))"]
    assert any(f.code == "unqualified_growth" for f in review.flags)  # still open, not new
    md = render_markdown(review)
    assert md.index("## Needs a decision") < md.index("## Objectives")
    html = render_html(review)
    assert html.index("Needs a decision") < html.index("Objectives</h2>")
    for text in (md, html):
        assert "inquiry-rate" not in text and "unqualified_growth" not in text
        assert "0.00" not in text.split("Objectives")[0]  # no bare ratios up top


def test_user_text_is_escaped_everywhere(demo_store: Store) -> None:
    record_checkin(
        demo_store,
        LOCAL_MANAGER,
        "orders-h2",
        "at_risk",
        problems=HOSTILE,
        period="2026-W46",
        at=dt.datetime(2026, 11, 13, 12),
    )
    add_annotation(demo_store, LOCAL_MANAGER, dt.date(2026, 11, 12), HOSTILE, kind="decision")
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    html_text = render_html(review, images={"chart-1": b"png"})
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert "<a " not in html_text and "cid:chart-1" in html_text
    md = render_markdown(review)
    assert "<script>" not in md and "\\[click\\]" in md and "\\*\\*bold\\*\\*" in md
    assert md_escape("a_b*c") == "a\\_b\\*c"


def test_cli_report_weekly(demo_store: Store, tmp_path) -> None:
    out = tmp_path / "r.html"
    db = demo_store.path
    result = waypoint(
        db, "report", "weekly", "--week", "2026-W46", "--format", "html", "--out", str(out)
    )
    assert result.code == 0, result.err
    assert out.read_text().startswith("<!doctype html>")
    bad = waypoint(db, "report", "weekly", "--week", "2026-53x")
    assert bad.code == 2 and "--week" in bad.err


def test_a_week_that_has_not_started_has_no_review(demo_store: Store) -> None:
    # It would judge every KPI missed and every metric stale; check-ins refuse it too.
    with pytest.raises(BadInput, match="2026-W48 has not started yet"):
        weekly_review(demo_store, "2026-W48", now=NOW)
    assert weekly_review(demo_store, "2026-W47", now=NOW).week == "2026-W47"  # this week


def test_the_week_still_running_is_read_as_of_today(demo_store: Store) -> None:
    # Wednesday of W47: judged as of its Sunday, every KPI's expected pace ran four days
    # ahead, recurring weeks read as half done and metrics logged up to today as stale.
    from tracker.progress import compute_progress
    from tracker.vanity import run_audit

    today = NOW.date()
    review = weekly_review(demo_store, "2026-W47", now=NOW)
    assert review.as_of == today and review.as_dict()["as_of"] == "2026-11-18"
    assert review.title.endswith("(so far: as of 18 Nov 2026)")
    now = compute_progress(demo_store, today)
    assert [(k.now.kpi, k.now.expected, k.now.status) for k in review.kpis] == [
        (k.kpi, k.expected, k.status) for k in now.kpis
    ]
    assert {(f.code, f.subject) for f in review.flags} == {
        (f.code, f.subject) for f in run_audit(demo_store, today, progress=now).flags
    }
    finished = weekly_review(demo_store, "2026-W46", now=NOW)
    assert finished.as_of == finished.end and "so far" not in finished.title


def test_on_its_sunday_the_week_is_still_read_so_far(demo_store: Store) -> None:
    # The Sunday is not over until it ends: the numbers are paced as on any day of the
    # week, so the title says so (it read like a finished week's on that one day).
    sunday_noon = dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC)  # 12:00 in Chicago
    review = weekly_review(demo_store, "2026-W47", now=sunday_noon)
    assert review.as_of == review.end == dt.date(2026, 11, 22)
    assert review.title.endswith("(so far: as of 22 Nov 2026)")
    monday = weekly_review(demo_store, "2026-W47", now=sunday_noon + dt.timedelta(days=1))
    assert monday.as_of == monday.end and "so far" not in monday.title


def test_the_monday_digest_names_the_check_ins_missed_since_the_last_one(
    demo_store: Store,
) -> None:
    # The digest of W46 goes out on Monday 16 Nov at 08:00, while W46's check-ins are on
    # time until that day ends: they read "due". W45's went missing after W45's digest
    # (Monday 9 Nov) and no digest said so; the W46 review names them, with their week.
    from tracker.checkins import checkin_status

    monday = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)  # 08:00 in Chicago
    review = weekly_review(demo_store, "2026-W46", now=monday)
    missing_w45 = [
        c for c in checkin_status(demo_store, "2026-W45", monday).kpis if c.state == "missing"
    ]
    assert missing_w45, "the demo has a check-in missed in W45"
    assert not [c for c in review.checkins if c.state == "missing"]  # W46's: still due
    lines = [line for line in review.decision_lines() if line.startswith("check-in missing")]
    assert lines == [f"check-in missing: {review.missing_line(c)}" for c in missing_w45]
    assert all(line.endswith(", week of 2 Nov 2026)") for line in lines), lines
    # the mail's Markdown and HTML carry the same lines
    assert render_markdown(review).count("check-in missing") == len(lines)
    assert render_html(review).count("check-in missing") == len(lines)
    # and the overdue list names each one's week: "Lead rate: Bea Boss" twice, one line
    # for each of two weeks, could not be told apart
    overdue = render_markdown(review).split("## Overdue check-ins", 1)[1].split("##", 1)[0]
    listed = [line for line in overdue.splitlines() if line.startswith("- ")]
    # (Markdown-escaped: the parentheses carry backslashes)
    assert listed and all(
        re.search(r", (week of \d+ \w+|\w+) 2026\\?\)$", line) for line in listed
    ), listed
    assert len(listed) == len(set(listed))


def test_a_decision_comes_back_at_the_next_review(demo_store: Store) -> None:
    # recorded on the review of W46 (the page dates it the week's Sunday)
    add_annotation(
        demo_store, LOCAL_MANAGER, dt.date(2026, 11, 15), "Pause the giveaway", kind="decision"
    )
    this = weekly_review(demo_store, "2026-W46", now=NOW)
    following = weekly_review(demo_store, "2026-W47", now=NOW)
    assert [d.text for d in this.decisions] == ["Pause the giveaway"]
    assert [d.text for d in following.previous_decisions] == ["Pause the giveaway"]
    assert following.decisions == []
    md = render_markdown(following)
    assert "Decided at last week's review" in md and "Pause the giveaway" in md
    email = render_html(following, email=True, details_url="http://x.example/weekly_review")
    assert email.index("Pause the giveaway") < email.index("Check-ins</h2>")


def test_the_digest_is_the_one_page_and_links_the_details(demo_store: Store) -> None:
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    url = "http://dash.example/weekly_review?week=2026-W46"
    email = render_html(review, email=True, details_url=url)
    full = render_html(review)
    assert review.title == "Weekly review · 9–15 Nov 2026"
    assert f'href="{url}"' in email and "Open the full review" in email
    # the details (every KPI, every flag) are on the page, not in the email
    assert "Objectives</h2>" in full and "Objectives</h2>" not in email
    assert "Vanity and measurement flags" in full and "Vanity and measurement" not in email
    # check-ins grouped by person, with each one's count
    for person in review.by_person():
        assert f"<b>{person.name}</b>: {person.summary()}" in email


def test_what_changed_since_last_week_comes_from_the_report(demo_store: Store) -> None:
    from tracker.progress import compute_progress

    now = compute_progress(demo_store, dt.date(2026, 11, 18))
    before = compute_progress(demo_store, dt.date(2026, 11, 11))
    changed = now.changed_since(before)
    by_hand = [
        k.kpi for k in now.kpis if k.status != next(b.status for b in before.kpis if b.kpi == k.kpi)
    ]
    assert [k.kpi for _, k in changed] == by_hand
    assert all(was != k.status for was, k in changed)


def test_summary_facts_come_from_the_report(demo_store: Store) -> None:
    from tracker.progress import compute_progress
    from tracker.vocab import SEVERITY_ORDER

    report = compute_progress(demo_store, dt.date(2026, 11, 18))
    counts = report.counts()
    assert sum(counts.values()) == len(report.kpis)
    assert list(counts) == [s for s in SEVERITY_ORDER if s in counts]  # worst first
    ranked = [o.status for o in report.objectives_worst_first()]
    assert ranked == sorted(ranked, key=SEVERITY_ORDER.index)
    behind = report.behind_pace(3)
    assert len(behind) == 3 and all(k.status != "achieved" for k in behind)
    assert [k.pace for k in behind] == sorted(k.pace for k in behind)
    for o in report.objectives:  # each objective's counts, worst first, add up to its KPIs
        assert sum(o.counts.values()) == len(o.kpis)
        assert list(o.counts) == [s for s in SEVERITY_ORDER if s in o.counts]


def test_an_acknowledged_flag_stays_in_the_review_greyed_with_its_reason(
    demo_store: Store,
) -> None:
    # DESIGN: "an acknowledged flag stays visible, greyed, with the reason"; it no longer
    # asks for a decision
    acknowledge(
        demo_store,
        LOCAL_MANAGER,
        "unqualified_growth",
        "metric:ig-followers",
        "a giveaway week",
        as_of=dt.date(2026, 11, 15),  # the flag as the review of that week sees it
    )
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    growth = [line for line in review.flag_lines() if line.title == "Growth without results"]
    assert [(g.subject, g.acknowledged) for g in growth] == [
        ("Instagram followers", "acknowledged by Local manager: a giveaway week")
    ]
    assert review.flag_lines()[-1].acknowledged  # after every open one
    assert not any("Growth without results" in line for line in review.decision_lines())
    md = render_markdown(review)
    flags = md.split("## Vanity and measurement flags")[1].split("## Decisions")[0]
    assert "✓ Growth without results · Instagram followers" in flags
    assert "a giveaway week" in flags
    html = render_html(review)
    assert 'color:#6e7781">✓ Growth without results' in html


def test_untracked_metrics_are_one_line_of_the_review(demo_store: Store) -> None:
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    untracked = [line for line in review.flag_lines() if line.title == "Untracked numbers"]
    assert len(untracked) == 1
    orphans = [f.subject_name for f in review.flags if f.code == "orphan_metric"]
    assert len(orphans) > 1 and untracked[0].subject == ", ".join(orphans)
    assert render_markdown(review).count("Untracked numbers") == 1


def test_each_objective_says_which_kpi_holds_it_there_and_counts_its_kpis(
    demo_store: Store,
) -> None:
    review = weekly_review(demo_store, "2026-W46", now=NOW)
    lines = dict((o.objective, detail) for o, detail in review.objective_lines())
    catering = next(o for o in review.objectives if o.status == "off_track")
    held = next(k.now for k in review.kpis if k.now.kpi == catering.held_by)
    assert lines[catering.objective].startswith(f"held back by {held.name}: ")
    for status, n in catering.counts.items():
        assert f"{n} {STATUS_WORDS[status]}" in lines[catering.objective]
    md = render_markdown(review).split("## Objectives")[1].split("## KPIs")[0]
    assert f"held back by {md_escape(held.name)}" in md


def test_a_finished_week_is_reviewed_as_closed(plan_store: Store) -> None:
    from tracker.entries import log_entry

    # weekly-posts: three LinkedIn posts a week; two in the week of 3-9 August
    monday = dt.date(2026, 8, 3)
    for day in (monday, monday + dt.timedelta(days=2)):
        log_entry(plan_store, LOCAL_MANAGER, "posts", 1, day=day)
    after = dt.datetime(2026, 8, 11, 15, tzinfo=dt.UTC)
    closed = weekly_review(plan_store, "2026-W32", now=after)
    posts = next(k.now for k in closed.kpis if k.now.kpi == "weekly-posts")
    # the week is over: its period is missed, not "off track" with a forecast
    assert (posts.status, posts.current, posts.needed_per_week) == ("missed", 2.0, None)
    # on its own Sunday the week is still open: paced as usual
    sunday = dt.datetime(2026, 8, 9, 20, tzinfo=dt.UTC)
    still_open = weekly_review(plan_store, "2026-W32", now=sunday)
    open_posts = next(k.now for k in still_open.kpis if k.now.kpi == "weekly-posts")
    assert open_posts.status == "off_track" and open_posts.needed_per_week is not None
    log_entry(plan_store, LOCAL_MANAGER, "posts", 1, day=monday + dt.timedelta(days=6))
    hit = weekly_review(plan_store, "2026-W32", now=after)
    assert next(k.now for k in hit.kpis if k.now.kpi == "weekly-posts").status == "achieved"


def test_an_empty_decision_list_says_what_is_still_to_watch(tmp_path) -> None:
    # "nothing: every KPI is on pace and every check-in is in" beside "1 ▲ at risk", and
    # in a workspace with no KPI at all
    from tracker.entries import log_entry
    from tracker.plan import apply_plan_text

    store = Store(tmp_path / "w.duckdb")
    empty = weekly_review(store, "2026-W46", now=NOW)

    def plain(md: str) -> str:
        return md.replace("\\", "")  # Markdown's escapes off

    assert "Nothing to decide yet: no KPI is set" in plain(render_markdown(empty))
    apply_plan_text(
        store,
        "workspace: {name: One, timezone: UTC}\n"
        "people: [{key: m, name: M, role: manager}]\n"
        "metrics: [{key: leads, name: Leads, class: outcome, behaviour: flow}]\n"
        "objectives:\n"
        "  - {key: o, title: O, outcome: leads, start: 2026-11-02, deadline: 2027-01-31,\n"
        "     kpis: [{key: k, metric: leads, target: 50, owner: m}]}\n",
        LOCAL_MANAGER,
    )
    log_entry(store, LOCAL_MANAGER, "leads", 6, day=dt.date(2026, 11, 12))  # pace 0.83
    review = weekly_review(store, "2026-W46", now=NOW)
    assert review.counts() == {"at_risk": 1} and not review.decision_lines()
    said = "no KPI is off track or missed, and every check-in is in. Still to watch: 1 at risk."
    assert said in plain(render_markdown(review))
    assert said in render_html(review)
    assert "on pace" not in render_markdown(review)


def test_an_audit_of_an_empty_workspace_does_not_praise_its_kpis(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    out = waypoint(db, "audit").out
    assert "there is no KPI to check yet" in out and "Every KPI" not in out
