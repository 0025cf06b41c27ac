"""DESIGN "Accountability": a period is owed only by the person who owned the KPI when it
ended, had joined by then, and only once the KPI had started; check-ins are never for
the future; hours count for the person they are for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tracker.checkins import checkin_status, record_checkin
from tracker.clock import today
from tracker.errors import PermissionDenied
from tracker.models import LOCAL_MANAGER, Actor
from tracker.periods import Period
from tracker.plan import apply_plan_text
from tracker.store import Store
from tracker.team import team_report


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> dt.datetime:
    """Pin Waypoint's clock (WAYPOINT_NOW) to ``when`` (UTC)."""
    monkeypatch.setenv("WAYPOINT_NOW", when + "T15:00:00+00:00")
    return dt.datetime.fromisoformat(when + "T15:00:00+00:00")


def states(store: Store, week: str, now: dt.datetime) -> dict[str, tuple[str, str]]:
    return {s.kpi: (s.owner, s.state) for s in checkin_status(store, week, now).kpis}


def test_a_plan_applied_today_owes_nothing_for_earlier_weeks(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The objective started on 2026-07-01; the plan reaches Waypoint on 2026-10-14.
    now = at(monkeypatch, "2026-10-14")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    for week in ("2026-W28", "2026-W35", "2026-W41"):
        assert states(store, week, now) == {}, week
    # the current week is due (not missing), and the Team page shows no misses
    assert states(store, "2026-W42", now)["leads-h2"] == ("amy", "due")
    amy = next(p for p in team_report(store, now).people if p.person == "amy")
    assert (amy.missing, amy.late, amy.on_time, amy.on_time_rate) == (0, 0, 0, None)


def test_a_person_owes_nothing_from_before_they_joined(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-07-01")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    # Amy joins on 2026-08-20 (her `since`); the KPIs existed before.
    later = SMALL_PLAN.replace("hourly_rate: 25,", "hourly_rate: 25, since: 2026-08-20,")
    apply_plan_text(store, later, LOCAL_MANAGER)
    now = at(monkeypatch, "2026-09-10")
    assert "leads-h2" not in states(store, "2026-W33", now)  # ended 2026-08-16
    assert states(store, "2026-W34", now)["leads-h2"] == ("amy", "missing")  # ended 08-23
    # Ricardo, in the workspace since the start, owes his KPI for every week
    assert states(store, "2026-W33", now)["lead-rate"] == ("ricardo", "missing")


def hand_over(store: Store, monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The plan from 2026-07-01; on Wednesday 2026-08-12 the leads KPI moves from Amy to
    Ricardo; returns "now", 2026-09-01."""
    at(monkeypatch, "2026-07-01")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    at(monkeypatch, "2026-08-12")
    handed = SMALL_PLAN.replace("target: 60, owner: amy", "target: 60, owner: ricardo")
    apply_plan_text(store, handed, LOCAL_MANAGER)
    return at(monkeypatch, "2026-09-01")


def test_a_handover_mid_quarter_splits_the_misses(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = hand_over(store, monkeypatch)
    # weeks that ended before the handover stay Amy's; the week it happened and later
    # ones are Ricardo's (he owned it when they ended)
    assert states(store, "2026-W31", now)["leads-h2"] == ("amy", "missing")
    assert states(store, "2026-W32", now)["leads-h2"] == ("amy", "missing")
    assert states(store, "2026-W33", now)["leads-h2"] == ("ricardo", "missing")
    assert states(store, "2026-W35", now)["leads-h2"] == ("ricardo", "missing")
    team = {p.person: p for p in team_report(store, now, weeks=8).people}
    # the 8 complete weeks before 2026-09-01 (W36) are W28..W35. leads-h2: W28-W32 Amy
    # (5), W33-W35 Ricardo (3); weekly-posts stays Amy's (8); lead-rate is Ricardo's (8).
    assert team["amy"].missing == 5 + 8
    assert team["ricardo"].missing == 3 + 8


def test_a_monthly_kpi_counts_once_a_month_on_the_team_page(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DESIGN: due once per cadence period. Every week whose Sunday falls in August lists
    # August's check-in; counted per week it was four misses for one missing month.
    at(monkeypatch, "2026-07-01")
    monthly = SMALL_PLAN.replace(
        "target: 0.05, owner: ricardo}", "target: 0.05, owner: ricardo, cadence: monthly}"
    )
    apply_plan_text(store, monthly, LOCAL_MANAGER)
    now = at(monkeypatch, "2026-09-03")
    assert states(store, "2026-W32", now)["lead-rate"] == ("ricardo", "missing")  # August
    ricardo = next(p for p in team_report(store, now, weeks=8).people if p.person == "ricardo")
    # W28..W35: Sundays in July (W28-W30) and August (W31-W35): two months, two misses
    assert ricardo.missing == 2
    assert sum(w["missing"] for w in ricardo.weeks.values()) == 2


def test_after_a_handover_the_old_owner_fills_in_their_own_missed_week(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = hand_over(store, monkeypatch)
    amy = Actor("amy", "assistant", "Amy")
    # W32 was Amy's: she may check in for it although she no longer owns the KPI...
    record_checkin(store, amy, "leads-h2", "at_risk", period="2026-W32")
    assert states(store, "2026-W32", now)["leads-h2"] == ("amy", "late")
    # ...but not for W33, which was Ricardo's
    with pytest.raises(PermissionDenied, match="ricardo"):
        record_checkin(store, amy, "leads-h2", "on_track", period="2026-W33")
    # the local manager's check-in for W31 counts for the person who owed it
    record_checkin(store, LOCAL_MANAGER, "leads-h2", "on_track", period="2026-W31")
    assert states(store, "2026-W31", now)["leads-h2"] == ("amy", "late")


def test_a_kpi_that_has_not_started_owes_nothing_and_says_when(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = at(monkeypatch, "2026-06-10")
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)  # the objective starts 2026-07-01
    report = checkin_status(store, "2026-W24", now, upcoming=True)
    assert report.kpis == []
    assert {(u.kpi, u.owner, u.starts) for u in report.upcoming} == {
        ("leads-h2", "amy", dt.date(2026, 7, 1)),
        ("lead-rate", "ricardo", dt.date(2026, 7, 1)),
        ("weekly-posts", "amy", dt.date(2026, 7, 1)),
    }


def test_a_checkin_for_a_future_period_is_refused(plan_store: Store, tmp_path: Path) -> None:
    db = plan_store.path
    run = waypoint(db, "checkin", "leads-h2", "--confidence", "on track", "--period", "2099-W10")
    assert run.code == 2 and "has not started yet" in run.err
    monthly = waypoint(db, "checkin", "leads-h2", "--confidence", "on_track", "--period", "2026-08")
    assert monthly.code == 2 and "weekly" in monthly.err
    none = waypoint(db, "checkin", "leads-h2")
    assert none.code == 2 and "--confidence" in none.err
    with plan_store.read() as con:
        assert con.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0
    # a past period is accepted in any spelling of its label...
    this_week = Period.week_of(today(plan_store)).label.lower()
    ok = waypoint(db, "checkin", "leads-h2", "--confidence", "on track", "--period", this_week)
    assert ok.code == 0 and this_week.upper() in ok.out
    # ...but one that ended before the KPI was in the plan owed nothing: refused, not
    # stored where no page would show it
    past = waypoint(db, "checkin", "leads-h2", "--confidence", "on track", "--period", "2026-w30")
    assert past.code == 2 and "after 2026-W30 ended; nothing was due" in past.err


def test_hours_a_manager_types_for_an_assistant_are_the_assistants(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = plan_store.path
    now = at(monkeypatch, "2026-09-10")  # the clock of every command below
    assert waypoint(db, "log", "hours", "3", "--for", "amy", "--day", "2026-09-01").code == 0
    assert waypoint(db, "--as", "amy", "log", "hours", "2", "--day", "2026-09-01").code == 0
    team = {p.person: p for p in team_report(plan_store, now).people}
    assert team["amy"].hours == 5 and team["ricardo"].hours == 0


def test_the_review_of_a_week_before_a_handover_names_the_owner_then(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.report import weekly_review

    now = hand_over(store, monkeypatch)
    for week, owner in (("2026-W31", "Amy"), ("2026-W35", "Ricardo")):
        review = weekly_review(store, week, now=now)
        leads = next(k for k in review.kpis if k.now.kpi == "leads-h2")
        assert review.owner_then(leads) == owner, week


def test_checkins_of_a_future_week_are_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DESIGN: a check-in is for the current or a past period, never a future one
    at(monkeypatch, "2026-08-12")  # a Wednesday of 2026-W33
    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    future = waypoint(store.path, "checkins", "--week", "2026-W34")
    assert future.code == 2 and "2026-W34 has not started yet" in future.err, future
    assert waypoint(store.path, "checkins", "--week", "2026-W33").code == 0


OVERDUE_PLAN = """
workspace: {name: Acc, timezone: America/Chicago}
people:
  - {key: boss, name: Bea Boss, role: manager, email: boss@example.com}
  - {key: amy, name: Amy Asst, role: assistant, email: amy@example.com, manager: boss}
metrics:
  - {key: leads, name: Leads, class: outcome, behaviour: flow, channel: website}
  - {key: fans, name: Fans, class: reach, behaviour: stock, channel: facebook}
objectives:
  - {key: obj, title: Get leads, outcome: leads, channels: [website, facebook], owner: boss,
     start: 2026-10-05, deadline: 2027-03-31,
     kpis: [{key: k-leads, metric: leads, target: 100, owner: amy},
            {key: k-fans, metric: fans, target: 500, baseline: 100, owner: amy,
             cadence: monthly}]}
"""


def test_a_month_ending_on_a_saturday_is_owed_and_then_overdue(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # October 2026 ends on a Saturday: from Monday 2 Nov the lists looked at last week
    # (W44), which shows November, and October's missed check-in was in none of them
    from tracker.checkins import overdue, owed

    at(monkeypatch, "2026-10-05")
    apply_plan_text(store, OVERDUE_PLAN, LOCAL_MANAGER)
    sunday = at(monkeypatch, "2026-11-01")  # October's grace day: due today
    assert ("k-fans", "2026-10", "due") in [(s.kpi, s.period, s.state) for s in owed(store, sunday)]
    for day in ("2026-11-02", "2026-11-03", "2026-11-10"):
        now = at(monkeypatch, day)
        assert ("k-fans", "2026-10") in [(s.kpi, s.period) for s in overdue(store, now)], day
    # My week's check-in form offers what is owed: October can be given late from there
    record_checkin(store, Actor("amy", "assistant", "Amy"), "k-fans", "at_risk", period="2026-10")
    assert ("k-fans", "2026-10") not in [(s.kpi, s.period) for s in overdue(store, now)]


def test_on_a_monday_the_overdue_list_holds_the_week_before_lasts_misses(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on Monday last week is still on time, and the list only looked at last week: it
    # said "Nobody is overdue" every Monday, the day the digest goes out
    from tracker.checkins import overdue, owed

    at(monkeypatch, "2026-10-05")
    apply_plan_text(store, OVERDUE_PLAN, LOCAL_MANAGER)
    monday = at(monkeypatch, "2026-11-16")  # 09:00 in Chicago
    listed = [(s.kpi, s.period, s.state) for s in owed(store, monday)]
    assert ("k-leads", "2026-W45", "missing") in listed  # overdue since Tue 10 Nov
    assert ("k-leads", "2026-W46", "due") in listed  # on time until tonight
    # oldest first; October's monthly check-in is missing too
    assert [(s.kpi, s.period) for s in overdue(store, monday)] == [
        ("k-fans", "2026-10"),
        ("k-leads", "2026-W45"),
    ]
    # a naive instant is UTC, as stored ones are (it was read as the workspace's date)
    late_sunday = dt.datetime(2026, 11, 30, 3, 0)  # Sun 29 Nov, 21:00 in Chicago
    assert [(s.kpi, s.period, s.state) for s in owed(store, late_sunday)] == [
        (s.kpi, s.period, s.state) for s in owed(store, late_sunday.replace(tzinfo=dt.UTC))
    ]
    assert ("k-leads", "2026-W48", "due") not in [
        (s.kpi, s.period, s.state) for s in owed(store, late_sunday)
    ]  # W48 is still running in Chicago
    tuesday = at(monkeypatch, "2026-11-17")  # last week is overdue now; it is the one listed
    assert [(s.kpi, s.period) for s in overdue(store, tuesday)] == [
        ("k-fans", "2026-10"),
        ("k-leads", "2026-W46"),
    ]
