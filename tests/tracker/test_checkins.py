"""Check-ins: due, on time, late, missing; a logged value counts; who may check in."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import SMALL_PLAN, SMALL_PLAN_WITHOUT_WEEKLY_POSTS
from tracker.checkins import checkin_status, overdue, record_checkin
from tracker.entries import log_entry as log_value
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Store
from tracker.team import team_report

AMY = Actor("amy", "assistant", "Amy")
VIC = Actor("vic", "viewer", "Vic")
# Bueno Realty is in America/Chicago (UTC-5 in November... UTC-6 after DST ends 1 Nov).
WEEK = "2026-W32"  # Monday 2026-08-03 .. Sunday 2026-08-09 (CDT, UTC-5)


@pytest.fixture
def plan_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The small plan, set up on 2026-06-15: before every week these tests judge (a KPI
    owes nothing for periods that ended before its owner held it)."""
    monkeypatch.setenv("WAYPOINT_NOW", "2026-06-15T12:00:00+00:00")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    monkeypatch.delenv("WAYPOINT_NOW")
    return store


def utc(local: str) -> dt.datetime:
    """A Chicago summer-time wall clock as the naive UTC Waypoint stores."""
    return dt.datetime.fromisoformat(local) + dt.timedelta(hours=5)


def state(store: Store, kpi: str, now: str, week: str = WEEK) -> str:
    report = checkin_status(store, week, now=utc(now).replace(tzinfo=dt.UTC))
    return next(s.state for s in report.kpis if s.kpi == kpi)


def test_due_then_missing_after_the_grace_day(plan_store: Store) -> None:
    assert state(plan_store, "leads-h2", "2026-08-06T12:00") == "due"
    assert state(plan_store, "leads-h2", "2026-08-10T23:59") == "due"  # the day after: grace
    # on time until Monday 23:59:59: Tuesday's first instant is already late (it was
    # still "due", so a reminder job at midnight escalated a day late)
    assert state(plan_store, "leads-h2", "2026-08-10T23:59:59.999") == "due"
    assert state(plan_store, "leads-h2", "2026-08-11T00:00") == "missing"
    assert state(plan_store, "leads-h2", "2026-08-11T00:01") == "missing"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-08-07T16:00", "on_time"),
        ("2026-08-10T22:00", "on_time"),
        ("2026-08-10T23:59:59", "on_time"),
        ("2026-08-11T00:00", "late"),
        ("2026-08-11T08:00", "late"),
    ],
)
def test_explicit_checkin_on_time_or_late(plan_store: Store, when: str, expected: str) -> None:
    record_checkin(
        plan_store, AMY, "leads-h2", "at_risk", note="slow week", period=WEEK, at=utc(when)
    )
    assert state(plan_store, "leads-h2", "2026-08-20T12:00") == expected
    s = next(
        s
        for s in checkin_status(
            plan_store, WEEK, now=utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
        ).kpis
        if s.kpi == "leads-h2"
    )
    assert (s.confidence, s.note) == ("at_risk", "slow week")


def test_a_value_logged_by_the_owner_counts(plan_store: Store, monkeypatch) -> None:
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-07T15:00:00+00:00")
    log_value(plan_store, AMY, "leads", 2, day=dt.date(2026, 8, 5))
    assert state(plan_store, "leads-h2", "2026-08-20T12:00") == "on_time"
    # A value logged by someone else does not check Amy in.
    log_value(plan_store, LOCAL_MANAGER, "posts", 1, day=dt.date(2026, 8, 5), for_person="ricardo")
    assert state(plan_store, "weekly-posts", "2026-08-20T12:00") == "missing"


def test_monthly_cadence_uses_the_month(plan_store: Store) -> None:
    from tests.conftest import SMALL_PLAN
    from tracker.plan import apply_plan_text

    apply_plan_text(
        plan_store,
        SMALL_PLAN.replace("target: 60, owner: amy}", "target: 60, owner: amy, cadence: monthly}"),
        LOCAL_MANAGER,
    )
    report = checkin_status(plan_store, WEEK, now=utc("2026-08-06T12:00").replace(tzinfo=dt.UTC))
    s = next(s for s in report.kpis if s.kpi == "leads-h2")
    assert s.period == "2026-08" and s.state == "due"


