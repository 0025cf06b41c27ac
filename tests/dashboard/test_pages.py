"""Every page renders on the demo, shows what it should, and the main interactions work."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml

from tests.dashboard.conftest import open_page
from tracker.observations import daily_values
from tracker.store import Store
from tracker.vocab import STATUS_STYLE

# AppTest runs each page's whole script against a database (1-12 s a test): the full
# suite runs them, the fast tier (-m 'not slow') leaves them out.
pytestmark = pytest.mark.slow


def all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title]
    parts += [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_summary_is_the_home_page(app_env: Store) -> None:
    at = open_page()
    assert not at.exception, at.exception
    text = all_text(at)
    assert "Copper Kettle Bakery" in text
    for title in (
        "Fill the catering calendar with office orders",
        "Build a local newsletter audience",
    ):
        assert title in text
    assert "Held back by" in text
    # flags by their plain titles and subjects' names, never codes or keys
    assert "Growth without results" in text and "unqualified" not in text
    assert "Inquiries per website session" in text  # the overdue check-in, by name
    assert "inquiry-rate" not in text and "ig-audience" not in text
    assert "Local single-user mode" in text


@pytest.mark.parametrize(
    "name",
    [
        "objective",
        "weekly_review",
        "team",
        "vanity_audit",
        "audit_log",
        "my_week",
        "log_values",
        "import_data",
        "plan",
        "settings",
    ],
)
def test_every_page_renders(app_env: Store, name: str) -> None:
    at = open_page(name)
    assert not at.exception, at.exception
    assert at.title, name


def test_objective_page_shows_post_and_charts(app_env: Store) -> None:
    at = open_page("objective")
    text = all_text(at)
    assert "People" in text and "Strategy" in text and "Technology" in text
    assert "Catering inquiries this half" in text
    assert "Streak" in text and "week(s)" not in text  # "2 weeks", "1 week"
    # a KPI that has not started says when it does, as My week says it
    assert "Starts on Mon 23 Nov 2026: nothing is due before." in text
    # The POST card in words: the outcome's label, the owner's name, days as people write
    # them; not the plan's keys.
    assert "business outcome: Leads" in text and "`leads`" not in text
    captions = " ".join(c.value for c in at.caption)
    assert "Owner: Maria Lopez" in captions and "Owner: maria" not in captions
    assert "→" in captions and "2026-" not in captions
    # a chart's notes are written under it: a phone has no hover to show the ✎'s words
    assert any(
        c.value.startswith("✎ ") and "Inquiry form broken for two days" in c.value
        for c in at.caption
    ), captions
    # What agrees with the status (DESIGN "Objectives"), as on the Summary: the KPI that
    # holds it there and how many KPIs are in each status.
    from tracker.progress import compute_progress

    report = compute_progress(app_env, dt.date(2026, 11, 18))
    shown = at.selectbox(key="objective_choice").value
    standing = next(o for o in report.objectives if o.objective == shown)
    held = next(k for k in report.kpis if k.kpi == standing.held_by)
    line = next(m.value for m in at.markdown if m.value.startswith("Held back by"))
    assert f"**{held.name}**" in line
    for status, n in standing.counts.items():
        assert f"**{n}**" in line and STATUS_STYLE[status].label in line
    # The check-in history: weeks as people say them, what was written labelled
    history = [m.value for m in at.markdown if " says " in m.value and m.value.startswith("**")]
    assert history and all(h.startswith("**week of ") for h in history), history
    assert any("\n- progress: " in h for h in history), history
    assert not any("2026-W" in h or "on_track" in h for h in history), history


def click(at, label: str, key: str | None = None):
    """Press the button labelled ``label`` (and keyed ``key``) and rerun."""
    for b in at.button:
        if b.label == label and (key is None or b.key == key):
            b.click()
            return at.run()
    raise AssertionError(f"no button {label!r}: {[b.label for b in at.button]}")


def log_on_page(at, metric: str, value: float, day: dt.date, mode: str = "add"):
    at.selectbox(key="log_metric").set_value(metric)
    at.date_input(key="log_day").set_value(day)
    at.run()
    at.text_input(key="log_value").set_value(str(value))
    at.radio(key="log_mode").set_value(mode)
    return click(at, "Save")


def test_entries_add_up_show_before_adding_and_undo(app_env: Store) -> None:
    day = dt.date(2026, 11, 18)
    before = dict(daily_values(app_env, "catering-inquiries")).get(day, 0.0)
    summary_before = all_text(open_page())
    at = open_page("log_values")
    at = log_on_page(at, "catering-inquiries", 2, day)
    assert not at.exception, at.exception
    at = log_on_page(at, "catering-inquiries", 1, day)
    assert any("the day's value is now" in s.value for s in at.success), at.success
    # Flow: the morning's 2 and the afternoon's 1 add up (3), on top of imported values.
    assert dict(daily_values(app_env, "catering-inquiries"))[day] == before + 3
    # What is stored for the day is shown before the next entry, with who logged it.
    text = all_text(at)
    assert text.count("entry by Maria Lopez") == 2, text
    # at the workspace's clock (Chicago), not UTC: WAYPOINT_NOW is 18:00 UTC
    assert text.count("entry by Maria Lopez at 18 Nov 12:00") == 2, text
    assert "The day's hand entries add up to 3." in text
    assert all_text(open_page()) != summary_before  # the cached summary was not served stale
    at = click(at, "Undo this")
    assert not at.exception, at.exception
    assert dict(daily_values(app_env, "catering-inquiries"))[day] == before + 2
    # the day's value after the undo, not the one the save left ("now 3" after it)
    (said,) = [x.value for x in at.success if x.value.startswith("Taken back: ")]
    assert said.endswith(f"the day's value is back to {before + 2:,.0f}."), said
    assert "is now" not in said


def test_a_typed_value_shows_as_typed(app_env: Store) -> None:
    # "4.12 stars" for an entry of 4.125, and entries of 1, 2 and 0.125 h "adding up" to
    # 3.12 h: `log` and `values` show six significant digits, and so does the page
    at = open_page("log_values")
    at = log_on_page(at, "google-rating", 4.125, dt.date(2026, 11, 17))
    assert not at.exception and not at.error, at.error
    (said,) = [x.value for x in at.success]
    assert "4.125 stars" in said and "4.12 stars" not in said


def test_set_replaces_the_days_manual_value_and_delete_removes_it(app_env: Store) -> None:
    day = dt.date(2026, 11, 17)
    before = dict(daily_values(app_env, "catering-inquiries")).get(day, 0.0)
    at = open_page("log_values")
    at = log_on_page(at, "catering-inquiries", 4, day)
    at = log_on_page(at, "catering-inquiries", 1, day, mode="set")
    assert dict(daily_values(app_env, "catering-inquiries"))[day] == before + 1
    deletes = [b for b in at.button if b.label == "Delete"]
    assert deletes, "each stored entry has a Delete button for a manager"
    entry_buttons = [b for b in deletes if b.key.startswith("log_del_")]
    entry_buttons[-1].click()
    at.run()
    assert not at.exception, at.exception
    assert dict(daily_values(app_env, "catering-inquiries")).get(day, 0.0) in (before, 0.0)
    # the page says what went and how to bring it back (a rerun used to swallow it)
    assert (
        "Deleted 1 of Catering inquiries on Tue 17 Nov; Undo on the Audit log brings it back."
        in [x.value for x in at.success]
    )


def test_a_decimal_comma_is_a_decimal_mark_on_the_page(app_env: Store) -> None:
    # a browser's number field dropped the comma: "1,5" was stored as 15, no question
    at = open_page("log_values")
    before = dict(daily_values(app_env, "catering-inquiries")).get(dt.date(2026, 11, 16), 0.0)
    at = log_on_page(at, "catering-inquiries", "1,5", dt.date(2026, 11, 16))
    assert not at.exception and not at.error, at.error
    after = dict(daily_values(app_env, "catering-inquiries"))[dt.date(2026, 11, 16)]
    assert after == before + 1.5
    at = log_on_page(at, "catering-inquiries", "about 3", dt.date(2026, 11, 16))
    assert [e.value.replace("\\", "") for e in at.error] == [  # Markdown's escapes off
        "Value: 'about 3' is not a number (write it like 4, 2.5 or 2,5)"
    ]
    assert dict(daily_values(app_env, "catering-inquiries"))[dt.date(2026, 11, 16)] == after


def test_the_form_refuses_what_the_cli_refuses(app_env: Store) -> None:
    at = open_page("log_values")
    at.selectbox(key="log_metric").set_value("catering-inquiries")
    at.run()
    box = at.text_input(key="log_value")
    assert not box.value  # no preselected number
    before = daily_values(app_env, "catering-inquiries")
    # a count cannot go below 0: said in words, not Streamlit's range of 1e15
    at = log_on_page(at, "catering-inquiries", -2, dt.date(2026, 11, 16))
    assert any("cannot go below 0" in e.value for e in at.error), at.error
    # a day after today is refused, never stored on another day (the widget's own
    # range kept its last valid day while showing the typed one)
    at = log_on_page(at, "catering-inquiries", 3, dt.date(2026, 11, 20))
    assert any(
        e.value.startswith("Catering inquiries on 2026")
        and "2026-11-20 is in the future" in e.value
        for e in (x for x in at.error)
    ), at.error
    assert daily_values(app_env, "catering-inquiries") == before
    # A value far above the metric's range asks before it is stored.
    day = dt.date(2026, 11, 16)
    before = dict(daily_values(app_env, "catering-inquiries")).get(day, 0.0)
    at = log_on_page(at, "catering-inquiries", 5000, day)
    assert any("more than 10 times" in w.value for w in at.warning), at.warning
    # the page's own words: its buttons, not the command line's --yes
    assert all("--yes" not in w.value for w in at.warning)
    assert any("press **Store it anyway**" in w.value for w in at.warning)
    assert dict(daily_values(app_env, "catering-inquiries")).get(day, 0.0) == before
    # the 5000 typed adds to the day's value: the question says what the day comes to
    assert before > 0
    assert any(
        w.value.startswith(
            f"With this 5,000, Catering inquiries on Mon 16 Nov comes to {before + 5000:,.0f}"
        )
        for w in at.warning
    ), at.warning
    # a new Save replaces the question: its button never stores the number typed over
    at = log_on_page(at, "catering-inquiries", -2, day)
    assert any("cannot go below 0" in e.value for e in at.error), at.error
    assert not any(b.label == "Store it anyway" for b in at.button)
    assert not any("more than 10 times" in w.value for w in at.warning)
    at = log_on_page(at, "catering-inquiries", 5000, day)
    at = click(at, "Store it anyway")
    assert dict(daily_values(app_env, "catering-inquiries"))[day] == before + 5000


def test_acknowledge_a_flag(app_env: Store) -> None:
    from tracker.vanity import run_audit

    at = open_page("vanity_audit")
    # without a reason: refused in the page's words (it said "--reason: ...")
    next(b for b in at.button if b.label == "Acknowledge these flags").click().run()
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Reason: say why this flag is acceptable (it is shown with the flag)"
    ]
    at = open_page("vanity_audit")
    first = run_audit(app_env, dt.date(2026, 11, 18)).cards()[0]
    at.text_input(key=f"vanity_ack_{first.subject}_reason").set_value("we chose the giveaway")
    next(b for b in at.button if b.label == "Acknowledge these flags").click().run()
    assert not at.exception, at.exception
    # the first card's flags, all of them, with the one reason
    followers = run_audit(app_env, dt.date(2026, 11, 18)).cards()[-1]
    assert followers.name == "Instagram followers" and len(followers.flags) == 3
    assert all(f.ack_reason == "we chose the giveaway" for f in followers.flags)
    # the same page, redrawn: the card shows who acknowledged it (a name) and why, the
    # message names what was accepted
    (done,) = [s.value for s in at.success]
    assert done.startswith("Acknowledged for Instagram followers: ")
    captions = [c.value for c in at.caption]
    # greyed (a caption, not the open flags' text), with who accepted it and why
    accepted = [c for c in captions if "✓ Acknowledged by Maria Lopez: we chose the giveaway" in c]
    assert len(accepted) == 3 and all(c.startswith("**") for c in accepted)
    assert not [m for m in at.markdown if m.value.startswith("**Followers set as a goal.**")]
    assert "acknowledged: " in " ".join(captions)  # the card's title line says which
    # the card that moved up into its place has an empty reason: one more click must not
    # accept it with the reason typed for another
    assert all(not t.value for t in at.text_input), [(t.key, t.value) for t in at.text_input]
    # untracked numbers: one line, acknowledged together with one reason
    at.text_input(key="vanity_ack_untracked_reason").set_value("the agency reports them")
    next(b for b in at.button if b.label.startswith("Acknowledge all")).click().run()
    assert not at.exception, at.exception
    untracked = run_audit(app_env, dt.date(2026, 11, 18)).untracked()
    assert untracked and all(f.acknowledged for f in untracked)
    # they no longer read as open: greyed, with who kept them and why
    assert not [m for m in at.markdown if m.value.startswith("**Untracked numbers**")]
    (kept,) = [c.value for c in at.caption if c.value.startswith("✓ Untracked numbers kept")]
    assert kept.endswith("Acknowledged by Maria Lopez: the agency reports them")
    assert all(f.subject_name in kept for f in untracked)


def test_my_week_states_each_kpi_as_every_other_face_does(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Median reply time: 2.6 h of 4 h" read as short of a line it should stay under, and
    # "Instagram followers: 2,447 of 2,800" as 87% done where 73% is (from 1,509)
    from tracker.formats import kpi_numbers
    from tracker.progress import compute_progress

    report = {k.kpi: k for k in compute_progress(app_env, dt.date(2026, 11, 18)).kpis}
    for person, kpi in (("jay", "ig-audience"), ("lena", "reply-time")):
        monkeypatch.setenv("WAYPOINT_AS", person)
        at = open_page("my_week")
        k = report[kpi]
        said = [
            m.value.replace("\\", "")
            for m in at.markdown
            if f"**{k.name}**:" in m.value.replace("\\", "")  # the KPI list, not the due list
        ]
        assert said and said[0].endswith(kpi_numbers(k, detail=False)), said
        assert (", to stay " in said[0]) == bool(k.stay) and (", from " in said[0]) == bool(
            not k.stay and k.baseline
        )


def test_the_weekly_review_page_shows_a_viewer_no_address_from_a_job(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a failed digest's message names who was mailed and who refused it: a manager reads
    # the addresses, a viewer "(an address)", as in the audit log
    from tracker.jobruns import claim, finish

    slot = dt.datetime(2026, 11, 16, 14, 0)
    claim(app_env, "weekly_digest", slot, slot)
    finish(
        app_env, "weekly_digest", slot, slot, "failed",
        "sent to maria@copperkettle.example; not delivered: refused omar@example.com",
    )  # fmt: skip
    for person, shown in (("ben", False), ("maria", True)):
        monkeypatch.setenv("WAYPOINT_AS", person)
        at = open_page("weekly_review")
        said = " ".join(m.value for m in at.markdown if "failed" in m.value)
        assert "**Weekly digest** failed" in said, said
        assert ("maria@copperkettle" in said.replace("\\", "")) is shown, (person, said)


def test_each_face_names_the_day_its_changes_are_counted_from(app_env: Store) -> None:
    # "since last week" was seven days ago on the Summary and the end of the week before
    # in the review: on one day the two disagreed under the same words
    from tracker.report import render_markdown, weekly_review

    at = open_page()
    assert "What changed since Wed 11 Nov" in [h.value for h in at.subheader]
    review = weekly_review(app_env, "2026-W46")
    assert review.since == "Sun 8 Nov"
    markdown = render_markdown(review)
    assert "Since Sun 8 Nov:" in markdown or "No status changed since Sun 8 Nov." in markdown


def test_a_check_in_on_my_week_shows_at_once_in_the_due_list(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lines(at, mark: str) -> list[str]:
        return [m.value for m in at.markdown if m.value.startswith(mark)]

    monkeypatch.setenv("WAYPOINT_AS", "jay")
    at = open_page("my_week")
    due = lines(at, "… due")
    assert due
    # a KPI done by a value Jay logged says so (it turned "done" without a word)
    assert any(
        line.endswith("a value you logged counts; check in to add how it is going")
        for line in lines(at, "✓ done")
    )
    kpi = at.selectbox(key="myweek_kpi")  # the form's KPI: the first one still due
    name = due[0].split("**")[1]
    # what to do next comes first, its period first (a phone's box shows a label's start)
    assert kpi.options[0].startswith("week of ") and kpi.options[0].endswith(f" · {name}")
    at.radio(key="myweek_confidence").set_value("at_risk")
    at = click(at, "Check in")
    assert not at.exception, at.exception
    (done,) = [s.value for s in at.success]  # names the KPI and the answer
    assert done.startswith(f"Checked in: {name}") and done.endswith("at risk.")
    assert len(lines(at, "… due")) == len(due) - 1  # the same page, redrawn
    assert any(f"**{name}**" in line for line in lines(at, "✓ done"))
    # what made it done is said: the word given here
    assert any(
        f"**{name}**" in line and line.endswith("you said at risk") for line in lines(at, "✓ done")
    )


@pytest.mark.parametrize("person", ["lena", "jay"])
def test_quick_entry_opens_on_a_metric_of_the_persons_own_kpis(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, person: str
) -> None:
    """Lena's quick entry opened on Facebook page fans, a metric none of her KPIs reads."""
    from tracker.plan import load_plan

    plan = load_plan(app_env)
    own = {
        key
        for o in plan.objectives
        for k in o.kpis
        if k.owner == person
        for key in (k.metric, *((k.ratio.numerator, k.ratio.denominator) if k.ratio else ()))
        if key
    }
    assert own
    monkeypatch.setenv("WAYPOINT_AS", person)
    for page, key in (("my_week", "myweek_metric"), ("log_values", "log_metric")):
        at = open_page(page)
        assert not at.exception, at.exception
        assert at.selectbox(key=key).value in own, (page, at.selectbox(key=key).value, own)