def test_the_week_running_shows_the_month_of_today(plan_store: Store) -> None:
    # Monday 31 August: the week's Sunday is in September, but August is the month owed
    # (on time until 1 September ends); September cannot be checked in for yet
    apply_plan_text(
        plan_store,
        SMALL_PLAN.replace("target: 60, owner: amy}", "target: 60, owner: amy, cadence: monthly}"),
        LOCAL_MANAGER,
    )
    now = utc("2026-08-31T12:00").replace(tzinfo=dt.UTC)
    s = next(s for s in checkin_status(plan_store, None, now=now).kpis if s.kpi == "leads-h2")
    assert (s.period, s.state) == ("2026-08", "due")
    # a week already over keeps its Sunday's month
    later = utc("2026-10-01T12:00").replace(tzinfo=dt.UTC)
    s = next(
        s for s in checkin_status(plan_store, "2026-W36", now=later).kpis if s.kpi == "leads-h2"
    )
    assert s.period == "2026-09"


def test_the_day_a_check_in_came_is_the_workspaces(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 on Monday in Chicago is Tuesday in UTC: "on time, ..., Tue" read as late
    from tracker.report import _checkin

    monkeypatch.setenv("WAYPOINT_NOW", utc("2026-08-10T23:30").isoformat() + "+00:00")
    record_checkin(plan_store, AMY, "leads-h2", "on_track", period=WEEK)
    monkeypatch.delenv("WAYPOINT_NOW")
    report = checkin_status(plan_store, WEEK, now=utc("2026-08-12T12:00").replace(tzinfo=dt.UTC))
    s = next(s for s in report.kpis if s.kpi == "leads-h2")
    assert s.state == "on_time"
    assert _checkin(s) == "on time, says on track, Mon 10 Aug 2026"
    assert s.as_dict()["checked_in_at"] == "2026-08-11T04:30:00+00:00"  # JSON: UTC, offset


def test_who_may_check_in(plan_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        record_checkin(plan_store, VIC, "leads-h2", "on_track")
    with pytest.raises(PermissionDenied):
        record_checkin(plan_store, AMY, "lead-rate", "on_track")  # Ricardo's KPI
    with pytest.raises(BadInput):
        record_checkin(plan_store, AMY, "leads-h2", "great")
    with pytest.raises(NotFound):
        record_checkin(plan_store, AMY, "nope", "on_track")
    record_checkin(plan_store, LOCAL_MANAGER, "lead-rate", "on_track")  # managers may


def test_overdue_lists_last_weeks_missing(plan_store: Store) -> None:
    now = utc("2026-08-12T09:00").replace(tzinfo=dt.UTC)
    missing = overdue(plan_store, now)
    assert {s.kpi for s in missing} == {"leads-h2", "lead-rate", "weekly-posts"}


def test_demo_history_has_late_missing_and_team_counts(demo_store: Store) -> None:
    now = dt.datetime(2026, 11, 18, 18, tzinfo=dt.UTC)
    team = {p.person: p for p in team_report(demo_store, now).people}
    assert team["jay"].late >= 1 and team["lena"].missing >= 1
    assert team["jay"].on_time_rate is not None and 0 < team["jay"].on_time_rate < 1
    assert team["jay"].hours > 0 and team["ben"].kpis_owned == 0


def test_a_pinned_clock_with_an_offset_is_that_instant(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 01:00 on Tuesday in Chicago is 06:00 UTC: after the grace Monday, so late (the
    # offset used to be dropped, storing 01:00 as if it were UTC: on time)
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-11T01:00:00-05:00")
    made = record_checkin(plan_store, AMY, "leads-h2", "at_risk", note="late", period=WEEK)
    assert made.created_at == dt.datetime(2026, 8, 11, 6, 0)
    assert state(plan_store, "leads-h2", "2026-08-12T12:00") == "late"


def test_a_check_in_the_local_manager_enters_counts_for_the_owner_and_says_so(
    plan_store: Store,
) -> None:
    from tracker.report import render_markdown, weekly_review

    made = record_checkin(
        plan_store, LOCAL_MANAGER, "leads-h2", "on_track", period=WEEK, at=utc("2026-08-07T16:00")
    )
    assert (made.person, made.recorded_by) == ("amy", "local")
    report = checkin_status(plan_store, WEEK, now=utc("2026-08-20T12:00").replace(tzinfo=dt.UTC))
    s = next(s for s in report.kpis if s.kpi == "leads-h2")
    assert (s.state, s.entered_by) == ("on_time", "local")  # it counts for Amy
    review = weekly_review(plan_store, WEEK, now=utc("2026-08-20T12:00").replace(tzinfo=dt.UTC))
    assert "on time, says on track, Fri 7 Aug 2026, entered by the local manager" in (
        render_markdown(review)
    )
    own = record_checkin(plan_store, AMY, "weekly-posts", "at_risk", period=WEEK)
    assert own.recorded_by is None  # her own words


def test_the_owners_later_own_check_in_is_hers_not_the_local_managers(plan_store: Store) -> None:
    # The latest check-in of the period speaks, with all its fields: her own (no
    # recorded_by) must not inherit who typed the earlier one, nor its note.
    record_checkin(
        plan_store,
        LOCAL_MANAGER,
        "leads-h2",
        "on_track",
        note="from the call",
        period=WEEK,
        at=utc("2026-08-07T16:00"),
    )
    record_checkin(plan_store, AMY, "leads-h2", "at_risk", period=WEEK, at=utc("2026-08-09T16:00"))
    report = checkin_status(plan_store, WEEK, now=utc("2026-08-20T12:00").replace(tzinfo=dt.UTC))
    s = next(s for s in report.kpis if s.kpi == "leads-h2")
    assert (s.confidence, s.entered_by, s.note) == ("at_risk", None, None)


RICARDO = Actor("ricardo", "manager", "Ricardo")


def test_a_named_manager_checking_in_on_amys_kpi_does_it_for_her(plan_store: Store) -> None:
    from tracker.report import render_markdown, weekly_review

    made = record_checkin(
        plan_store, RICARDO, "leads-h2", "on_track", period=WEEK, at=utc("2026-08-07T16:00")
    )
    assert (made.person, made.recorded_by) == ("amy", "ricardo")
    later = utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
    s = next(s for s in checkin_status(plan_store, WEEK, now=later).kpis if s.kpi == "leads-h2")
    assert (s.state, s.entered_by) == ("on_time", "ricardo")  # it counts for Amy
    review = render_markdown(weekly_review(plan_store, WEEK, now=later))
    assert "on time, says on track, Fri 7 Aug 2026, entered by Ricardo" in review


def test_a_note_given_with_plans_is_kept_beside_them(plan_store: Store) -> None:
    from tracker.checkins import said

    record_checkin(
        plan_store,
        AMY,
        "leads-h2",
        "at_risk",
        note="call me",
        plans="two open houses",
        problems="no budget",
        period=WEEK,
        at=utc("2026-08-07T16:00"),
    )
    s = next(s for s in checkin_status(plan_store, WEEK).kpis if s.kpi == "leads-h2")
    assert said(s) == [("plans", "two open houses"), ("problems", "no budget"), ("note", "call me")]
    only_parts = record_checkin(
        plan_store, AMY, "weekly-posts", "on_track", progress="3 posts", period=WEEK
    )
    assert said(only_parts) == [("progress", "3 posts")]  # not repeated as a note
    # the parts kept as the note are labelled: joined by a space, "follows slowed Two
    # reels" read as one sentence in the audit log and `checkins --json`
    two = record_checkin(
        plan_store, RICARDO, "lead-rate", "at_risk", progress="follows slowed",
        plans="Two reels this week", period=WEEK,
    )  # fmt: skip
    assert two.note == "progress: follows slowed · plans: Two reels this week"
    assert said(two) == [("progress", "follows slowed"), ("plans", "Two reels this week")]


def test_a_check_in_for_a_period_before_the_kpi_started_is_refused(plan_store: Store) -> None:
    with pytest.raises(BadInput, match="starts on 2026-07-01"):  # the objective's start
        record_checkin(plan_store, RICARDO, "leads-h2", "on_track", period="2026-W26")


def test_a_kpi_starting_later_this_week_is_upcoming_until_its_start(plan_store: Store) -> None:
    # leads-h2 starts Wednesday 1 July, in W27: on Tuesday its status is not_started
    # ("no check-in is due yet") and the check-ins listed it as due all the same
    tuesday = utc("2026-06-30T12:00").replace(tzinfo=dt.UTC)
    report = checkin_status(plan_store, "2026-W27", now=tuesday, upcoming=True)
    assert "leads-h2" not in [s.kpi for s in report.kpis]
    assert [(u.kpi, u.starts) for u in report.upcoming if u.kpi == "leads-h2"] == [
        ("leads-h2", dt.date(2026, 7, 1))
    ]
    assert state(plan_store, "leads-h2", "2026-07-01T08:00", week="2026-W27") == "due"
    # the week is owed once it ends, as before
    assert state(plan_store, "leads-h2", "2026-07-07T00:01", week="2026-W27") == "missing"


def test_the_owner_told_why_nothing_was_due_before_the_kpi_was_in_the_plan(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nobody owned the KPI before it was added: its owner hears that nothing was due,
    # not that it was "nobody's KPI then"
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-12T12:00:00+00:00")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    with pytest.raises(BadInput, match="after 2026-W30 ended; nothing was due"):
        record_checkin(store, AMY, "leads-h2", "on_track", period="2026-W30")


def test_checkins_lists_last_weeks_owed_on_monday_with_offsets(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.clirunner import waypoint

    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-10T17:00:00+00:00")  # Monday noon, Chicago
    record_checkin(
        plan_store, AMY, "weekly-posts", "on_track", note="fine", plans="more", period="2026-W33"
    )
    run = waypoint(plan_store.path, "checkins", "--json")
    data = run.json()
    assert {(s["kpi"], s["period"], s["state"]) for s in data["owed"]} >= {
        ("leads-h2", WEEK, "due")
    }
    assert all(s["due_by"].endswith("+00:00") for s in data["owed"])
    text = waypoint(plan_store.path, "checkins").out
    assert "Still owed from periods that have ended" in text
    assert "plans: more; note: fine" in text
    assert "America/Chicago" in text and "UTC)" not in text


def test_a_check_in_after_the_kpis_deadline_or_before_its_owner_joined_is_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = SMALL_PLAN.replace(
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}",
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy,"
        " deadline: 2026-08-31}",
    ).replace(
        "{key: amy, name: Amy, role: assistant,",
        "{key: amy, name: Amy, role: assistant, since: 2026-07-20,",
    )
    monkeypatch.setenv("WAYPOINT_NOW", "2026-06-15T12:00:00+00:00")
    apply_plan_text(store, plan, LOCAL_MANAGER)
    monkeypatch.setenv("WAYPOINT_NOW", "2026-09-20T12:00:00+00:00")
    with pytest.raises(BadInput, match="ended on 2026-08-31"):
        record_checkin(store, AMY, "leads-h2", "on_track", period="2026-W37")
    with pytest.raises(BadInput, match="joined on 2026-07-20"):
        record_checkin(store, RICARDO, "weekly-posts", "on_track", period="2026-W28")
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM checkins").fetchall()[0][0] == 0


def test_on_monday_a_check_in_without_a_period_is_last_weeks_until_given(
    plan_store: Store,
) -> None:
    from tracker.checkins import owed

    monday = utc("2026-08-10T12:00")  # W32 ended yesterday: on time until tonight
    still = owed(plan_store, monday.replace(tzinfo=dt.UTC))
    assert {(s.kpi, s.period, s.state) for s in still if s.owner == "amy"} == {
        ("leads-h2", WEEK, "due"),
        ("weekly-posts", WEEK, "due"),
        # the week before's, overdue since last Tuesday: on a Monday, the latest overdue
        ("leads-h2", "2026-W31", "missing"),
        ("weekly-posts", "2026-W31", "missing"),
    }
    first = record_checkin(plan_store, AMY, "leads-h2", "on_track", at=monday)
    assert first.period == WEEK
    assert state(plan_store, "leads-h2", "2026-08-12T12:00") == "on_time"  # never missing
    second = record_checkin(plan_store, AMY, "leads-h2", "on_track", at=monday)
    assert second.period == "2026-W33"  # last week's was given: this week's
    tuesday = utc("2026-08-11T12:00")  # too late for W32: the current week
    assert record_checkin(plan_store, AMY, "weekly-posts", "on_track", at=tuesday).period == (
        "2026-W33"
    )


def test_checkin_on_monday_says_it_filed_last_weeks(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.clirunner import waypoint

    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-10T17:00:00+00:00")  # Monday noon, Chicago
    run = waypoint(
        plan_store.path, "--as", "amy", "checkin", "leads-h2", "--confidence", "on_track"
    )
    assert run.code == 0, run.err
    assert "for 2026-W32 (it has ended; still on time today): on track" in run.out
    again = waypoint(
        plan_store.path, "--as", "amy", "checkin", "leads-h2", "--confidence", "at_risk"
    )
    assert "for 2026-W33: at risk" in again.out  # given: this week's now


def test_a_period_checked_in_again_shows_the_latest_word_and_when_it_was_given(
    plan_store: Store,
) -> None:
    from tracker.report import _checkin

    record_checkin(
        plan_store,
        AMY,
        "leads-h2",
        "on_track",
        note="good week",
        period=WEEK,
        at=utc("2026-08-05T12:00"),
    )
    record_checkin(plan_store, AMY, "leads-h2", "at_risk", period=WEEK, at=utc("2026-09-02T11:00"))
    now = utc("2026-09-03T12:00").replace(tzinfo=dt.UTC)
    s = next(s for s in checkin_status(plan_store, WEEK, now=now).kpis if s.kpi == "leads-h2")
    # the first decides on time; the latest word is shown, with its own day
    assert s.state == "on_time" and s.confidence == "at_risk"
    assert s.updated_at == utc("2026-09-02T11:00")
    assert s.as_dict()["updated_at"] == "2026-09-02T16:00:00+00:00"
    line = _checkin(s)
    assert line.startswith("on time, says at risk, Wed 5 Aug 2026")
    assert line.endswith("; checked in again Wed 2 Sep 2026")
    # one check-in: nothing about again
    one = next(s for s in checkin_status(plan_store, WEEK, now=now).kpis if s.kpi == "weekly-posts")
    assert one.updated_at is None and "again" not in _checkin(one)


def test_a_confidence_given_after_a_logged_value_is_said_with_its_own_day_and_author(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Amy's logged value checks her in on Wednesday; Ricardo's confidence for her on
    Friday is the one shown, and the review dated it Wednesday and said he entered
    Wednesday's check-in: the day and the name belong to the confidence shown."""
    from tracker.report import render_markdown, weekly_review

    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-05T15:00:00+00:00")
    log_value(plan_store, AMY, "leads", 2, day=dt.date(2026, 8, 5))
    record_checkin(
        plan_store, RICARDO, "leads-h2", "off_track", period=WEEK, at=utc("2026-08-07T16:00")
    )
    later = utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
    s = next(s for s in checkin_status(plan_store, WEEK, now=later).kpis if s.kpi == "leads-h2")
    assert (s.state, s.confidence, s.entered_by) == ("on_time", "off_track", "ricardo")
    assert s.checked_in_at == dt.datetime(2026, 8, 5, 15, 0)  # the value decided on time
    assert s.updated_at == utc("2026-08-07T16:00")
    review = render_markdown(weekly_review(plan_store, WEEK, now=later))
    assert (
        "on time, says off track, Wed 5 Aug 2026; checked in again Fri 7 Aug 2026,"
        " entered by Ricardo" in review
    )
    # an explicit check-in first and a value after it: the check-in's word and day stand
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-06T15:00:00+00:00")
    record_checkin(plan_store, AMY, "weekly-posts", "at_risk", period=WEEK)
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-07T15:00:00+00:00")
    log_value(plan_store, AMY, "posts", 1, day=dt.date(2026, 8, 6))
    posts = next(
        s for s in checkin_status(plan_store, WEEK, now=later).kpis if s.kpi == "weekly-posts"
    )
    assert (posts.confidence, posts.updated_at) == ("at_risk", None)


def test_two_check_ins_given_in_one_instant_show_the_one_entered_last(plan_store: Store) -> None:
    at = utc("2026-08-07T16:00")
    record_checkin(plan_store, RICARDO, "leads-h2", "off_track", period=WEEK, at=at)
    record_checkin(plan_store, AMY, "leads-h2", "on_track", period=WEEK, at=at)
    later = utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
    s = next(s for s in checkin_status(plan_store, WEEK, now=later).kpis if s.kpi == "leads-h2")
    assert (s.confidence, s.entered_by, s.updated_at) == ("on_track", None, None)


def test_archiving_a_kpi_keeps_its_past_periods_on_the_record(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Amy missed W32 on leads-h2; a plan without the KPI archived it on 20 Aug, and her
    # W32 miss vanished from `checkins` and the Team page: archiving wiped her record
    after = utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
    before = [s for s in checkin_status(plan_store, WEEK, now=after).kpis if s.owner == "amy"]
    assert {(s.kpi, s.state) for s in before} >= {("leads-h2", "missing")}
    week_after = utc("2026-08-12T12:00").replace(tzinfo=dt.UTC)
    missed = {p.person: p.missing for p in team_report(plan_store, now=week_after).people}
    assert missed["amy"] >= 1
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-20T12:00:00+00:00")
    without = "\n".join(line for line in SMALL_PLAN.split("\n") if "key: leads-h2" not in line)
    apply_plan_text(plan_store, without, LOCAL_MANAGER, confirm=True)
    kept = checkin_status(plan_store, WEEK, now=after, with_archived=True).kpis
    (leads,) = [s for s in kept if s.kpi == "leads-h2"]
    assert (leads.owner, leads.state, leads.archived) == ("amy", "missing", True)
    # what is still to do never lists it: nobody can check in for an archived KPI
    assert "leads-h2" not in {s.kpi for s in checkin_status(plan_store, WEEK, now=after).kpis}
    # a week that ended after the archive owes nothing for it
    later = utc("2026-09-20T12:00").replace(tzinfo=dt.UTC)
    assert "leads-h2" not in {
        s.kpi for s in checkin_status(plan_store, "2026-W35", now=later, with_archived=True).kpis
    }
    # and the Team page still counts the miss, as before the archive
    assert {p.person: p.missing for p in team_report(plan_store, now=week_after).people} == missed


def test_an_archive_on_the_grace_day_or_an_undone_creation_owes_nothing(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # archived on Monday, W32's grace day: Amy could no longer check in, and from Tuesday
    # the week read "missing" on her record; a KPI whose creation was undone never was
    from tracker.changes import undo

    late = utc("2026-08-20T12:00").replace(tzinfo=dt.UTC)
    # Amy checked in on weekly-posts on Friday: that stays on her record whatever comes
    record_checkin(
        plan_store, AMY, "weekly-posts", "on_track", period=WEEK, at=utc("2026-08-07T16:00")
    )
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-10T14:00:00+00:00")  # Mon 10 Aug, 09:00 CDT
    without = "\n".join(
        line
        for line in SMALL_PLAN.split("\n")
        if "key: leads-h2" not in line and "key: weekly-posts" not in line
    )
    apply_plan_text(plan_store, without, LOCAL_MANAGER, confirm=True)
    kept = checkin_status(plan_store, WEEK, now=late, with_archived=True).kpis
    assert "leads-h2" not in {s.kpi for s in kept}
    assert ("weekly-posts", "on_time") in {(s.kpi, s.state) for s in kept}
    # W31 had ended, and its grace day passed, before the archive: it stays owed
    earlier = checkin_status(plan_store, "2026-W31", now=late, with_archived=True).kpis
    assert ("leads-h2", "missing") in {(s.kpi, s.state) for s in earlier}

    monkeypatch.setenv("WAYPOINT_NOW", "2026-07-27T14:00:00+00:00")
    lines = SMALL_PLAN.split("\n")
    at = next(i for i, line in enumerate(lines) if "key: leads-h2" in line)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, indent + "- {key: extra, metric: posts, target: 9, owner: amy}")
    extra = "\n".join(lines)
    created = apply_plan_text(plan_store, extra, LOCAL_MANAGER, confirm=True).change
    assert created is not None
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-12T14:00:00+00:00")
    assert ("extra", "missing") in {
        (s.kpi, s.state) for s in checkin_status(plan_store, WEEK, now=late).kpis
    }
    undo(plan_store, LOCAL_MANAGER, created)
    after = checkin_status(plan_store, WEEK, now=late, with_archived=True).kpis
    assert "extra" not in {s.kpi for s in after}


def test_a_check_in_on_an_archived_kpi_says_it_is_archived(plan_store: Store) -> None:
    # "no KPI 'weekly-posts'" hid why: it is in the plan's history, not unknown
    plan = SMALL_PLAN_WITHOUT_WEEKLY_POSTS
    apply_plan_text(plan_store, plan, LOCAL_MANAGER)
    with pytest.raises(NotFound, match="KPI 'weekly-posts' is archived"):
        record_checkin(plan_store, AMY, "weekly-posts", "on_track", period=WEEK)
    with pytest.raises(NotFound, match="no KPI 'nope'"):
        record_checkin(plan_store, AMY, "nope", "on_track", period=WEEK)