def test_last_weeks_missing_check_in_can_be_given_on_my_week(app_env: Store) -> None:
    # Maria owes W46 for two KPIs: the Summary and Team list them as missing, and her My
    # week offers them first, so she can clear them without the command line.
    from tracker.checkins import checkin_status

    at = open_page("my_week")
    assert any("✕ missing" in m.value and "week of 9 Nov" in m.value for m in at.markdown)
    kpi = at.selectbox(key="myweek_kpi")
    assert kpi.options[0].startswith("week of 9 Nov 2026 (missing) · "), kpi.options[:3]
    at.radio(key="myweek_confidence").set_value("off_track")
    at = click(at, "Check in")
    assert not at.exception, at.exception
    states = {s.kpi: s.state for s in checkin_status(app_env, "2026-W46").kpis}
    assert "late" in states.values()  # given now, after it was due: late, not missing
    assert "(missing) · " in at.selectbox(key="myweek_kpi").options[0]  # the other one


def test_on_monday_last_weeks_check_in_is_due_today_and_offered_first(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Monday after W47: its check-ins are still on time until the end of the day. My week
    # lists them first as due today and the form offers them first, so checking in on
    # Monday morning fills in last week, not this one (which would leave W47 missing).
    from tracker.checkins import checkin_status

    monkeypatch.setenv("WAYPOINT_NOW", "2026-11-23T15:00:00+00:00")  # 09:00 in Chicago
    at = open_page("my_week")
    today = [m.value for m in at.markdown if m.value.startswith("… due today")]
    assert today and all("week of 16 Nov 2026" in line for line in today)
    kpi = at.selectbox(key="myweek_kpi")
    assert "week of 16 Nov 2026" in kpi.options[0]
    name = today[0].split("**")[1]
    at.radio(key="myweek_confidence").set_value("on_track")
    at = click(at, "Check in")
    assert not at.exception, at.exception
    from tracker.names import kpi_names

    key = {v: k for k, v in kpi_names(app_env).items()}[name]
    given = next(s for s in checkin_status(app_env, "2026-W47").kpis if s.kpi == key)
    assert (given.state, given.confidence) == ("on_time", "on_track")  # W47, on time


@pytest.mark.parametrize("page", ["summary", "team"])
def test_on_monday_the_overdue_lists_name_the_week_before_lasts_misses(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    # the lists looked at last week only, which on a Monday is still on time: every Monday
    # (review and digest day) they said "Nobody is overdue" beside Maria's two misses
    monkeypatch.setenv("WAYPOINT_NOW", "2026-11-23T15:00:00+00:00")  # 09:00 in Chicago
    at = open_page(page)
    assert not at.exception, at.exception
    lines = [m.value for m in at.markdown if m.value.startswith("✕ **")]
    assert len(lines) == 2 and all("Maria Lopez (week of 9 Nov 2026)" in x for x in lines)
    assert not [m for m in at.markdown if "Nobody is overdue" in m.value]


def test_my_weeks_check_in_offers_only_what_can_be_given(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jay's Summer review drive ended on 19 Oct and Maria's holiday pre-orders start on 23
    # Nov: both were offered and refused on submit ("nothing is due for 2026-W47")
    for person, gone in (("jay", "Summer review drive"), ("maria", "Holiday platter pre-orders")):
        monkeypatch.setenv("WAYPOINT_AS", person)
        at = open_page("my_week")
        assert not at.exception, at.exception
        options = at.selectbox(key="myweek_kpi").options
        assert options and not [o for o in options if gone in o], options
        assert all(" · " in o for o in options)  # each names the period it is for


def test_the_reviews_numbers_say_the_day_they_are_of(app_env: Store) -> None:
    # the table's column read "now" while its numbers were the reviewed week's Sunday's:
    # a KPI on track there and at risk on the Summary (today) looked like a contradiction
    at = open_page("weekly_review")  # Wed 18 Nov: the review of 9-15 Nov
    assert not at.exception, at.exception
    (table,) = [f.value for f in at.dataframe if "KPI" in f.value.columns]
    assert list(table.columns) == ["KPI", "status", "last week", "as of Sun 15 Nov"]
    # a monthly KPI's check-in names its month on the page, as in the mail (beside an
    # overdue October, "Google rating: on time" read as October's too)
    shown = " ".join(m.value for m in at.markdown)
    assert "- Google rating \\(November 2026\\): on time" in shown, shown


def test_a_kpi_read_weeks_ago_says_when_its_last_value_came(app_env: Store) -> None:
    # "current 456" of the newsletter KPI read as today's number: its last value is from
    # 29 Oct, 20 days before (the Stale numbers card names the metric, not the KPI)
    from tracker.progress import compute_progress

    report = compute_progress(app_env, dt.date(2026, 11, 18))
    subscribers = next(k for k in report.kpis if k.kpi == "subscribers")
    at = open_page("objective")
    at.selectbox(key="objective_choice").set_value(subscribers.objective)
    at.run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert "Last value on Thu 29 Oct, 20 days before the numbers below: log or import what" in (
        " ".join(captions)
    )
    # a KPI whose values are current says nothing of the kind
    at.selectbox(key="objective_choice").set_value(report.kpis[0].objective)
    at.run()
    assert not [c for c in at.caption if c.value.startswith("Last value on")]


def test_applying_yaml_that_leaves_out_a_metric_with_values_says_it_was_kept(
    app_env: Store,
) -> None:
    # the YAML tab said only "Plan applied." and the metric was still there
    from tracker.plan import export_plan

    plan = yaml.safe_load(export_plan(app_env))
    plan["metrics"] = [m for m in plan["metrics"] if m["key"] != "ig-likes"]
    at = open_page("plan")
    at.text_area(key="plan_yaml").set_value(yaml.safe_dump(plan, sort_keys=False))
    at = click(at, "Apply", key="plan_apply")
    assert not at.exception, at.exception
    assert [x.value for x in at.success] == ["Plan applied."]
    (kept,) = [i.value for i in at.info if i.value.startswith("Kept ")]
    assert "Instagram likes" in kept and "--prune" in kept


def test_a_plan_save_that_reads_a_metrics_values_anew_says_so(app_env: Store) -> None:
    # A metric holding half a year of values turned into a stock: every KPI on it moved,
    # and the page said only "Metric saved."
    at = open_page("plan")
    at.selectbox(key="plan_metric_choice").set_value("ig-likes").run()
    next(s for s in at.selectbox if s.label == "Behaviour").set_value("stock")
    at = click(at, "Save metric")
    assert not at.exception and not at.error, [e.value for e in at.error]
    # Markdown escapes aside, as the page shows it
    (said,) = [s.value.replace("\\", "") for s in at.success]
    assert said.startswith("Metric saved. Instagram likes (ig-likes) holds 182 values: each")
    assert "each day now counts its latest-recorded value" in said
    # the YAML tab's dry run and apply say the same of a change back
    from tracker.plan import export_plan

    plan = yaml.safe_load(export_plan(app_env))
    for m in plan["metrics"]:
        if m["key"] == "ig-likes":
            m["behaviour"] = "flow"
    at.text_area(key="plan_yaml").set_value(yaml.safe_dump(plan, sort_keys=False))
    at = click(at, "Check (dry run)", key="plan_dry")
    assert any("now adds up its sources and entries" in i.value for i in at.info)
    at = click(at, "Apply", key="plan_apply")
    (said,) = [s.value for s in at.success]
    assert said.startswith("Plan applied. Instagram likes") and "now adds up" in said


def test_a_decision_saved_at_the_review_is_listed_at_once(app_env: Store) -> None:
    at = open_page("weekly_review")
    # before one is written, the heading says there is none (not an empty section)
    assert "No decision was written down at this review." in [c.value for c in at.caption]
    at.text_area[0].set_value("Pause the <b>giveaway</b> posts")
    at = click(at, "Save decision")
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Decision saved."]
    decisions = [m.value for m in at.markdown if "Pause the" in m.value]
    assert len(decisions) == 1 and r"Pause the \<b\>giveaway\</b\> posts" in decisions[0]


def test_the_vanity_audit_is_one_card_per_metric_with_weekly_series(app_env: Store) -> None:
    at = open_page("vanity_audit")
    assert not at.exception, at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    # one card per metric: Instagram followers carries its goal, growth and link flags
    assert sum("Instagram followers" in h for h in headings) == 1, headings
    followers = next(i for i, c in enumerate(at.caption) if "Growth without results" in c.value)
    assert "Followers set as a goal" in at.caption[followers].value
    # its chart: the weekly series of followers and of the outcome, on two axes
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["yaxis2"]["side"] == "right" and layout["xaxis"]["tickformat"] == "%-d %b"
    untracked = next(m.value for m in at.markdown if m.value.startswith("**Untracked numbers**"))
    assert "Facebook page fans" in untracked


@pytest.mark.parametrize(("person", "role"), [("jay", "assistant"), ("ben", "viewer")])
def test_roles_see_their_pages(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, person: str, role: str
) -> None:
    monkeypatch.setenv("WAYPOINT_AS", person)
    at = open_page()
    assert not at.exception, at.exception
    assert at.session_state["actor"].role == role
    if role == "assistant":
        assert at.title[0].value.startswith("My week")  # assistants land on My week
    # Every role reads every page (DESIGN, Roles): the Plan and Settings pages open for
    # them to read, with nothing to change. They were a manager's alone.
    from dashboard import ui
    from tracker.plan import load_plan

    plan = load_plan(app_env)
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Plan"
    assert not at.text_input and not at.text_area and not at.number_input
    assert not [b for b in at.button if "Sign" not in b.label]
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert all(o.title in shown for o in plan.objectives)
    assert ui.text(plan.workspace.vision or "")[:40].replace("\\", "") in shown
    # each objective's KPIs by name, with their owner's name and the target in its unit
    tables = [t.value for t in at.dataframe]
    kpis = next(
        t for t in tables if "KPI" in t.columns and "Catering inquiries this half" in set(t["KPI"])
    )
    row = kpis[kpis["KPI"] == "Catering inquiries this half"].iloc[0]
    kpi = next(k for o in plan.objectives for k in o.kpis if k.name == row["KPI"])
    owner = next(p.name for p in plan.people if p.key == kpi.owner)
    assert (row["owner"], row["target"]) == (owner, f"{kpi.target:,.0f}")
    people = next(t for t in tables if "role" in t.columns)
    # a person's email, rate and sign-in are a manager's to see
    assert set(people.columns) == {"name", "role", "manager", "in the workspace since"}
    assert not any("@" in str(v) for v in people.to_numpy().ravel())
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Settings"
    assert not at.text_input and not at.number_input and not at.selectbox
    assert not [b for b in at.button if "Sign" not in b.label]  # no Run now, no Save
    said = " ".join(m.value for m in at.markdown)
    assert "on track** at a pace of 90%" in said and "America/Chicago" in said
    assert "smtp" not in said.lower()  # the mail server's name and user: a manager's


def test_viewer_sees_no_edit_controls(app_env: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_AS", "ben")
    for name in (
        "summary",
        "vanity_audit",
        "weekly_review",
        "objective",
        "audit_log",
        "plan",
        "settings",
    ):
        at = open_page(name)
        assert not at.exception, at.exception
        assert not at.text_input and not at.number_input and not at.text_area, name
        assert not [b for b in at.button if "Sign" not in b.label], name


def test_a_change_is_taken_back_and_brought_back_on_the_audit_log(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DESIGN: "an undone change can be redone from the audit log", in the dashboard too.
    from tracker.entries import log_entry
    from tracker.records import Actor

    day = dt.date(2026, 11, 17)
    jay = Actor("jay", "assistant", "Jay Patel")
    before = dict(daily_values(app_env, "ig-posts")).get(day, 0.0)
    change = log_entry(app_env, jay, "ig-posts", 1, day=day).change
    monkeypatch.setenv("WAYPOINT_AS", "jay")
    at = open_page("audit_log")
    # an assistant's list is her own changes, each with the button she may use, the
    # metric by name
    # (the demo's own entries of Jay's are his changes too: each may be undone)
    from tracker.changes import list_changes

    his = {f"changes_undo_{c.id}" for c in list_changes(app_env, actor="jay", limit=50)}
    shown = {b.key for b in at.button}
    assert f"changes_undo_{change}" in shown and shown <= his
    line = next(m.value for m in at.markdown if m.value.startswith(f"Change **{change}**"))
    assert "log Instagram posts +1 on 17 Nov 2026" in line and "ig-posts" not in line
    at = click(at, "Undo", key=f"changes_undo_{change}")
    assert not at.exception, at.exception
    (done,) = [x.value for x in at.success]  # says what was taken back, by name
    assert done.startswith(f"Change {change} taken back: log Instagram posts +1 on")
    assert dict(daily_values(app_env, "ig-posts")).get(day, 0.0) == before
    # the redrawn page says so and offers Redo for the same change
    assert any("taken back by change" in m.value for m in at.markdown)
    at = click(at, "Redo", key=f"changes_redo_{change}")
    assert not at.exception, at.exception
    assert dict(daily_values(app_env, "ig-posts"))[day] == before + 1
    # a manager sees everyone's changes, Jay's among them
    monkeypatch.setenv("WAYPOINT_AS", "maria")
    at = open_page("audit_log")
    assert f"changes_undo_{change}" in {b.key for b in at.button}
    # undoing a plan apply is asked once more first
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    plan["workspace"]["vision"] = "Every office lunch in town, on time"
    applied = apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True).change
    at = open_page("audit_log")
    at = click(at, "Undo", key=f"changes_undo_{applied}")
    assert any("is a plan apply" in w.value for w in at.warning)
    with app_env.read() as con:
        undone = "SELECT undone_by FROM changes WHERE id = ?"
        assert con.execute(undone, [applied]).fetchall() == [(None,)]
    at = click(at, f"Yes, undo change {applied}", key=f"changes_confirm_{applied}")
    assert not at.exception, at.exception
    with app_env.read() as con:
        assert con.execute(undone, [applied]).fetchall() != [(None,)]


def test_assistant_cannot_log_someone_elses_metric(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOINT_AS", "jay")
    at = open_page("log_values")
    options = at.selectbox(key="log_metric").options
    assert "Catering inquiries" not in options and "Instagram followers" in options
    # Another person's entry on a metric Jay may log shows without a Delete button.
    assert not [b for b in at.button if b.label == "Delete" and "jay" not in b.key]


def test_the_week_grid_opens_on_what_the_person_types_by_hand(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jay types Reviews answered in every day; the grid opened on the plan's first three
    # metrics (two of them imported, one of a KPI that had ended) and left it out
    monkeypatch.setenv("WAYPOINT_AS", "jay")
    at = open_page("log_values")
    assert not at.exception, at.exception
    chosen = at.multiselect(key="log_grid_metrics").value
    assert chosen[0] == "reviews-answered", chosen
    assert len(chosen) == 3


def test_import_preview_then_commit(app_env: Store, tmp_path) -> None:
    from tests.conftest import EXPORTS
    from tracker.importer import import_file
    from tracker.records import LOCAL_MANAGER

    # AppTest cannot upload files; the page calls exactly this service twice.
    path = EXPORTS / "x_twitter" / "account_overview_analytics.csv"
    preview = import_file(app_env, LOCAL_MANAGER, path, dry_run=True, rejects_dir=tmp_path)
    assert preview.preview.num_rows == 650
    at = open_page("import_data")
    assert not at.exception and "Import" in at.title[0].value
    # every platform a preset reads is named (the typed list had left Instagram out)
    (intro,) = [c.value for c in at.caption if c.value.startswith("CSV or Excel exports")]
    for platform in ("X", "Facebook", "Instagram", "LinkedIn", "YouTube", "Google Ads"):
        assert platform in intro, intro


def test_a_manager_logs_hours_for_an_assistant(app_env: Store) -> None:
    from tracker.entries import day_entries

    day = dt.date(2026, 11, 18)
    at = open_page("log_values")
    at.selectbox(key="log_metric").set_value("ig-hours")
    at.date_input(key="log_day").set_value(day)
    at.run()
    at.selectbox(key="log_for").set_value("jay")  # hours are credited to whom they are for
    at.text_input(key="log_value").set_value("2.5")
    at = click(at, "Save")
    assert not at.exception, at.exception
    mine = [e for e in day_entries(app_env, "ig-hours", day) if e.is_entry]
    assert [(e.value, e.for_person, e.recorded_by) for e in mine] == [(2.5, "jay", "maria")]


FLAG_CODES = (
    "audience_as_goal",
    "no_outcome_kpi",
    "unqualified_growth",
    "no_link_to_outcome",
    "orphan_metric",
    "unmeasurable_kpi",
    "stale_metric",
    "confidence_conflict",
    "outlier_value",
    "overlapping_sources",
)


def people_text(at, tables: bool = True) -> list[str]:
    """Everything a person reads on the page: text, expander labels and table cells."""
    parts = [all_text(at)]
    for kind in ("info", "warning", "error", "success", "header"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.label) for e in at.expander]
    parts += [str(j.value) for j in at.json]  # raw JSON on screen is itself a finding
    if tables:
        for frame in at.dataframe:
            parts += [" | ".join(map(str, frame.value.columns))]
            parts += [" | ".join(map(str, row)) for row in frame.value.itertuples(index=False)]
    return [line for part in parts for line in str(part).splitlines()]


def test_the_team_page_counts_costs_over_the_weeks_it_counts_check_ins(app_env: Store) -> None:
    # One window on one page: the hours of the check-in table and the cost table's
    # hours come from the same complete weeks (they once ended three days apart).
    at = open_page("team")
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert captions[0] == (
        "Check-ins and hours over the last 8 complete weeks (21 Sep – 15 Nov 2026)"
    )
    assert any(c.startswith("21 Sep – 15 Nov 2026 (8 weeks).") for c in captions)


def test_crossed_pace_overrides_are_said_in_words_on_every_page(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve hides error details: an uncaught refusal would be an error without its words
    monkeypatch.setenv("WAYPOINT_ON_TRACK_PACE", "0.5")
    monkeypatch.setenv("WAYPOINT_AT_RISK_PACE", "0.8")
    for name in ("summary", "my_week", "weekly_review"):
        at = open_page(name)
        assert not at.exception, (name, at.exception)
        said = [e.value.replace("\\_", "_") for e in at.error]
        assert any("WAYPOINT_AT_RISK_PACE" in e for e in said), (name, said)


ROLE_PAGES = {
    "maria": (
        "summary",
        "objective",
        "vanity_audit",
        "weekly_review",
        "team",
        "my_week",
        "log_values",
        "import_data",
        "audit_log",
        "settings",
        "campaigns",
    ),
    "jay": ("summary", "objective", "weekly_review", "team", "my_week", "log_values", "campaigns"),
}


def assert_readable(name: str, at, keys: list[str]) -> None:
    """No None, nan, dict braces, flag or job code, or plan key on the page."""
    assert not at.exception, (name, at.exception)
    assert not at.json, (name, "raw JSON on screen")
    # the log grid's empty cells are inputs waiting for numbers, not missing values
    for line in people_text(at, tables=name != "log_values"):
        assert not re.search(r"\bNone\b|\bnan\b|\bNaN\b", line), (name, line)
        assert "{" not in line and "}" not in line, (name, line)
        plain = line.replace("\\_", "_").replace("\\-", "-")
        assert not any(code in plain for code in FLAG_CODES), (name, line)
        assert not re.search(r"\b(nightly_backup|inbox_import|weekly_digest)\b", plain), (
            name,
            line,
        )
        for key in keys:
            assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", plain), (name, key, line)


def plan_keys(store: Store) -> list[str]:
    """The demo's KPI and metric keys that could not be words (inquiries-h2, ig-posts):
    a single-word key (rating) is also the word people read in a name."""
    with store.read() as con:
        keys = con.execute("SELECT key FROM kpis UNION SELECT key FROM metrics").fetchall()
    return sorted(k for (k,) in keys if "-" in k)


@pytest.mark.parametrize("person", ["maria", "jay"])
def test_no_page_shows_none_codes_keys_or_dicts(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, person: str
) -> None:
    monkeypatch.setenv("WAYPOINT_AS", person)
    keys = plan_keys(app_env)
    assert "inquiries-h2" in keys and "web-sessions" in keys
    for name in ROLE_PAGES[person]:
        assert_readable(name, open_page(name), keys)


def test_an_empty_workspace_reads_cleanly_on_every_page(empty_env: Store) -> None:
    for name in (*ROLE_PAGES["maria"], "plan"):
        at = open_page(name)
        assert_readable(name, at, [])


def test_settings_sends_a_test_email_and_shows_jobs_in_words(app_env: Store, smtp) -> None:
    at = open_page("settings")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "Every day at 09:00 (America/Chicago)" in text  # schedules in words
    assert "Times in America/Chicago" in text
    # the jobs table: titles, schedules in words, the workspace's clock
    jobs = {row["job"]: row for row in at.dataframe[-1].value.to_dict("records")}
    assert jobs["Nightly backup"]["when"] == "Every day at 02:30"
    assert jobs["Weekly digest"]["when"] == "At 08:00, only on Monday"
    at.text_input(key="smtp_to").set_value("maria@copperkettle.example")
    at = click(at, "Send a test email", key="smtp_test")
    assert not at.exception, at.exception
    assert any("Sent a test email to maria@copperkettle.example" in s.value for s in at.success)
    assert [m["X-Rcpt"] for m in smtp.messages] == ["maria@copperkettle.example"]
    assert smtp.messages[0]["Subject"] == "Waypoint test email"


def test_a_time_zone_saved_on_settings_shows_at_once(app_env: Store) -> None:
    # the schedules and the jobs' times still said "In America/Chicago" after saving
    # Europe/Berlin, until the page was reloaded
    at = open_page("settings")
    (zone,) = [t for t in at.text_input if t.label == "Timezone (IANA)"]
    zone.set_value("Europe/Berlin")
    at = click(at, "Save settings")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "In Europe/Berlin (the workspace's timezone)" in captions, captions
    assert "Times in Europe/Berlin" in captions and "America/Chicago" not in captions
    assert any("Settings saved." in m.value for m in (*at.success, *at.markdown)), [
        m.value for m in at.markdown
    ]


def test_a_schedule_the_scheduler_cannot_read_says_which_job_never_runs(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schedule from the environment is checked when the server starts its jobs: the
    page says the job never runs and which variable to correct, not a cut-off cell."""
    monkeypatch.setenv("WAYPOINT_SCHEDULE_NIGHTLY_BACKUP", "61 25 * * *")
    at = open_page("settings")
    assert not at.exception, at.exception
    jobs = {row["job"]: row for row in at.dataframe[-1].value.to_dict("records")}
    assert jobs["Nightly backup"]["when"] == "never runs"
    assert jobs["Nightly backup"]["next run"] == ""
    assert jobs["Weekly digest"]["when"] == "At 08:00, only on Monday"
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # markdown escapes off
    assert any(
        e.startswith("Nightly backup never runs: WAYPOINT_SCHEDULE_NIGHTLY_BACKUP")
        and "'61 25 * * *'" in e
        and "restart" in e
        for e in errors
    ), errors


def test_a_setting_the_environment_overrides_says_what_is_in_effect(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forms edit what the workspace stores; a manager who changes a schedule the
    server's environment sets would otherwise save a change that does nothing."""
    monkeypatch.setenv("WAYPOINT_SCHEDULE_WEEKLY_DIGEST", "0 7 * * tue")
    monkeypatch.setenv("WAYPOINT_ON_TRACK_PACE", "0.95")
    at = open_page("settings")
    assert not at.exception, at.exception
    # markdown escapes off (a backslash, and the word joiner after a glued colon)
    captions = [re.sub(r"\\(.)", r"\1", c.value).replace("\u2060", "") for c in at.caption]
    said = [c for c in captions if c.startswith("In effect:")]
    assert len(said) == 2, captions
    assert any(
        "At 07:00, only on Tuesday ('0 7 * * tue')" in c and "WAYPOINT_SCHEDULE_WEEKLY_DIGEST" in c
        for c in said
    ), said
    assert any("'0.95'" in c and "WAYPOINT_ON_TRACK_PACE" in c for c in said), said
    # the editor still shows (and saves) the stored schedule, not the override
    assert at.selectbox(key="settings_schedule.weekly_digest_day").value == "mon"
    # the fields allow what the registry allows (a pace of 1.5 would only be refused)
    fields = {n.label: n for n in at.number_input}
    assert (fields["On track at pace ≥"].min, fields["On track at pace ≥"].max) == (0, 1)
    assert (fields["Backups to keep"].min, fields["Backups to keep"].max) == (1, 3650)


def test_schedules_are_edited_in_words_and_validated(app_env: Store) -> None:
    from tracker.settings import get_setting

    at = open_page("settings")
    assert not at.exception, at.exception
    # the demo's digest is "0 8 * * mon": recognised as every week, Monday, 08:00
    assert at.selectbox(key="settings_schedule.weekly_digest_kind").value == "Every week"
    at.selectbox(key="settings_schedule.weekly_digest_day").set_value("fri")
    at.run()
    assert "At 08:00, only on Friday (America/Chicago)" in all_text(at)
    # a custom expression that is not cron is refused with its reason, nothing saved
    at.selectbox(key="settings_schedule.nightly_backup_kind").set_value("Custom (cron)")
    at.run()
    at.text_input(key="settings_schedule.nightly_backup_cron").set_value("every night")
    at = click(at, "Save schedules", key="settings_save_schedules")
    assert any("Not saved" in e.value and "Nightly backup" in e.value for e in at.error), at.error
    with app_env.read() as con:
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    assert get_setting("schedule.weekly_digest", stored) == "0 8 * * mon"
    at.text_input(key="settings_schedule.nightly_backup_cron").set_value("30 3 * * *")
    at = click(at, "Save schedules", key="settings_save_schedules")
    assert any("Schedules saved" in s.value for s in at.success), [e.value for e in at.error]
    with app_env.read() as con:
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    assert get_setting("schedule.weekly_digest", stored) == "0 8 * * fri"
    assert get_setting("schedule.nightly_backup", stored) == "30 3 * * *"


def test_campaigns_show_what_moved_and_what_did_not(app_env: Store) -> None:
    at = open_page("campaigns")
    assert not at.exception, at.exception
    text = all_text(at)
    # The giveaway moved followers, not catering inquiries; the cards lifted repeat customers.
    assert "the level of Instagram followers ended" in text
    assert re.search(r"Catering inquiries were [\d.]+ (above|below) what the 16 weeks", text)
    assert "within what chance alone gives" in text
    assert "So far during Thank-you cards in every box" in text
    # the demo's first two campaigns start with its data: no weeks before them will ever
    # come by waiting ("Cannot judge it yet" said otherwise), older values must be imported
    info = [e.value for e in at.info][0]
    assert info.startswith("Cannot judge it: no values before it started") and " yet" not in info
    assert "import the weeks before it" in info
    badges = " ".join(m.value for m in at.markdown)
    assert "moved it: Instagram followers" in badges
    # verdicts have shapes of their own: ▲ and ● are the at-risk and on-track statuses
    assert "▲ moved it" not in badges and "● no clear change" not in badges
    assert len(at.get("plotly_chart")) >= 4  # actual against the predicted band, per metric
    captions = " ".join(c.value for c in at.caption).replace("\\", "")  # Markdown escapes
    assert "runs alongside Behind-the-tray stories on the same channel(s)" in captions
    assert re.search(r"Each extra unit of Repeat catering customers cost \$\d+\.\d\d", captions)
    # The weekly review of the week the giveaway ended says what it moved.
    review = open_page("weekly_review")
    assert "Campaigns that ended" in [s.value for s in review.subheader]
    assert re.search(r"the level of Instagram followers ended [\d,]+ above", all_text(review))


def test_saving_an_unchanged_kpi_of_every_kind_changes_nothing(app_env: Store) -> None:
    """#17: the Plan page's KPI form holds everything the plan file can (ratio sides, per,
    stay, baseline, own start and deadline, cadence, campaign), so saving a KPI as it is
    leaves the plan, the database and the audit log exactly as they were."""
    from tracker.plan import export_plan

    before = export_plan(app_env)
    revision = app_env.revision()
    at = open_page("plan")
    kinds = {"ratio": 0, "per": 0, "stay": 0, "baseline": 0, "cadence": 0, "deadline": 0}
    data = yaml.safe_load(before)
    for objective in data["objectives"]:
        for kpi in objective.get("kpis", []):
            for field in kinds:
                kinds[field] += field in kpi
            at.selectbox(key="plan_kpi_objective").set_value(objective["key"]).run()
            at.selectbox(key="plan_kpi_choice").set_value(kpi["key"]).run()
            next(b for b in at.button if b.label == "Save KPI").click().run()
            assert not at.exception
            assert not at.error, (kpi["key"], [e.value for e in at.error])
            assert export_plan(app_env) == before, kpi["key"]
    assert all(kinds.values()), kinds  # the demo holds every kind the form must keep
    assert app_env.revision() == revision


def test_a_kpi_form_left_open_never_sets_back_a_target_changed_meanwhile(
    app_env: Store,
) -> None:
    # the page was open on orders-h2 (target 200) when a plan apply raised it to 250;
    # changing only the name and saving set the target back to 200, unsaid
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    def stored() -> dict:
        return next(
            k
            for o in yaml.safe_load(export_plan(app_env))["objectives"]
            for k in o.get("kpis", [])
            if k["key"] == "orders-h2"
        )

    at = open_page("plan")
    at.selectbox(key="plan_kpi_choice").set_value("orders-h2").run()
    assert at.text_input(key="plan_kpi_target_orders-h2").value == "200"
    plan = yaml.safe_load(export_plan(app_env))
    for o in plan["objectives"]:
        for k in o.get("kpis", []):
            if k["key"] == "orders-h2":
                k["target"] = 250
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    at.run()  # the next thing the manager does reruns the page
    assert at.text_input(key="plan_kpi_target_orders-h2").value == "250"
    name = next(t for t in at.text_input if t.label == "Name people read")
    name.set_value("Catering orders, second half")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    assert not at.exception, at.exception
    assert (stored()["target"], stored()["name"]) == (250, "Catering orders, second half")


def test_a_plan_page_save_is_named_on_the_audit_log_by_what_it_changed(app_env: Store) -> None:
    # it read "plan apply: 0 created, 1 updated, 0 archived, 42 unchanged": no manager
    # could tell which Undo takes back which edit
    at = open_page("plan")
    at.selectbox(key="plan_kpi_choice").set_value("orders-h2").run()
    at.text_input(key="plan_kpi_target_orders-h2").set_value("210")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    assert not at.exception, at.exception
    log = open_page("audit_log")
    lines = [m.value.replace("\\", "") for m in log.markdown if m.value.startswith("Change **")]
    assert "updated KPI Catering orders booked this half: target" in lines[0], lines[0]


def test_the_yaml_tab_follows_saves_and_asks_before_setting_work_back(app_env: Store) -> None:
    # after a form's save the YAML tab still showed the plan before it, and applying it
    # ended at "apply with --yes", which the page does not offer
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    at = open_page("plan")
    at.selectbox(key="plan_kpi_choice").set_value("orders-h2").run()
    at.text_input(key="plan_kpi_target_orders-h2").set_value("230")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    assert "target: 230" in at.text_area(key="plan_yaml").value
    # a text taken before another manager's change: applying it would set that back
    old_text = at.text_area(key="plan_yaml").value
    plan = yaml.safe_load(export_plan(app_env))
    plan["workspace"]["vision"] = "Changed meanwhile"
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    at.text_area(key="plan_yaml").set_value(old_text.replace("target: 230", "target: 240"))
    at = click(at, "Apply", key="plan_apply")
    (asked,) = [w.value for w in at.warning if "set these back" in w.value]
    assert "Apply anyway" in asked and "--yes" not in asked
    assert "target: 240" not in export_plan(app_env)
    at = click(at, "Apply anyway", key="plan_apply_anyway")
    assert not at.exception, at.exception
    assert [x.value for x in at.success] == ["Plan applied."]
    assert "target: 240" in export_plan(app_env)


def test_the_kpi_form_turns_a_metric_kpi_into_a_ratio_and_names_a_bad_number(
    app_env: Store,
) -> None:
    from tracker.plan import export_plan

    at = open_page("plan")
    at.selectbox(key="plan_kpi_choice").set_value("orders-h2").run()
    at.text_input(key="plan_kpi_target_orders-h2").set_value("many")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    assert "Target: 'many' is not a number" in at.error[0].value
    # a plan problem in the page's words, not the plan file's syntax ("dashboard: 1
    # problem(s), nothing was changed: - objectives[...].kpis[orders-h2].target: ...")
    at.text_input(key="plan_kpi_target_orders-h2").set_value("1e16")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    shown = at.error[0].value.replace("\\", "")
    assert shown.startswith("Not saved: KPI orders-h2, target: "), shown
    assert "problem(s)" not in shown and "kpis[" not in shown
    at.radio(key="plan_kpi_kind_orders-h2").set_value("A ratio of two metrics")
    at.text_input(key="plan_kpi_target_orders-h2").set_value("0.25")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    kpi = next(
        k
        for o in yaml.safe_load(export_plan(app_env))["objectives"]
        for k in o.get("kpis", [])
        if k["key"] == "orders-h2"
    )
    assert "ratio" in kpi and "metric" not in kpi and kpi["target"] == 0.25
    # it starts as its metric over another one (a metric over itself is refused)
    assert kpi["ratio"]["numerator"] == "catering-orders"
    assert kpi["ratio"]["denominator"] != "catering-orders"


def test_the_objective_page_says_missed_on_and_no_forecast_word_without_a_forecast(
    app_env: Store,
) -> None:
    # a missed KPI's help read "expected by now: 100%" and nothing said "missed on"; a
    # health KPI, a draft and one not started were all "will miss"
    at = open_page("objective")
    at.selectbox(key="objective_choice").set_value("reputation").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Missed on 19 Oct 2026: the deadline passed") for c in captions)
    helps = {(m.label, m.proto.help) for m in at.metric}
    assert ("progress", "missed on 19 Oct 2026") in helps
    assert not any("100% expected" in h for _, h in helps)
    forecast_helps = [m.proto.help for m in at.metric if m.label == "forecast"]
    # review drive (missed), rating (off track): will miss; review replies (a draft): none
    assert forecast_helps == ["will miss the target", "will miss the target", ""]
    at.selectbox(key="objective_choice").set_value("fast-service").run()
    forecast_helps = [m.proto.help for m in at.metric if m.label == "forecast"]
    assert forecast_helps == ["", "will hit the target"]  # reply time stays below: none


def test_a_note_outside_a_kpis_chart_is_not_drawn_on_it(app_env: Store) -> None:
    # a workspace note of 1 Oct stretched a December KPI's chart back to September and a
    # week's KPI to a sliver, with a ✎ on each and no words under it
    import json

    from tracker.annotations import add_annotation
    from tracker.records import LOCAL_MANAGER

    add_annotation(app_env, LOCAL_MANAGER, dt.date(2026, 10, 1), "Price list changed")
    at = open_page("objective")
    assert not at.exception, at.exception
    checked = 0
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        days = [x[:10] for trace in fig["data"] for x in (trace.get("x") or [])]
        notes = [a for a in fig["layout"].get("annotations", []) if a.get("text") == "✎"]
        if days:
            for note in notes:
                assert min(days) <= str(note["x"])[:10] <= max(days), (note, min(days))
            checked += 1
    assert checked >= 3
    # the one chart it falls in writes it out under it; none writes it without a mark
    captions = [c.value for c in at.caption if c.value.startswith("✎ ")]
    marked = sum(
        1
        for chart in at.get("plotly_chart")
        for a in json.loads(chart.proto.spec)["layout"].get("annotations", [])
        if a.get("text") == "✎" and str(a["x"]).startswith("2026-10-01")
    )
    assert marked == sum("1 Oct: Price list changed" in c for c in captions) >= 1


def test_numbers_too_long_for_five_tiles_go_three_and_two(empty_env: Store) -> None:
    # "$723,000.00" and "$1,000,0…" were cut with an ellipsis at 1400 px, five abreast
    from tracker.entries import log_entry
    from tracker.plan import apply_plan_text
    from tracker.records import LOCAL_MANAGER

    apply_plan_text(
        empty_env,
        "workspace: {name: Big, timezone: UTC}\n"
        "people: [{key: m, name: M, role: manager}]\n"
        "metrics:\n"
        "  - {key: revenue, name: Revenue, class: outcome, behaviour: flow, unit: USD}\n"
        "  - {key: posts, name: Posts, class: activity, behaviour: flow}\n"
        "objectives:\n"
        "  - {key: o, title: O, outcome: revenue, start: 2026-11-02, deadline: 2026-12-31,\n"
        "     kpis: [{key: big, metric: revenue, target: 1000000, owner: m},\n"
        "            {key: small, metric: posts, target: 40, owner: m}]}\n",
        LOCAL_MANAGER,
    )
    log_entry(empty_env, LOCAL_MANAGER, "revenue", 723000.5, day=dt.date(2026, 11, 10))
    log_entry(empty_env, LOCAL_MANAGER, "posts", 4, day=dt.date(2026, 11, 10))
    at = open_page("objective")
    assert not at.exception, at.exception
    widths = [round(c.weight, 2) for c in at.columns if c.children]
    # the big KPI's five tiles in rows of three (and two), the small one's five abreast
    assert widths.count(0.33) == 5 and widths.count(0.2) == 5, widths


def test_a_new_objective_or_kpi_may_not_take_an_existing_key(app_env: Store) -> None:
    """Saving "(new objective)" under an existing key used to replace that objective and
    archive its KPIs and campaigns; now it is refused and nothing changes."""
    from tracker.plan import export_plan

    before = export_plan(app_env)
    first = yaml.safe_load(before)["objectives"][0]
    at = open_page("plan")
    at.text_input(key="plan_objective_key_(new objective)").set_value(first["key"])
    at.text_input(key="plan_objective_title_(new objective)").set_value("A new objective")
    next(b for b in at.button if b.label == "Save objective").click().run()
    assert f"There is already an objective with the key {first['key']!r}" in at.error[0].value
    kpi = first["kpis"][0]["key"]
    at.text_input(key="plan_kpi_key_(new KPI)").set_value(kpi)
    at.text_input(key="plan_kpi_target_(new KPI)").set_value("1,500")
    next(b for b in at.button if b.label == "Save KPI").click().run()
    assert f"There is already a KPI with the key {kpi!r}" in at.error[0].value
    assert export_plan(app_env) == before


def test_the_digest_link_opens_its_week_with_days_for_a_title(app_env: Store) -> None:
    at = open_with_query("weekly_review", week="2026-W44")
    assert not at.exception, at.exception
    assert at.selectbox(key="weekly_week").value == "2026-W44"
    assert [t.value for t in at.title] == ["Weekly review · 26 Oct – 1 Nov 2026"]
    # the weeks are offered as days, not ISO codes
    assert "2026-W" not in " ".join(at.selectbox(key="weekly_week").options)


def open_with_query(name: str, **params: str):
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.conftest import APP, page_path

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page_path(name))
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def test_saving_every_metric_and_person_unchanged_changes_nothing(app_env: Store) -> None:
    from tracker.plan import export_plan

    before = export_plan(app_env)
    revision = app_env.revision()
    data = yaml.safe_load(before)
    at = open_page("plan")
    for choice, button, items in (
        ("plan_metric_choice", "Save metric", data["metrics"]),
        ("plan_person_choice", "Save person", data["people"]),
    ):
        for item in items:
            at.selectbox(key=choice).set_value(item["key"]).run()
            next(b for b in at.button if b.label == button).click().run()
            assert not at.exception and not at.error, (item["key"], [e.value for e in at.error])
            assert export_plan(app_env) == before, item["key"]
    assert app_env.revision() == revision


def test_the_plan_page_edits_a_metric_and_a_person_like_the_plan_file(app_env: Store) -> None:
    from tracker.plan import export_plan

    at = open_page("plan")
    at.selectbox(key="plan_metric_choice").set_value("fb-fans").run()
    at.checkbox(key="plan_metric_neg_fb-fans").check()
    next(b for b in at.button if b.label == "Save metric").click().run()
    assert not at.error, [e.value for e in at.error]
    at.selectbox(key="plan_metric_choice").set_value("ad-spend").run()
    at.text_input(key="plan_metric_min_ad-spend").set_value("lots")
    next(b for b in at.button if b.label == "Save metric").click().run()
    assert "Smallest value: 'lots' is not a number" in at.error[0].value
    at.selectbox(key="plan_person_choice").set_value("lena").run()
    at.text_input(key="plan_person_rate_lena").set_value("27.50")
    next(b for b in at.button if b.label == "Save person").click().run()
    assert not at.error, [e.value for e in at.error]
    plan = yaml.safe_load(export_plan(app_env))
    fans = next(m for m in plan["metrics"] if m["key"] == "fb-fans")
    assert "min" in fans and fans["min"] is None  # negatives allowed, as `min: null` says
    spend = next(m for m in plan["metrics"] if m["key"] == "ad-spend")
    assert spend.get("min", 0) == 0  # the refused save changed nothing
    lena = next(p for p in plan["people"] if p["key"] == "lena")
    assert lena["hourly_rate"] == 27.5 and lena["manager"] == "maria"
    # who else may log a metric: given, then taken away again
    for who in ("jay", None):
        at.selectbox(key="plan_metric_choice").set_value("ig-followers").run()
        owner = next(s for s in at.selectbox if s.label == "May also log it")
        # "KPI owners only" is the first choice (its value is None)
        owner.set_value(who) if who else owner.select_index(0)
        next(b for b in at.button if b.label == "Save metric").click().run()
        assert not at.error, [e.value for e in at.error]
        metric = next(
            m for m in yaml.safe_load(export_plan(app_env))["metrics"] if m["key"] == "ig-followers"
        )
        assert metric.get("owner") == who, (who, metric)


@pytest.mark.parametrize("name", [None, "objective", "log_values"])
def test_a_rerun_opens_the_database_once_and_lets_go_of_it(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, name: str | None
) -> None:
    # Each open costs DuckDB ~30 ms of reading the catalog; reruns used to open the file
    # three or four times. Between reruns the file must be free for the CLI and the jobs.
    from dashboard import state

    opened: list[str] = []
    real = Store._connect

    def counting(self: Store, keep_wal: bool):
        opened.append(str(self.path))
        return real(self, keep_wal)

    monkeypatch.setattr(Store, "_connect", counting)
    at = open_page(name)
    opened.clear()
    at.run()
    assert not at.exception
    assert opened == [str(app_env.path)]
    assert state.store()._db is None  # released: another process may write now


def test_a_page_that_works_outside_the_database_runs_with_the_file_closed(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, smtp
) -> None:
    # Talking to a mail server (or parsing an upload) can take seconds: the CLI and the
    # scheduler must not wait for the file meanwhile.
    from dashboard import state
    from tracker import mailer

    held_while_sending: list[bool] = []
    real_send = mailer.send

    def send(*args, **kwargs):
        held_while_sending.append(state.store()._db is not None)
        return real_send(*args, **kwargs)

    monkeypatch.setattr(mailer, "send", send)
    at = open_page("settings")
    at.text_input(key="smtp_to").set_value("maria@copperkettle.example")
    at = click(at, "Send a test email", key="smtp_test")
    assert not at.exception, at.exception
    assert held_while_sending == [False]
    assert len(smtp.messages) == 1


def test_the_weekly_review_keeps_an_acknowledged_flag_greyed_with_its_reason(
    app_env: Store,
) -> None:
    from tracker.records import LOCAL_MANAGER
    from tracker.vanity import acknowledge

    acknowledge(
        app_env,
        LOCAL_MANAGER,
        "unqualified_growth",
        "metric:ig-followers",
        "the giveaway weeks",
        as_of=dt.date(2026, 11, 15),  # the reviewed week's last day
    )
    at = open_page("weekly_review")
    assert not at.exception, at.exception
    lines = [m.value for m in at.markdown]
    greyed = [v for v in lines if v.startswith(":gray[✓ Growth without results")]
    assert len(greyed) == 1 and "the giveaway weeks" in greyed[0], lines
    # accepted: no longer among what needs a decision
    assert not [v for v in lines if "Growth without results" in v and not v.startswith(":gray")]
    untracked = [v for v in lines if "**Untracked numbers**" in v]
    assert len(untracked) == 1  # one line listing them


def test_the_review_names_who_entered_a_check_in_for_its_owner(app_env: Store) -> None:
    from tracker.checkins import checkin_status, record_checkin
    from tracker.models import Actor

    # Maria, the manager, checks in for one of Jay's KPIs of the reviewed week (W46)
    owed = next(s for s in checkin_status(app_env, "2026-W46").kpis if s.owner == "jay")
    maria = Actor("maria", "manager", "Maria Lopez")
    record_checkin(app_env, maria, owed.kpi, "at_risk", period="2026-W46")
    at = open_page("weekly_review")
    assert not at.exception, at.exception
    # said of the confidence shown, after its day (a value Jay logged that week checked
    # him in first: "says at risk; checked in again Wed 18 Nov 2026, entered by ...")
    lines = [ln for m in at.markdown for ln in m.value.splitlines() if "Maria Lopez" in ln]
    assert any("says at risk" in ln and ln.endswith("entered by Maria Lopez") for ln in lines), (
        lines
    )


@pytest.mark.parametrize("name", ["team", "vanity_audit"])
def test_cost_per_outcome_stands_beside_its_channel(app_env: Store, name: str) -> None:
    """On a phone only the first columns show: cost per outcome was the sixth, off-screen;
    the long objective title goes last. The lead table's header says what |r| means."""
    at = open_page(name)
    assert not at.exception, at.exception
    (costs,) = [f.value for f in at.dataframe if "outcome · channel" in f.value.columns]
    assert list(costs.columns[:2]) == ["cost per outcome", "outcome · channel"]
    # two rows of one channel set tell their outcomes apart in the first column
    assert len(set(costs["outcome · channel"])) == len(costs)
    assert costs.columns[-1] == "objective"
    # the outcome is said once, beside its channel: a column of its own pushed the
    # objective out of sight at 1400 px
    assert "outcome" not in costs.columns
    assert any(c.startswith("$") for c in costs["cost per outcome"] if c)  # money, with its unit
    if name == "vanity_audit":
        leads = [f.value for f in at.dataframe if "weeks later" in f.value.columns]
        assert all("|r|" not in c or c.startswith("how closely") for c in leads[0].columns)
        # the number, then the pair in one cell: a phone shows both
        assert list(leads[0].columns[:2]) == ["how closely (|r|, 0 to 1)", "metric → outcome"]
        assert all(" → " in pair for pair in leads[0]["metric → outcome"])


def test_a_metric_that_moves_against_outcomes_says_so_on_the_vanity_page(
    empty_env: Store,
) -> None:
    # likes fell as leads rose; the lead table listed them as leading leads, no sign
    from tests.tracker.test_progress import log
    from tests.tracker.test_vanity import LEADS_KPI, plan, weekly_to_daily

    leads = [8.0, 7, 3, 7, 9, 2, 7, 8, 4, 6]
    likes = [20 - v for v in leads]
    plan(empty_env, kpis=[LEADS_KPI], channels=("ig", "web"))
    sunday = dt.date(2026, 11, 15)  # the last complete week before the pinned clock
    log(empty_env, "likes", weekly_to_daily(likes, sunday))
    log(empty_env, "leads", weekly_to_daily(leads, sunday))
    at = open_page("vanity_audit")
    assert not at.exception, at.exception
    (leads_table,) = [f.value for f in at.dataframe if "weeks later" in f.value.columns]
    assert list(leads_table["metric → outcome"]) == ["Likes → Leads (against)"]
    assert any(c.value.startswith("*Against*: weeks with more") for c in at.caption)


def test_the_week_grid_shows_what_each_day_counts_above_it(app_env: Store) -> None:
    # typing a week's totals into the grid adds to the days: it shows what they hold first
    from tracker import formats
    from tracker.plan import load_plan

    at = open_page("log_values")
    assert not at.exception, at.exception
    counted = next(f.value for f in at.dataframe if "Mon 16" in f.value.columns)
    keys = {m.name: m.key for m in load_plan(app_env).metrics}
    week = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(3)]  # to the 18th
    shown = 0
    for _, row in counted.iterrows():
        stored = dict(daily_values(app_env, keys[row["metric"]]))
        for d in week:
            want = formats.number(stored[d]) if d in stored else ""
            assert row[d.strftime("%a %d")] == want, (row["metric"], d)
            shown += d in stored
    assert shown  # the demo's days hold values: the table is not empty


def test_a_campaign_with_nothing_to_compare_says_why(app_env: Store) -> None:
    # a campaign on no channel for an objective with no outcome KPI read
    # "Cannot judge it yet: ." (no metric, so no reason)
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    plan["metrics"].append(
        {"key": "likes", "name": "Likes", "class": "engagement", "behaviour": "flow"}
    )
    owner = plan["objectives"][0]["owner"]
    plan["objectives"].append(
        {
            "key": "warmth",
            "title": "A warmer brand",
            "outcome": "reputation",
            "owner": owner,
            "start": "2026-01-01",
            "deadline": "2026-12-31",
            "campaigns": [
                {"key": "quiet", "name": "Quiet month", "start": "2026-10-01", "end": "2026-10-31"}
            ],
            "kpis": [{"key": "likes-kpi", "metric": "likes", "target": 500, "owner": owner}],
        }
    )
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    at = open_page("campaigns")
    assert not at.exception, at.exception
    said = [i.value.replace("\\", "") for i in at.info]
    assert (
        "Nothing to compare: its objective A warmer brand has no KPI on an outcome metric,"
        " and it names no channel." in said
    ), said
    assert not [i for i in said if i.endswith(": .")]


def test_a_campaign_with_no_start_date_says_so_on_its_page(app_env: Store) -> None:
    """A campaign whose objective has no start either is not judged: its page says why
    (it read "only 0 days of values during it", as if waiting would mend it)."""
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    first = plan["objectives"][0]
    first.pop("start", None)
    for campaign in first.get("campaigns", []):
        campaign.setdefault("start", "2026-09-01")  # the demo's own keep a date of their own
    first.setdefault("campaigns", []).append(
        {"key": "undated", "name": "Undated push", "owner": first["owner"]}
    )
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    at = open_page("campaigns")
    assert not at.exception, at.exception
    shown = " ".join(
        m.value.replace("\\", "") for m in (*at.markdown, *at.caption, *at.info, *at.warning)
    )
    assert "no start date" in shown, shown
    assert "neither it nor its objective has a start date" in shown, shown


def test_a_campaign_badge_shows_a_metrics_name_as_typed(app_env: Store) -> None:
    """st.badge escapes square brackets itself: escaped once more, the badge read
    "Instagram followers \\[all\\]" with the backslashes."""
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    for metric in plan["metrics"]:
        if metric["name"] == "Instagram followers":
            metric["name"] = "Instagram followers [all] <b>x</b>"
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    at = open_page("campaigns")
    assert not at.exception, at.exception
    badge = next(m.value for m in at.markdown if "moved it: Instagram" in m.value)
    # Streamlit's own escaping of the brackets, ours of the tag: each once
    assert "moved it: Instagram followers \\[all\\] \\<b\\>x\\</b\\>]" in badge, badge
    assert "\\\\" not in badge, badge


def test_a_metrics_unit_is_shown_as_typed_never_as_markup(app_env: Store) -> None:
    """A unit is plan text like a name, but the KPI numbers that carry it reached
    Markdown unescaped: a live link on the Summary, Weekly review and Objective pages,
    an icon, and maths between two dollar signs."""
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    for metric in plan["metrics"]:
        metric["unit"] = "[fans](http://evil.example) :fire: $x"
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)

    for name in ("summary", "weekly_review", "objective", "my_week", "log_values"):
        at = open_page(name)
        assert not at.exception, (name, at.exception)
        shown = [m.value for m in (*at.markdown, *at.caption, *at.success, *at.error)]
        shown += [str(n.label) for n in at.number_input]
        with_unit = [s for s in shown if "fans" in s]
        assert with_unit or name not in ("summary", "weekly_review"), name
        for s in with_unit:
            # escaped: \[fans\]\(http\:⁠//… renders as typed (md_escape)
            assert "[fans](" not in s and ":fire:" not in s and " $x" not in s, (name, s)


HOSTILE = "[fans](http://evil.example) :fire: $x$ **b**"


def _hostile_plan(store: Store) -> None:
    """Every name a manager types in the plan made hostile: the workspace, people,
    metrics, objectives, their KPIs and campaigns."""
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(store))
    plan["workspace"]["name"] += " " + HOSTILE
    for item in (*plan["people"], *plan["metrics"]):
        item["name"] += " " + HOSTILE
    for objective in plan["objectives"]:
        objective["title"] += " " + HOSTILE
        for item in (*objective.get("kpis", []), *objective.get("campaigns", [])):
            item["name"] = (item.get("name") or item["key"]) + " " + HOSTILE
    apply_plan_text(store, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)


@pytest.mark.parametrize(
    "name",
    [
        "summary", "objective", "weekly_review", "team", "vanity_audit", "campaigns",
        "audit_log", "my_week", "log_values", "import_data", "plan", "settings",
    ],
)  # fmt: skip
def test_no_name_typed_in_the_plan_becomes_markup_on_any_page(app_env: Store, name: str) -> None:
    # the Campaigns page put a campaign's name into its heading and a metric's into a
    # badge unescaped: a live link, an icon, maths and bold where the name was typed
    _hostile_plan(app_env)
    at = open_page(name)
    assert not at.exception, at.exception
    shown = [
        str(e.value)
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "info",
            "success",
            "warning",
            "error",
        )  # fmt: skip
        for e in getattr(at, kind)
    ]
    assert [s for s in shown if "fans" in s], "the page shows no name at all"
    for s in shown:
        assert "[fans](" not in s and ":fire:" not in s and "$x$" not in s, s
        assert "**b**" not in s, s


def test_a_logged_values_note_reads_as_words(app_env: Store) -> None:
    # the message is escaped whole (metric names are plan text): the warnings' `code`
    # marks showed as backticks around "prefer"
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    plan = yaml.safe_load(export_plan(app_env))
    metric = next(m for m in plan["metrics"] if m["key"] == "catering-inquiries")
    source = app_env_source(app_env, "catering-inquiries")
    metric["prefer"] = source
    apply_plan_text(app_env, yaml.safe_dump(plan), LOCAL_MANAGER, confirm=True)
    day = dt.date(2026, 11, 17)
    at = log_on_page(open_page("log_values"), "catering-inquiries", 1, day)
    said = [s.value.replace("\\", "") for s in at.success if "prefers the source" in s.value]
    assert said, [s.value for s in at.success]
    assert "`" not in said[0] and "(the plan's prefer)" in said[0], said


def app_env_source(store: Store, metric: str) -> str:
    """The source that holds most of ``metric``'s imported days."""
    with store.read() as con:
        return con.execute(
            "SELECT source FROM observations WHERE metric = ? AND source <> 'manual'"
            " GROUP BY source ORDER BY count(*) DESC LIMIT 1",
            [metric],
        ).fetchall()[0][0]
